// The C ABI of libexplainer (include/explainer/explainer.h) over EmbeddedEngine.
//
// Contract kept here: every exported function catches everything (no exception crosses the
// boundary), sets the calling thread's last error, and hands out only memory it frees itself.
#define EXPLAINER_BUILDING_LIBRARY 1
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "embed/embedded_engine.h"
#include "explainer/explainer.h"

struct explainer_engine {
  std::unique_ptr<explainer::embed::EmbeddedEngine> engine;
};

struct explainer_result {
  int status = EXPLAINER_OK;
  std::string error;
  std::string data;
  bool enriched = false;
  std::string summary;
};

namespace {

thread_local std::string last_error;

int fail(int status, const std::string& message) {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear();
  }
  return status;
}

int succeed() {
  last_error.clear();
  return EXPLAINER_OK;
}

// Makes a result carrying only a status and message (and stores it in *out when wanted).
int fail_result(int status, const std::string& message, explainer_result** out) {
  fail(status, message);
  if (out) {
    *out = new (std::nothrow) explainer_result;
    if (*out) {
      try {
        (*out)->status = status;
        (*out)->error = message;
        (*out)->summary =
            "{\"ok\":false,\"status\":\"" + std::string(explainer_status_name(status)) + "\"}";
      } catch (...) {
        // The status alone is still right.
      }
    }
  }
  return status;
}

std::optional<explainer::enrich::MessageFormat> format_of(int format, bool* valid) {
  *valid = true;
  switch (format) {
    case EXPLAINER_FORMAT_AUTO:
      return std::nullopt;
    case EXPLAINER_FORMAT_HL7V2:
      return explainer::enrich::MessageFormat::kHl7v2;
    case EXPLAINER_FORMAT_FHIR_JSON:
      return explainer::enrich::MessageFormat::kFhirJson;
    case EXPLAINER_FORMAT_FHIR_XML:
      return explainer::enrich::MessageFormat::kFhirXml;
    default:
      *valid = false;
      return std::nullopt;
  }
}

// Runs `body` with the boundary's exception policy: whatever it throws becomes a status and a
// message handed to `on_error` (fail() or a fail_result() binding).
template <class Body, class OnError>
int guarded(const char* what, Body&& body, OnError&& on_error) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return on_error(EXPLAINER_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return on_error(EXPLAINER_ERROR_INTERNAL, std::string(what) + " failed: " + e.what());
  } catch (...) {
    return on_error(EXPLAINER_ERROR_INTERNAL, std::string(what) + " failed");
  }
}

constexpr unsigned kKnownFlags = EXPLAINER_FLAG_OBX_ED | EXPLAINER_FLAG_FHIR_CONTAINED |
                                 EXPLAINER_FLAG_FHIR_OUTPUT_JSON | EXPLAINER_FLAG_FHIR_OUTPUT_XML;

}  // namespace

extern "C" {

int explainer_abi_version(void) {
  return EXPLAINER_ABI_VERSION;
}

const char* explainer_version(void) {
  return EXPLAINER_VERSION_STRING;
}

const char* explainer_status_name(int status) {
  switch (status) {
    case EXPLAINER_OK:
      return "ok";
    case EXPLAINER_ERROR_INVALID_ARGUMENT:
      return "invalid_argument";
    case EXPLAINER_ERROR_CONFIG:
      return "config";
    case EXPLAINER_ERROR_DATA:
      return "data";
    case EXPLAINER_ERROR_INPUT:
      return "input";
    case EXPLAINER_ERROR_OUT_OF_MEMORY:
      return "out_of_memory";
    case EXPLAINER_ERROR_INTERNAL:
      return "internal";
    default:
      return "unknown";
  }
}

const char* explainer_last_error(void) {
  return last_error.c_str();
}

int explainer_engine_create(const char* config_path, explainer_engine** engine_out) {
  return guarded(
      "engine creation",
      [&] {
        if (engine_out) *engine_out = nullptr;
        if (!engine_out) return fail(EXPLAINER_ERROR_INVALID_ARGUMENT, "engine_out is NULL");
        if (!config_path) return fail(EXPLAINER_ERROR_INVALID_ARGUMENT, "config_path is NULL");
        explainer::embed::EngineError error;
        auto engine = explainer::embed::EmbeddedEngine::create(config_path, &error);
        if (!engine) {
          return fail(error.kind == explainer::embed::EngineError::Kind::kConfig
                          ? EXPLAINER_ERROR_CONFIG
                          : EXPLAINER_ERROR_DATA,
                      error.message);
        }
        *engine_out = new explainer_engine{std::move(engine)};
        return succeed();
      },
      fail);
}

int explainer_engine_reload(explainer_engine* engine) {
  return guarded(
      "reload",
      [&] {
        if (!engine || !engine->engine)
          return fail(EXPLAINER_ERROR_INVALID_ARGUMENT, "engine is NULL");
        explainer::embed::EngineError error;
        if (!engine->engine->reload(&error)) return fail(EXPLAINER_ERROR_DATA, error.message);
        return succeed();
      },
      fail);
}

void explainer_engine_destroy(explainer_engine* engine) {
  try {
    delete engine;
  } catch (...) {
    // Destructors do not throw; nothing may escape regardless.
  }
}

int explainer_enrich(explainer_engine* engine, const char* data, size_t size, int format,
                     unsigned flags, explainer_result** result_out) {
  if (result_out) *result_out = nullptr;
  const auto on_error = [result_out](int status, const std::string& message) {
    return fail_result(status, message, result_out);
  };
  return guarded(
      "enrichment",
      [&] {
        if (!engine || !engine->engine) {
          return fail_result(EXPLAINER_ERROR_INVALID_ARGUMENT, "engine is NULL", result_out);
        }
        if (!data && size != 0) {
          return fail_result(EXPLAINER_ERROR_INVALID_ARGUMENT, "data is NULL", result_out);
        }
        bool format_valid = false;
        const auto input_format = format_of(format, &format_valid);
        if (!format_valid) {
          return fail_result(EXPLAINER_ERROR_INVALID_ARGUMENT,
                             "unknown format " + std::to_string(format), result_out);
        }
        if ((flags & ~kKnownFlags) != 0 || ((flags & EXPLAINER_FLAG_FHIR_OUTPUT_JSON) &&
                                            (flags & EXPLAINER_FLAG_FHIR_OUTPUT_XML))) {
          return fail_result(EXPLAINER_ERROR_INVALID_ARGUMENT,
                             "unknown or conflicting flags " + std::to_string(flags), result_out);
        }
        auto options = engine->engine->base_options();
        options.input_format = input_format;
        if (flags & EXPLAINER_FLAG_OBX_ED)
          options.v2_form = explainer::enrich::V2Form::kEncapsulatedHtml;
        if (flags & EXPLAINER_FLAG_FHIR_CONTAINED) {
          options.fhir_mode = explainer::enrich::FhirMode::kContained;
        }
        if (flags & EXPLAINER_FLAG_FHIR_OUTPUT_JSON) {
          options.fhir_output_format = explainer::enrich::FhirFormat::kJson;
        }
        if (flags & EXPLAINER_FLAG_FHIR_OUTPUT_XML) {
          options.fhir_output_format = explainer::enrich::FhirFormat::kXml;
        }
        const std::string_view bytes =
            size == 0 ? std::string_view() : std::string_view(data, size);
        auto enrichment = engine->engine->enrich(bytes, options);
        auto result = std::make_unique<explainer_result>();
        result->summary = explainer::enrich::message_enrichment_summary_json(enrichment);
        if (enrichment.ok) {
          result->status = EXPLAINER_OK;
          result->data = std::move(enrichment.output);
          result->enriched = enrichment.enriched;
        } else {
          result->status =
              enrichment.internal_error ? EXPLAINER_ERROR_INTERNAL : EXPLAINER_ERROR_INPUT;
          result->error = enrichment.error;
        }
        const int status = result->status;
        if (status == EXPLAINER_OK) {
          succeed();
        } else {
          fail(status, result->error);
        }
        if (result_out) *result_out = result.release();
        return status;
      },
      on_error);
}

int explainer_result_status(const explainer_result* result) {
  return result ? result->status : EXPLAINER_ERROR_INVALID_ARGUMENT;
}

const char* explainer_result_error(const explainer_result* result) {
  return result ? result->error.c_str() : "";
}

const char* explainer_result_data(const explainer_result* result, size_t* size) {
  if (!result || result->status != EXPLAINER_OK) {
    if (size) *size = 0;
    return nullptr;
  }
  if (size) *size = result->data.size();
  return result->data.c_str();
}

int explainer_result_enriched(const explainer_result* result) {
  return result && result->enriched ? 1 : 0;
}

const char* explainer_result_summary(const explainer_result* result) {
  return result ? result->summary.c_str() : "";
}

void explainer_result_free(explainer_result* result) {
  delete result;
}

}  // extern "C"

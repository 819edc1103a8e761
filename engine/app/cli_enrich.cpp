#include "app/cli_enrich.h"

#include <ostream>

#include "app/config.h"
#include "app/enrich_config.h"

namespace explainer::app {

const char* const kEnrichOptionsUsage =
    "  --config FILE            take mappings, content, policy and released statuses from\n"
    "                           explainerd's configuration (other keys are ignored)\n"
    "  --mappings DIR --content DIR --default-language xx --require-approved --attach-sensitive\n"
    "                           the same without a configuration file\n"
    "  --input-format auto|hl7v2|json|xml   default auto: FHIR JSON/XML by the first character\n"
    "  --obx-format ft|ed       HL7 v2: formatted text, or HTML as an ED attachment\n"
    "  --output-format json|xml --fhir-mode bundle|contained   FHIR output\n";

bool parse_enrich_options(OptionScanner& opts, EnrichCliOptions& out) {
  std::string form = "ft", output_format, fhir_mode = "bundle", input_format = "auto";
  out.mappings = default_data_dir("mappings");
  out.content = default_data_dir("content");
  opts.value("config", out.config);
  opts.value("mappings", out.mappings);
  opts.value("content", out.content);
  opts.value("obx-format", form);
  opts.value("default-language", out.default_language);
  opts.value("output-format", output_format);
  opts.value("fhir-mode", fhir_mode);
  opts.value("input-format", input_format);
  out.attach_sensitive = opts.flag("attach-sensitive");
  out.require_approved = opts.flag("require-approved");
  const auto mode = enrich::parse_fhir_mode(fhir_mode);
  const auto chosen_format = enrich::parse_fhir_format(output_format);
  if ((form != "ft" && form != "ed") || !mode || (!output_format.empty() && !chosen_format)) {
    return false;
  }
  if (input_format == "hl7v2") {
    out.message.input_format = enrich::MessageFormat::kHl7v2;
  } else if (input_format == "json") {
    out.message.input_format = enrich::MessageFormat::kFhirJson;
  } else if (input_format == "xml") {
    out.message.input_format = enrich::MessageFormat::kFhirXml;
  } else if (input_format != "auto") {
    return false;
  }
  out.message.v2_form =
      form == "ed" ? enrich::V2Form::kEncapsulatedHtml : enrich::V2Form::kFormattedText;
  out.message.fhir_mode = *mode;
  out.message.fhir_output_format = chosen_format;
  return true;
}

std::unique_ptr<EnrichSetup> load_enrich_setup(const EnrichCliOptions& options, std::ostream& err) {
  EnrichConfig config;
  if (!options.config.empty()) {
    try {
      config = load_enrich_config_file(options.config);
    } catch (const std::exception& e) {
      err << "explainer: " << e.what() << "\n";
      return nullptr;
    }
  } else {
    config.mappings_dir = options.mappings;
    config.content_dir = options.content;
    config.policy.default_language = options.default_language;
    config.policy.require_approved = options.require_approved;
    if (options.attach_sensitive) config.policy.sensitive = enrich::Action::kAttach;
  }
  auto setup = std::make_unique<EnrichSetup>();
  for (const auto& problem : {load_rules_into(setup->rules, config.mappings_dir),
                              load_content_into(setup->content, config.content_dir)}) {
    if (!problem.empty()) {
      err << "explainer: " << problem << "\n";
      return nullptr;
    }
  }
  setup->options = options.message;
  setup->options.v2_extract = config.v2_extract;
  setup->options.fhir_extract = config.fhir_extract;
  setup->enricher =
      std::make_unique<enrich::MessageEnricher>(setup->rules, setup->content, config.policy);
  return setup;
}

}  // namespace explainer::app

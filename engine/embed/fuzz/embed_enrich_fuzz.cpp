// libFuzzer target for explainer_enrich(): any bytes, any format and flag value, must return a
// status and a result that is safe to read and free (never crash, leak or throw).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "explainer/explainer.h"

namespace {

explainer_engine* engine() {
  static explainer_engine* instance = [] {
    explainer_engine* e = nullptr;
    if (explainer_engine_create(EXPLAINER_FUZZ_CONFIG, &e) != EXPLAINER_OK) std::abort();
    return e;
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A first byte below 0x20 (never the start of a real message) is consumed to pick format and
  // flags, so every combination gets explored; real messages (the seed corpus) go in as they are.
  int format = EXPLAINER_FORMAT_AUTO;
  unsigned flags = 0;
  if (size > 0 && data[0] < 0x20) {
    format = data[0] % 5;           // 4 is invalid on purpose
    flags = (data[0] >> 2) & 0x7u;  // OBX_ED, FHIR_CONTAINED, FHIR_OUTPUT_JSON
    if (data[0] & 0x10) flags |= EXPLAINER_FLAG_FHIR_OUTPUT_XML;  // with JSON: conflicting
    ++data;
    --size;
  }
  explainer_result* result = nullptr;
  const int status =
      explainer_enrich(engine(), reinterpret_cast<const char*>(data), size, format, flags, &result);
  if (explainer_result_status(result) != status) std::abort();
  std::size_t out_size = 0;
  const char* out = explainer_result_data(result, &out_size);
  if (status == EXPLAINER_OK && (out == nullptr || out[out_size] != '\0')) std::abort();
  if (std::strlen(explainer_result_summary(result)) == 0) std::abort();
  explainer_result_free(result);
  return 0;
}

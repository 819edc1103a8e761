// libFuzzer target for the FHIR XML reader/writers; properties in fuzz_oracle.h.
// Build with clang and -DEXPLAINER_FUZZ=ON; seed with tests/fixtures/fhir/**/*.xml.
#include <cstddef>
#include <cstdint>

#include "fhir/fuzz/fuzz_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!explainer::fhir::fuzz::check_xml_input(text).empty()) __builtin_trap();
  return 0;
}

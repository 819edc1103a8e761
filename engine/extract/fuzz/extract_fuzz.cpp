// libFuzzer target: parse + extract_reports + report_text on arbitrary bytes. Aborts if the
// extracted text is not valid UTF-8 (every decoded value must be).
// Build/run like engine/hl7v2/fuzz/er7_fuzz.cpp (target extract_fuzz, -DEXPLAINER_FUZZ=ON).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "extract/extract.h"
#include "hl7v2/charset.h"

using namespace explainer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const hl7v2::ParseResult result = hl7v2::parse(input);
  if (!result.ok()) return 0;
  const auto reports = extract::extract_reports(*result.message);
  for (const core::ReportView& report : reports) {
    for (const std::string* text : {&report.impression, &report.accession, &report.study_name,
                                    &report.status, &report.body_region}) {
      if (hl7v2::sanitize_utf8(*text) != *text) std::abort();
    }
    (void)extract::report_text(*result.message, static_cast<std::size_t>(report.group_index));
  }
  return 0;
}

#include "core/report.h"

namespace explainer::core {

const char* to_string(ImpressionSource source) {
  switch (source) {
    case ImpressionSource::kNone: return "none";
    case ImpressionSource::kImpressionObservation: return "impression_observation";
    case ImpressionSource::kReportTextSection: return "report_text_section";
    case ImpressionSource::kConclusion: return "conclusion";
    case ImpressionSource::kPresentedForm: return "presented_form";
    case ImpressionSource::kCodesOnly: return "codes_only";
  }
  return "unknown";
}

}  // namespace explainer::core

#include "enrich/selection.h"

#include <stdexcept>

namespace explainer::enrich {

const char* to_string(Action action) {
  switch (action) {
    case Action::kAttach: return "attach";
    case Action::kHold: return "hold";
    case Action::kSkip: return "skip";
  }
  return "?";
}

Action parse_action(const std::string& text) {
  if (text == "attach") return Action::kAttach;
  if (text == "hold") return Action::kHold;
  if (text == "skip") return Action::kSkip;
  throw std::invalid_argument("'" + text + "' is not attach, hold or skip");
}

Action Policy::action_for(matching::Sensitivity sensitivity) const {
  switch (sensitivity) {
    case matching::Sensitivity::kRoutine: return routine;
    case matching::Sensitivity::kFollowUp: return follow_up;
    case matching::Sensitivity::kSensitive: return sensitive;
  }
  return Action::kSkip;
}

Selection select_explanations(const core::ReportView& report, const matching::Matcher& matcher,
                              const content::ContentLibrary& library, const Policy& policy) {
  Selection selection;
  if (!report.released) {
    selection.reason = "not_released";
    return selection;
  }
  if (report.impression.empty() && report.codes.empty()) {
    selection.reason = "no_impression";
    return selection;
  }
  matching::MatchContext context;
  context.modality = report.modality;
  context.body_region = report.body_region;
  for (const auto& c : report.codes) context.codes.push_back({c.system, c.code});
  selection.match = matcher.match(report.impression, context);
  if (selection.match.findings.empty()) {
    selection.reason = "no_match";
    return selection;
  }

  for (const auto& finding : selection.match.findings) {
    if (!finding.explain) {
      ++selection.not_explained[std::string(matching::to_string(finding.assertion))];
      continue;
    }
    const Action action = policy.action_for(finding.sensitivity);
    if (action == Action::kSkip) {
      ++selection.not_explained["policy_skip"];
      continue;
    }
    // No known patient language: the default language is what is asked for, not a fallback.
    const std::string& language =
        report.patient_language.empty() ? policy.default_language : report.patient_language;
    const auto lookup = library.find(finding.content_id, language, policy.default_language);
    if (!lookup) {
      ++selection.not_explained["content_missing"];
      continue;
    }
    const auto status = lookup.document->review_status;
    if (status == content::ReviewStatus::kRetired) {
      ++selection.not_explained["content_retired"];
      continue;
    }
    if (policy.require_approved && status != content::ReviewStatus::kApproved) {
      ++selection.not_explained["content_not_approved"];
      continue;
    }
    Chosen chosen;
    chosen.finding_id = finding.finding_id;
    chosen.content_id = finding.content_id;
    chosen.sensitivity = finding.sensitivity;
    chosen.document = lookup.document;
    chosen.requested_language = language;
    chosen.used_fallback = lookup.used_fallback;
    chosen.action = action;
    selection.chosen.push_back(chosen);
  }
  if (selection.chosen.empty()) selection.reason = "nothing_to_explain";
  return selection;
}

}  // namespace explainer::enrich

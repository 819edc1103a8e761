// Which explanations a report gets: the format-neutral half of enrichment.
//
// For one report: match its impression (and codes) against the rule snapshot, keep the findings
// whose mentions are affirmed and current (Matcher's `explain`), look up each finding's content
// in the patient's language (falling back to the default language), and apply the policy:
// review status (drafts allowed or not, retired never) and the per-sensitivity action
// (attach / hold / skip). Non-released reports and reports without an impression get nothing.
//
// Pure function of its inputs; thread-safe. Pointers into the content snapshot stay valid as
// long as the caller keeps that snapshot.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "content/document.h"
#include "content/library.h"
#include "core/report.h"
#include "matching/matcher.h"

namespace explainer::enrich {

enum class Action { kAttach, kHold, kSkip };
const char* to_string(Action action);
// "attach", "hold", "skip"; throws std::invalid_argument otherwise.
Action parse_action(const std::string& text);

struct Policy {
  std::string default_language = "en";
  bool require_approved = false;  // production: only clinician-approved content
  Action routine = Action::kAttach;
  Action follow_up = Action::kAttach;
  Action sensitive = Action::kHold;

  Action action_for(matching::Sensitivity sensitivity) const;
};

// One explanation chosen for a report.
struct Chosen {
  std::string finding_id;
  std::string content_id;
  matching::Sensitivity sensitivity = matching::Sensitivity::kRoutine;
  const content::ContentDocument* document = nullptr;
  std::string requested_language;  // the patient's language ("" when unknown)
  bool used_fallback = false;      // shown in the default language instead
  Action action = Action::kAttach;
};

struct Selection {
  matching::MatchResult match;     // every finding the impression mentions, with assertions
  std::vector<Chosen> chosen;      // explanations to attach or hold, in impression order
  std::map<std::string, int> not_explained;  // reason -> findings ("negated", "content_missing", ...)
  std::string reason;  // why nothing was chosen for the report ("not_released", "no_impression", ...)
};

Selection select_explanations(const core::ReportView& report, const matching::Matcher& matcher,
                              const content::ContentLibrary& library, const Policy& policy);

}  // namespace explainer::enrich

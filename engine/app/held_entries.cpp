#include "app/held_entries.h"

#include <algorithm>

namespace explainer::app {

void merge_held(std::vector<store::HeldEntry>& all, const std::string& destination,
                const store::HeldEntry& held) {
  for (auto& entry : all) {
    if (entry.report_index == held.report_index && entry.report_id == held.report_id &&
        entry.finding_id == held.finding_id && entry.content_id == held.content_id &&
        entry.content_version == held.content_version && entry.language == held.language) {
      if (std::find(entry.destinations.begin(), entry.destinations.end(), destination) ==
          entry.destinations.end()) {
        entry.destinations.push_back(destination);
      }
      return;
    }
  }
  store::HeldEntry added = held;
  added.destinations = {destination};
  all.push_back(std::move(added));
}

}  // namespace explainer::app

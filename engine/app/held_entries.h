// Held explanations as the intakes hand them to the store: enrichment runs once per
// destination, so the same held explanation is reported by every enriched destination; the
// store keeps one record per explanation listing those destinations.
#pragma once

#include <string>
#include <vector>

#include "store/message_store.h"

namespace explainer::app {

// Adds `destination` to the entry of `all` describing the same explanation as `held` (same
// report, finding, content, version, language), or appends `held` with that destination.
void merge_held(std::vector<store::HeldEntry>& all, const std::string& destination,
                const store::HeldEntry& held);

}  // namespace explainer::app

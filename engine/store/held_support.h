// Helpers shared by the MessageStore backends for held explanations (not part of the API).
#pragma once

#include <string>
#include <vector>

#include "store/message_store.h"

namespace explainer::store {

// Destination names as stored in one column: joined by '\n' (a name never holds one, since
// names come from configuration keys).
std::string join_destinations(const std::vector<std::string>& destinations);
std::vector<std::string> split_destinations(const std::string& joined);
// "held" / "released" / "discarded"; throws StoreError for anything else.
HeldState parse_held_state(const std::string& text);

}  // namespace explainer::store

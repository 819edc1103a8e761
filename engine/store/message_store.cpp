#include "store/message_store.h"

#include "store/held_support.h"

namespace explainer::store {

const char* to_string(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kDead:
      return "dead";
  }
  return "unknown";
}

const char* to_string(HeldState state) {
  switch (state) {
    case HeldState::kHeld:
      return "held";
    case HeldState::kReleased:
      return "released";
    case HeldState::kDiscarded:
      return "discarded";
  }
  return "unknown";
}

std::string join_destinations(const std::vector<std::string>& destinations) {
  std::string joined;
  for (const auto& name : destinations) {
    if (!joined.empty()) joined += '\n';
    joined += name;
  }
  return joined;
}

std::vector<std::string> split_destinations(const std::string& joined) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= joined.size() && !joined.empty()) {
    const std::size_t end = joined.find('\n', start);
    names.push_back(
        joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return names;
}

HeldState parse_held_state(const std::string& text) {
  if (text == "held") return HeldState::kHeld;
  if (text == "released") return HeldState::kReleased;
  if (text == "discarded") return HeldState::kDiscarded;
  throw StoreError("unknown held-explanation state in the store: " + text);
}

}  // namespace explainer::store

namespace explainer::store {

std::vector<QueueStatus> MessageStore::queue_depths(std::int64_t now_ms) {
  std::vector<QueueStatus> out;
  for (auto& status : queue_status(now_ms)) {
    if (status.pending == 0 && status.dead == 0) continue;
    status.last_error.clear();
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace explainer::store

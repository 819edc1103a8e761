#include "store/message_store.h"

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

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

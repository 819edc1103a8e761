// Sink: where a delivery worker hands one outbox item (MLLP sender, FHIR HTTP client,
// file drop, ...).
//
// Contract: deliver() classifies the result (core/outcome.h): kDelivered only once the
// peer has accepted the payload (for a file: fsynced and renamed into place); kRetry for
// transient failures; kPermanent when the peer refused this payload for good. It may
// throw: the worker treats an exception as kRetry with the exception text. Detail text
// must not carry patient data.
//
// Thread safety: each Sink instance is called by one delivery worker thread at a time;
// it should bound its own I/O with timeouts, since DeliveryWorker::stop() waits for a
// deliver() call in progress to return.
#pragma once

#include <cstdint>
#include <string>

#include "core/outcome.h"
#include "store/message_store.h"

namespace explainer::delivery {

struct DeliveryItem {
  store::OutboxId outbox_id = 0;
  store::MessageId message_id = 0;
  std::string destination;
  std::string payload;     // bytes to send, exactly as stored
  std::string control_id;  // of the inbound message, for logs
  int attempt = 1;         // 1 for the first attempt (since enqueue or an operator retry)
  std::int64_t created_at_ms = 0;  // when the report was stored (wall clock), for latency metrics
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual core::DeliveryOutcome deliver(const DeliveryItem& item) = 0;
};

}  // namespace explainer::delivery

// MllpSink: delivers HL7 v2 messages to a downstream MLLP peer and reads its ACK.
//
// Classification: MSA-1 AA/CA with MSA-2 equal to the sent MSH-10 -> delivered; AE/CE ->
// retry; AR/CR -> permanent (dead-letter with the peer's ERR/MSA-3 text); an ACK for another
// message, an unreadable answer, a timeout or a network error -> retry, after dropping the
// connection so a late answer can never be taken for the next message's ACK.
//
// Thread safety: one delivery worker calls deliver() at a time (delivery/sink.h).
#pragma once

#include <chrono>

#include "delivery/sink.h"
#include "transport/mllp_client.h"

namespace explainer::app {

class MllpSink final : public delivery::Sink {
 public:
  MllpSink(transport::MllpClientConfig client, std::chrono::milliseconds ack_timeout);
  core::DeliveryOutcome deliver(const delivery::DeliveryItem& item) override;

 private:
  transport::MllpClient client_;
  std::chrono::milliseconds ack_timeout_;
};

// Classifies an ACK received for a message whose MSH-10 is `sent_control_id`.
core::DeliveryOutcome classify_ack(std::string_view ack, const std::string& sent_control_id);

}  // namespace explainer::app

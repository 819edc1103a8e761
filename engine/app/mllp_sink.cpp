#include "app/mllp_sink.h"

#include "hl7v2/message.h"

namespace explainer::app {

MllpSink::MllpSink(transport::MllpClientConfig client, std::chrono::milliseconds ack_timeout)
    : client_(std::move(client)), ack_timeout_(ack_timeout) {}

core::DeliveryOutcome classify_ack(std::string_view ack, const std::string& sent_control_id) {
  const auto parsed = hl7v2::parse(ack);
  if (!parsed.ok()) return core::DeliveryOutcome::retry("answer is not an HL7 ACK");
  const auto msa_index = parsed.message->find("MSA");
  if (!msa_index) return core::DeliveryOutcome::retry("ACK has no MSA segment");
  const auto msa = parsed.message->segment(*msa_index);
  const std::string code = msa.text(1);
  const std::string acked = msa.text(2);
  if (acked != sent_control_id) {
    return core::DeliveryOutcome::retry("ACK is for another message (MSA-2 does not match MSH-10)");
  }
  std::string why;
  if (auto err = parsed.message->find("ERR")) {
    const auto seg = parsed.message->segment(*err);
    why = seg.text(3, 1, 2);  // ERR-3.2: table 0357 text (v2.5+)
    if (why.empty()) why = seg.text(8);  // ERR-8 user message
  }
  if (why.empty()) why = msa.text(3);
  if (code == "AA" || code == "CA") return core::DeliveryOutcome::delivered();
  if (code == "AE" || code == "CE") return core::DeliveryOutcome::retry("peer answered " + code + (why.empty() ? "" : ": " + why));
  if (code == "AR" || code == "CR") return core::DeliveryOutcome::permanent("peer answered " + code + (why.empty() ? "" : ": " + why));
  return core::DeliveryOutcome::retry("unknown acknowledgment code in MSA-1");
}

core::DeliveryOutcome MllpSink::deliver(const delivery::DeliveryItem& item) {
  const auto result = client_.send(item.payload, ack_timeout_);
  if (!result.ok()) {
    return core::DeliveryOutcome::retry(std::string(transport::to_string(result.status)) + ": " +
                                        result.message);
  }
  std::string control_id = item.control_id;
  if (const auto sent = hl7v2::parse(item.payload); sent.ok()) {
    control_id = sent.message->header().control_id;
  }
  auto outcome = classify_ack(result.response, control_id);
  if (outcome.status != core::DeliveryStatus::kDelivered) client_.disconnect();
  return outcome;
}

}  // namespace explainer::app

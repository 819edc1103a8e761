#include "hl7v2/inbound.h"

#include <algorithm>

namespace explainer::hl7v2 {

const char* to_string(InboundVerdict verdict) {
  switch (verdict) {
    case InboundVerdict::kAccept:
      return "accept";
    case InboundVerdict::kReject:
      return "reject";
    case InboundVerdict::kUnsupportedType:
      return "unsupported_type";
  }
  return "reject";
}

InboundCheck check_inbound(const ParseResult& parsed, const InboundPolicy& policy) {
  InboundCheck check;
  if (!parsed.ok()) {
    check.verdict = InboundVerdict::kReject;
    check.errors.push_back(
        {parsed.error.code, parsed.error.location, Severity::kError, parsed.error.text});
    return check;
  }
  const MessageHeader& h = parsed.message->header();
  check.message_type = h.message_type();
  if (h.control_id.empty()) {
    check.errors.push_back({error_code::kRequiredFieldMissing,
                            {"MSH", 1, 10},
                            Severity::kError,
                            "MSH-10 message control id is missing"});
    return check;
  }
  if (h.version.size() < 3 || h.version.compare(0, 2, "2.") != 0) {
    check.errors.push_back({error_code::kUnsupportedVersionId,
                            {"MSH", 1, 12},
                            Severity::kError,
                            "MSH-12 version is missing or not an HL7 v2.x version"});
    return check;
  }
  const auto& types = policy.accepted_types;
  if (std::find(types.begin(), types.end(), check.message_type) != types.end()) {
    check.verdict = InboundVerdict::kAccept;
    return check;
  }
  check.verdict = InboundVerdict::kUnsupportedType;
  const bool code_known = std::any_of(types.begin(), types.end(), [&h](const std::string& t) {
    return t.substr(0, t.find('^')) == h.message_code;
  });
  if (code_known) {
    check.errors.push_back({error_code::kUnsupportedEventCode,
                            {"MSH", 1, 9, 1, 2},
                            Severity::kError,
                            "unsupported trigger event for this message type"});
  } else {
    check.errors.push_back({error_code::kUnsupportedMessageType,
                            {"MSH", 1, 9, 1, 1},
                            Severity::kError,
                            "unsupported message type"});
  }
  return check;
}

AckRequest ack_request_for(const InboundCheck& check) {
  AckRequest request;
  request.status =
      check.verdict == InboundVerdict::kAccept ? AckStatus::kAccept : AckStatus::kReject;
  request.errors = check.errors;
  return request;
}

}  // namespace explainer::hl7v2

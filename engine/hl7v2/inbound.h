// First look at a received message, for the listener: can it be accepted, must it be rejected,
// or is it a message type the caller's policy has to decide about?
#pragma once

#include <string>
#include <vector>

#include "hl7v2/ack.h"
#include "hl7v2/message.h"

namespace explainer::hl7v2 {

struct InboundPolicy {
  // Message types ("CODE^TRIGGER") that are ours to process.
  std::vector<std::string> accepted_types = {"ORU^R01"};
};

enum class InboundVerdict {
  kAccept,           // parsed, has a control id and an accepted type: store and process
  kReject,           // not HL7, no MSH-10 or a version we cannot read: send AR with `errors`
  kUnsupportedType,  // parsed fine but not an accepted type: the caller applies its policy
                     // (AR with `errors`, which hold 200/201, or accept and forward untouched)
};

struct InboundCheck {
  InboundVerdict verdict = InboundVerdict::kReject;
  std::vector<AckError> errors;  // ready for AckRequest::errors
  std::string message_type;      // "ORU^R01" as received ("" when unparsed); not patient data
};

const char* to_string(InboundVerdict verdict);

// Rules, in order: parse failure -> kReject with the parse error; empty MSH-10 -> kReject
// (101, MSH^1^10); MSH-12 not "2.x" -> kReject (203, MSH^1^12); message code not accepted ->
// kUnsupportedType (200, MSH^1^9^1^1); code accepted but trigger not -> kUnsupportedType
// (201, MSH^1^9^1^2); else kAccept.
InboundCheck check_inbound(const ParseResult& parsed, const InboundPolicy& policy = {});

// Convenience for the listener: the AckRequest matching a check (status kAccept for kAccept,
// kReject otherwise), carrying the check's errors.
AckRequest ack_request_for(const InboundCheck& check);

}  // namespace explainer::hl7v2

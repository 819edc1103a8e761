// HL7 v2 acknowledgements (ACK) for received messages: original mode (AA/AE/AR) and enhanced
// mode commit acks (CA/CE/CR). Pure functions of their inputs (plus the clock when no
// timestamp / control id is supplied); thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "hl7v2/message.h"

namespace explainer::hl7v2 {

// HL7 table 0357 codes we emit.
namespace error_code {
inline constexpr int kSegmentSequenceError = 100;
inline constexpr int kRequiredFieldMissing = 101;
inline constexpr int kDataTypeError = 102;
inline constexpr int kTableValueNotFound = 103;
inline constexpr int kUnsupportedMessageType = 200;
inline constexpr int kUnsupportedEventCode = 201;
inline constexpr int kUnsupportedProcessingId = 202;
inline constexpr int kUnsupportedVersionId = 203;
inline constexpr int kUnknownKeyIdentifier = 204;
inline constexpr int kDuplicateKeyIdentifier = 205;
inline constexpr int kApplicationRecordLocked = 206;
inline constexpr int kApplicationInternalError = 207;
}  // namespace error_code

// Table 0357 display text for a code ("Required field missing"); "" for unknown codes.
const char* error_code_text(int code);

enum class Severity { kError, kWarning, kInformation, kFatal };  // table 0516: E W I F

// One ERR segment. `user_message` is shown to interface staff: never put patient data in it.
struct AckError {
  int code = error_code::kApplicationInternalError;
  ErrorLocation location;  // empty segment id: ERR-2 left empty
  Severity severity = Severity::kError;
  std::string user_message;
};

enum class AckMode { kOriginal, kEnhanced };
// What we tell the sender. Written as AA/AE/AR (original) or CA/CE/CR (enhanced commit ack).
enum class AckStatus { kAccept, kError, kReject };

// Enhanced mode when MSH-15 or MSH-16 is valued.
AckMode ack_mode(const Message& message);

// Whether the sender wants an ack with this status. Original mode: always. Enhanced mode,
// from MSH-15 (accept ack type): AL or empty -> always; NE -> never; ER -> only for kError /
// kReject; SU -> only for kAccept. Unknown values -> always.
bool ack_wanted(const Message& message, AckStatus status);

// Whether the sender asked for an application-level ack (MSH-16 valued and not NE) in
// enhanced mode. This engine only sends commit acks; exposed so the caller can log/count it.
bool application_ack_requested(const Message& message);

// "AA", "CE", ...
const char* ack_code(AckMode mode, AckStatus status);

struct AckRequest {
  AckStatus status = AckStatus::kAccept;
  std::vector<AckError> errors;        // one ERR segment each (also for kAccept: warnings)
  std::string control_id;              // MSH-10 of the ACK; generated when empty
  std::string timestamp;               // MSH-7 (HL7 DTM); now (UTC, "+0000") when empty
  std::string text;                    // MSA-3; defaults to the first error's user message
  const core::Clock* clock = nullptr;  // for the default timestamp/control id; system clock
};

// Builds the ACK for a parsed message, with the incoming message's delimiters and MSH-18:
//   MSH-3/4 <- incoming MSH-5/6, MSH-5/6 <- incoming MSH-3/4 (raw copies), MSH-7 timestamp,
//   MSH-9 "ACK^<trigger>^ACK" ("ACK^<trigger>" for v2.1-2.3, "ACK" without a trigger),
//   MSH-10 control id, MSH-11/MSH-12 copied, MSH-15/16 "NE" in enhanced mode;
//   MSA-1 code per ack_mode(), MSA-2 incoming MSH-10, MSA-3 text;
//   per error: "ERR||<ERL>|<code>^<text>^HL70357|<E/W/I/F>||||<user message>" for v2.5+, or
//   "ERR|<ERL>^<code>&<text>&HL70357" (ERR-1) for v2.4 and older.
// Segments are CR-terminated (the ACK ends with CR).
std::string build_ack(const Message& incoming, const AckRequest& request);

// Best-effort ACK (original mode codes, default delimiters "|^~\&") for input that did not
// parse. Salvages MSH-3..6, MSH-9.2, MSH-10 and MSH-12 when the bytes start like an MSH with
// the default separators; salvaged values are reduced to [A-Za-z0-9 ._-] (max 64 chars).
std::string build_ack_for_unparsed(std::string_view received, const AckRequest& request);

// A new control id: "A" + milliseconds since epoch + a process-wide 4-digit counter (18 chars).
std::string generate_control_id(const core::Clock& clock);
// HL7 DTM of the clock's wall time in UTC: YYYYMMDDHHMMSS+0000.
std::string hl7_timestamp(const core::Clock& clock);

}  // namespace explainer::hl7v2

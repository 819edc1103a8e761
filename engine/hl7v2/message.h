// ER7 ("pipe") HL7 v2.x message: lossless parse, field access, segment insertion, serialisation.
//
// Model. A Message owns a copy of the received bytes. Each segment is an offset/length view into
// them (without its terminator). Field values are located on demand. Edits are an overlay:
// new segments are inserted after an ORIGINAL segment index, and an original segment may be
// replaced by new raw text; original indexes never shift, so indexes found before an edit
// (e.g. OBR groups) stay valid after it.
//
// Writer contract (serialize()):
//   * every segment is written as its original bytes (or its replacement), followed by CR;
//     inserted segments follow the segment they were inserted after, in insertion order;
//   * normalisation applied to the received bytes, and only this: a leading UTF-8 BOM and any
//     CR/LF before MSH are dropped; each segment terminator (CR, LF or CRLF) becomes CR; empty
//     lines between segments are dropped; the last segment gets a CR if it had none.
//   So for input already in canonical form (no BOM, CR terminators, final CR) serialize()
//   returns the input byte for byte.
//
// Field numbering follows HL7: for MSH, field 1 is the field separator and field 2 the encoding
// characters (both returned as-is, never split or unescaped); for every other segment field 1
// is the first field after the segment id. Repetition, component and subcomponent numbers are
// 1-based; 0 means "the whole thing" (whole field / whole repetition / whole component).
//
// Thread safety: const member functions may be called concurrently; edits need exclusive access.
// Segment objects are views: valid while the Message is alive and not moved or assigned to
// (edits do not invalidate them).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hl7v2/charset.h"
#include "hl7v2/delimiters.h"
#include "hl7v2/escape.h"

namespace explainer::hl7v2 {

class Message;

// Position of a problem, as written into ERR-2 (ERL): segment^sequence^field^rep^comp^sub.
// Zero values are omitted when formatted.
struct ErrorLocation {
  std::string segment;  // segment id, e.g. "MSH"
  int sequence = 1;     // 1-based occurrence of that segment id in the message
  int field = 0;
  int repetition = 0;
  int component = 0;
  int subcomponent = 0;

  // "MSH^1^10" with the given component separator.
  std::string format(char component_separator = '^') const;
};

// One segment, viewed inside its Message.
class Segment {
 public:
  Segment(std::string_view text, const Message& message) : text_(text), message_(&message) {}

  // Segment id: the text before the first field separator (normally 3 characters).
  std::string_view id() const;
  // The whole segment as received (no terminator).
  std::string_view raw() const { return text_; }
  // Number of the last field present (0 when the segment has only an id).
  int field_count() const;

  // Raw (still escaped) text. field==0 gives the segment id. Out-of-range parts give "".
  std::string_view raw(int field, int repetition = 0, int component = 0,
                       int subcomponent = 0) const;
  // Decoded UTF-8 text of the same part (escapes resolved, charset converted).
  std::string text(int field, int repetition = 0, int component = 0, int subcomponent = 0) const;

  int repetition_count(int field) const;  // 0 when the field is empty
  int component_count(int field, int repetition = 1) const;
  int subcomponent_count(int field, int repetition, int component) const;

 private:
  bool is_header() const;
  std::string_view text_;
  const Message* message_;
};

// Values of the MSH fields the engine needs: first repetition, decoded to UTF-8, not trimmed.
// Raw values remain available through message.segment(0).raw(n).
struct MessageHeader {
  std::string sending_application;    // MSH-3 (whole HD, decoded)
  std::string sending_facility;       // MSH-4
  std::string receiving_application;  // MSH-5
  std::string receiving_facility;     // MSH-6
  std::string datetime;               // MSH-7, first component
  std::string message_code;           // MSH-9.1, e.g. "ORU"
  std::string trigger_event;          // MSH-9.2, e.g. "R01"
  std::string message_structure;      // MSH-9.3, e.g. "ORU_R01" (empty in v2.3)
  std::string control_id;             // MSH-10
  std::string processing_id;          // MSH-11, first component ("P", "T", "D")
  std::string version;                // MSH-12, first component, e.g. "2.5.1"
  std::string accept_ack_type;        // MSH-15 ("AL", "NE", "ER", "SU" or empty)
  std::string application_ack_type;   // MSH-16
  std::string character_set;          // MSH-18, first repetition, as sent

  // "ORU^R01" style: code and trigger joined with '^' (just the code when trigger is empty).
  std::string message_type() const;
};

class Message {
 public:
  // Use parse(); the default (empty) Message has no segments. A plain value: copies and moves are
  // deep and cheap to reason about (segment positions are offsets, so Segment views taken from a
  // copy point into the copy).
  Message() = default;

  // The bytes exactly as given to parse() (including any BOM).
  const std::string& received() const { return bytes_; }
  const Delimiters& delimiters() const { return delimiters_; }
  Charset charset() const { return charset_.charset; }
  // False when MSH-18 named a character set we do not support (the text is read as UTF-8).
  bool charset_recognised() const { return charset_.recognised; }
  bool had_bom() const { return had_bom_; }
  const MessageHeader& header() const { return header_; }
  // Non-fatal oddities found while parsing (unknown charset, odd segment ids, ...).
  // Human-readable; contain no field values.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Original segments (edits do not change these).
  std::size_t segment_count() const { return spans_.size(); }
  Segment segment(std::size_t index) const;
  // Index of the first segment with this id at or after `from`.
  std::optional<std::size_t> find(std::string_view id, std::size_t from = 0) const;
  // 1-based occurrence of segment `index` among segments with the same id (for ERR-2).
  int sequence_of(std::size_t index) const;

  // Decodes a raw value taken from this message (escapes + charset) to UTF-8.
  std::string decode(std::string_view raw) const;
  // Encodes UTF-8 text for use as a field/component value in this message.
  std::string encode(std::string_view utf8, const EncodeOptions& options = {},
                     bool* lossy = nullptr) const;

  // Queues `raw_segment` (already encoded ER7, no terminator) to be written after original
  // segment `index`. Returns false (and changes nothing) when the index is out of range or the
  // text is empty or contains CR/LF.
  bool insert_after(std::size_t index, std::string raw_segment);
  // Writes `raw_segment` instead of original segment `index`. Same validation as insert_after;
  // segment 0 (MSH) may only be replaced by text starting with "MSH" + the same delimiters.
  bool replace(std::size_t index, std::string raw_segment);
  bool edited() const { return !inserted_.empty() || !replaced_.empty(); }

  // The message with edits applied; see the writer contract above.
  std::string serialize() const;

 private:
  friend struct Parser;
  friend class Segment;
  struct Span {
    std::size_t offset = 0;
    std::size_t length = 0;
  };
  std::string_view span_text(const Span& span) const {
    return std::string_view(bytes_).substr(span.offset, span.length);
  }

  std::string bytes_;
  std::vector<Span> spans_;
  Delimiters delimiters_;
  CharsetInfo charset_;
  bool had_bom_ = false;
  MessageHeader header_;
  std::vector<std::string> warnings_;
  std::vector<std::pair<std::size_t, std::string>> inserted_;  // (after index, raw), call order
  std::vector<std::pair<std::size_t, std::string>> replaced_;  // (index, raw)
};

// A parse failure, phrased for an ERR segment. Never contains field values.
struct ParseError {
  int code = 100;          // HL7 table 0357 (100 segment sequence, 102 data type, 207 internal)
  ErrorLocation location;  // e.g. MSH^1^2 for bad encoding characters
  std::string text;        // human-readable
};

struct ParseResult {
  std::optional<Message> message;  // set on success
  ParseError error;                // meaningful when !ok()
  bool ok() const { return message.has_value(); }
};

// Parses one ER7 message. Never throws (allocation failure gives code 207), never reads past
// `bytes`, runs in time linear in the input. Fails when the input (after an optional BOM and
// leading CR/LF) does not start with "MSH" + a legal field separator + 4 or 5 distinct legal
// encoding characters.
ParseResult parse(std::string_view bytes);

// Splits `text` at every `separator` (no escape handling). Always at least one element.
std::vector<std::string_view> split(std::string_view text, char separator);

// Joins already-encoded component values with the component separator, dropping trailing
// empty ones.
std::string join_components(const std::vector<std::string>& encoded_components,
                            const Delimiters& delimiters);

// Builds a segment ("OBX|1|TX|...") from its id and already-encoded field values, field 1
// first; trailing empty fields are dropped. Typical use, adding text to message `m`:
//   const Delimiters& d = m.delimiters();
//   std::string obx = build_segment("OBX", {"7", "TX",
//       join_components({"PATEXPL", m.encode("Patient explanation"), "99LOCAL"}, d), "1",
//       m.encode(utf8_text), "", "", "", "", "", "F"}, d);
//   m.insert_after(group.insert_after, std::move(obx)); For "MSH", `encoded_fields[0]` must be
//   MSH-3
// (MSH-1/MSH-2 are written from `delimiters`).
std::string build_segment(std::string_view id, const std::vector<std::string>& encoded_fields,
                          const Delimiters& delimiters);

}  // namespace explainer::hl7v2

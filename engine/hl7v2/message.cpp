#include "hl7v2/message.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <new>

namespace explainer::hl7v2 {
namespace {

constexpr std::size_t kMaxWarnings = 20;

// The n-th (0-based) piece of `text` split at `separator`; nullopt when there are fewer.
std::optional<std::string_view> nth_piece(std::string_view text, char separator, int n) {
  std::size_t start = 0;
  for (int i = 0; i < n; ++i) {
    const std::size_t next = text.find(separator, start);
    if (next == std::string_view::npos) return std::nullopt;
    start = next + 1;
  }
  const std::size_t end = text.find(separator, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

int count_pieces(std::string_view text, char separator) {
  return static_cast<int>(std::count(text.begin(), text.end(), separator)) + 1;
}

bool is_header_id(std::string_view id) {
  return id == "MSH" || id == "BHS" || id == "FHS";
}

// A character that may serve as a delimiter: printable ASCII punctuation.
bool legal_delimiter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && !std::isalnum(u);
}

bool valid_segment_id(std::string_view id) {
  if (id.size() != 3) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

ParseResult failure(int code, ErrorLocation location, std::string text) {
  ParseResult result;
  result.error = ParseError{code, std::move(location), std::move(text)};
  return result;
}

}  // namespace

std::string ErrorLocation::format(char component_separator) const {
  const int parts[] = {sequence, field, repetition, component, subcomponent};
  int last = -1;
  for (int i = 0; i < 5; ++i) {
    if (parts[i] != 0) last = i;
  }
  std::string out = segment;
  for (int i = 0; i <= last; ++i) {
    out.push_back(component_separator);
    if (parts[i] != 0) out += std::to_string(parts[i]);
  }
  return out;
}

std::string MessageHeader::message_type() const {
  return trigger_event.empty() ? message_code : message_code + "^" + trigger_event;
}

// ---------------------------------------------------------------------------------------------
// Segment

bool Segment::is_header() const {
  const Delimiters& d = message_->delimiters();
  return text_.size() >= 4 && text_[3] == d.field && is_header_id(text_.substr(0, 3));
}

std::string_view Segment::id() const {
  const char field = message_->delimiters().field;
  // The usual shape, "XXX|...", without a search.
  if (text_.size() >= 4 && text_[3] == field && text_[0] != field && text_[1] != field &&
      text_[2] != field) {
    return text_.substr(0, 3);
  }
  const std::size_t end = text_.find(field);
  return text_.substr(0, end);
}

int Segment::field_count() const {
  const int pieces = count_pieces(text_, message_->delimiters().field);
  return is_header() ? pieces : pieces - 1;
}

std::string_view Segment::raw(int field, int repetition, int component, int subcomponent) const {
  if (field < 0 || repetition < 0 || component < 0 || subcomponent < 0) return {};
  if (field == 0) return id();
  const Delimiters& d = message_->delimiters();
  const bool header = is_header();
  if (header && field <= 2) {
    if (repetition > 1 || component > 1 || subcomponent > 1) return {};
    if (field == 1) return text_.substr(3, 1);
    return nth_piece(text_, d.field, 1).value_or(std::string_view{});
  }
  auto value = nth_piece(text_, d.field, header ? field - 1 : field);
  if (!value || repetition == 0) return value.value_or(std::string_view{});
  value = nth_piece(*value, d.repetition, repetition - 1);
  if (!value || component == 0) return value.value_or(std::string_view{});
  value = nth_piece(*value, d.component, component - 1);
  if (!value || subcomponent == 0) return value.value_or(std::string_view{});
  return nth_piece(*value, d.subcomponent, subcomponent - 1).value_or(std::string_view{});
}

std::string Segment::text(int field, int repetition, int component, int subcomponent) const {
  const std::string_view value = raw(field, repetition, component, subcomponent);
  if (is_header() && field <= 2) return to_utf8(value, Charset::kAscii);
  return message_->decode(value);
}

int Segment::repetition_count(int field) const {
  const std::string_view value = raw(field);
  if (value.empty()) return 0;
  if (is_header() && field <= 2) return 1;
  return count_pieces(value, message_->delimiters().repetition);
}

int Segment::component_count(int field, int repetition) const {
  const std::string_view value = raw(field, repetition);
  if (value.empty()) return 0;
  if (is_header() && field <= 2) return 1;
  return count_pieces(value, message_->delimiters().component);
}

int Segment::subcomponent_count(int field, int repetition, int component) const {
  const std::string_view value = raw(field, repetition, component);
  if (value.empty()) return 0;
  if (is_header() && field <= 2) return 1;
  return count_pieces(value, message_->delimiters().subcomponent);
}

// ---------------------------------------------------------------------------------------------
// Message

Segment Message::segment(std::size_t index) const {
  if (index >= spans_.size()) return Segment(std::string_view{}, *this);
  return Segment(span_text(spans_[index]), *this);
}

std::optional<std::size_t> Message::find(std::string_view id, std::size_t from) const {
  for (std::size_t i = from; i < spans_.size(); ++i) {
    if (segment(i).id() == id) return i;
  }
  return std::nullopt;
}

int Message::sequence_of(std::size_t index) const {
  if (index >= spans_.size()) return 0;
  const std::string_view id = segment(index).id();
  int sequence = 0;
  for (std::size_t i = 0; i <= index; ++i) {
    if (segment(i).id() == id) ++sequence;
  }
  return sequence;
}

std::string Message::decode(std::string_view raw) const {
  return decode_text(raw, delimiters_, charset_.charset);
}

std::string Message::encode(std::string_view utf8, const EncodeOptions& options,
                            bool* lossy) const {
  return encode_text(utf8, delimiters_, charset_.charset, options, lossy);
}

namespace {
// Index of the first CR or LF at or after `pos`, or bytes.size(). Two bounded single-character
// finds (vectorised memchr); find_first_of("\r\n") calls memchr once per byte.
std::size_t line_end(std::string_view bytes, std::size_t pos) {
  const std::size_t cr = std::min(bytes.find('\r', pos), bytes.size());
  const std::size_t lf = bytes.substr(pos, cr - pos).find('\n');
  return lf == std::string_view::npos ? cr : pos + lf;
}

bool acceptable_segment_text(std::string_view raw) {
  // Two single-character finds (each one vectorised memchr) instead of find_first_of, which
  // calls memchr once per byte of a segment that may carry a whole explanation.
  return !raw.empty() && raw.find('\r') == std::string_view::npos &&
         raw.find('\n') == std::string_view::npos;
}
}  // namespace

bool Message::insert_after(std::size_t index, std::string raw_segment) {
  if (index >= spans_.size() || !acceptable_segment_text(raw_segment)) return false;
  inserted_.emplace_back(index, std::move(raw_segment));
  return true;
}

bool Message::replace(std::size_t index, std::string raw_segment) {
  if (index >= spans_.size() || !acceptable_segment_text(raw_segment)) return false;
  if (index == 0) {
    const std::string prefix =
        std::string("MSH") + delimiters_.field + delimiters_.encoding_characters();
    if (raw_segment.compare(0, prefix.size(), prefix) != 0) return false;
    if (raw_segment.size() > prefix.size() && raw_segment[prefix.size()] != delimiters_.field) {
      return false;
    }
  }
  for (auto& [at, text] : replaced_) {
    if (at == index) {
      text = std::move(raw_segment);
      return true;
    }
  }
  replaced_.emplace_back(index, std::move(raw_segment));
  return true;
}

std::string Message::serialize() const {
  std::size_t size = 0;
  for (const Span& span : spans_) size += span.length + 1;
  for (const auto& [at, text] : inserted_) size += text.size() + 1;
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const auto replacement = std::find_if(replaced_.begin(), replaced_.end(),
                                          [i](const auto& r) { return r.first == i; });
    if (replacement != replaced_.end()) {
      out += replacement->second;
    } else {
      out += span_text(spans_[i]);
    }
    out.push_back('\r');
    for (const auto& [at, text] : inserted_) {
      if (at != i) continue;
      out += text;
      out.push_back('\r');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

struct Parser {
  static ParseResult run(std::string_view input) {
    Message m;
    m.bytes_.assign(input.data(), input.size());
    const std::string_view bytes = m.bytes_;
    std::size_t pos = 0;
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
      m.had_bom_ = true;
      pos = 3;
    }
    while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) ++pos;
    if (pos >= bytes.size()) {
      return failure(100, {"MSH", 1}, "empty message: no MSH segment");
    }
    if (bytes.substr(pos, 3) == "FHS" || bytes.substr(pos, 3) == "BHS") {
      return failure(100, {std::string(bytes.substr(pos, 3)), 1},
                     "batch envelopes (FHS/BHS) are not supported: send single messages");
    }
    if (bytes.substr(pos, 3) != "MSH") {
      return failure(100, {"MSH", 1}, "message does not start with an MSH segment");
    }
    if (pos + 3 >= bytes.size() || !legal_delimiter(bytes[pos + 3])) {
      return failure(102, {"MSH", 1, 1}, "MSH-1 field separator missing or not a legal delimiter");
    }
    Delimiters& d = m.delimiters_;
    d.field = bytes[pos + 3];
    std::size_t enc_end = pos + 4;
    while (enc_end < bytes.size() && bytes[enc_end] != d.field && bytes[enc_end] != '\r' &&
           bytes[enc_end] != '\n') {
      ++enc_end;
    }
    const std::string_view enc = bytes.substr(pos + 4, enc_end - pos - 4);
    if (enc.size() != 4 && enc.size() != 5) {
      return failure(102, {"MSH", 1, 2}, "MSH-2 must hold 4 or 5 encoding characters");
    }
    std::string all{d.field};
    for (char c : enc) {
      if (!legal_delimiter(c) || all.find(c) != std::string::npos) {
        return failure(102, {"MSH", 1, 2},
                       "MSH-2 encoding characters must be distinct punctuation characters");
      }
      all.push_back(c);
    }
    d.component = enc[0];
    d.repetition = enc[1];
    d.escape = enc[2];
    d.subcomponent = enc[3];
    if (enc.size() == 5) d.truncation = enc[4];

    while (pos < bytes.size()) {
      const std::size_t end = line_end(bytes, pos);
      if (end > pos) m.spans_.push_back({pos, end - pos});
      pos = end;
      if (pos < bytes.size() && bytes[pos] == '\r' && pos + 1 < bytes.size() &&
          bytes[pos + 1] == '\n') {
        pos += 2;
      } else if (pos < bytes.size()) {
        pos += 1;
      }
    }

    read_header(m);
    check_segments(m);
    ParseResult result;
    result.message = std::move(m);
    return result;
  }

  static void warn(Message& m, std::string text) {
    if (m.warnings_.size() < kMaxWarnings) m.warnings_.push_back(std::move(text));
  }

  static void read_header(Message& m) {
    // MSH-18 names the charset; it is ASCII-compatible in every supported set, so read it raw.
    const Segment msh = m.segment(0);
    // MSH split at the field separator once: piece k is MSH-(k+1) for k >= 1 (MSH-1 is the
    // separator itself), exactly what Segment::raw(k + 1) returns.
    std::array<std::string_view, 18> pieces{};
    {
      const std::string_view text = msh.raw();
      const char separator = m.delimiters_.field;
      std::size_t start = 0;
      for (std::size_t k = 0; k < pieces.size(); ++k) {
        const std::size_t end = text.find(separator, start);
        pieces[k] = text.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (end == std::string_view::npos) break;
        start = end + 1;
      }
    }
    const Delimiters& d = m.delimiters_;
    // Decoded MSH-n, first repetition, whole or one component (as Segment::text(n, 1[, c])).
    auto text = [&](int field, int component = 0) {
      std::string_view value =
          nth_piece(pieces[static_cast<std::size_t>(field - 1)], d.repetition, 0)
              .value_or(std::string_view{});
      if (component > 0) {
        value = nth_piece(value, d.component, component - 1).value_or(std::string_view{});
      }
      return m.decode(value);
    };
    const std::string_view msh18 =
        nth_piece(pieces[17], d.repetition, 0).value_or(std::string_view{});
    m.charset_ = charset_from_msh18(msh18);
    if (!m.charset_.recognised) {
      warn(m, "MSH-18 names an unsupported character set; text is read as UTF-8");
    }
    MessageHeader& h = m.header_;
    h.sending_application = text(3);
    h.sending_facility = text(4);
    h.receiving_application = text(5);
    h.receiving_facility = text(6);
    h.datetime = text(7, 1);
    h.message_code = text(9, 1);
    h.trigger_event = text(9, 2);
    h.message_structure = text(9, 3);
    h.control_id = text(10);
    h.processing_id = text(11, 1);
    h.version = text(12, 1);
    h.accept_ack_type = text(15);
    h.application_ack_type = text(16);
    h.character_set = text(18);
  }

  static void check_segments(Message& m) {
    for (std::size_t i = 1; i < m.spans_.size(); ++i) {
      const std::string_view id = m.segment(i).id();
      if (!valid_segment_id(id)) {
        warn(m, "segment " + std::to_string(i) + " has an invalid segment id");
      } else if (is_header_id(id)) {
        warn(m, "segment " + std::to_string(i) + " is a second header segment (batch?)");
      }
    }
  }
};

ParseResult parse(std::string_view bytes) {
  try {
    return Parser::run(bytes);
  } catch (const std::bad_alloc&) {
    return failure(207, {"MSH", 1}, "out of memory while parsing");
  } catch (...) {
    return failure(207, {"MSH", 1}, "internal error while parsing");
  }
}

// ---------------------------------------------------------------------------------------------
// Building

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t next = text.find(separator, start);
    if (next == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, next - start));
    start = next + 1;
  }
}

std::string join_components(const std::vector<std::string>& encoded_components,
                            const Delimiters& delimiters) {
  std::size_t count = encoded_components.size();
  while (count > 0 && encoded_components[count - 1].empty()) --count;
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out.push_back(delimiters.component);
    out += encoded_components[i];
  }
  return out;
}

std::string build_segment(std::string_view id, const std::vector<std::string>& encoded_fields,
                          const Delimiters& delimiters) {
  std::size_t count = encoded_fields.size();
  while (count > 0 && encoded_fields[count - 1].empty()) --count;
  std::string out(id);
  if (id == "MSH") {
    out.push_back(delimiters.field);
    out += delimiters.encoding_characters();
  }
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(delimiters.field);
    out += encoded_fields[i];
  }
  return out;
}

}  // namespace explainer::hl7v2

#include "hl7v2/ack.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace explainer::hl7v2 {
namespace {

const core::Clock& clock_of(const AckRequest& request) {
  return request.clock ? *request.clock : core::SystemClock::instance();
}

char severity_code(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return 'E';
    case Severity::kWarning:
      return 'W';
    case Severity::kInformation:
      return 'I';
    case Severity::kFatal:
      return 'F';
  }
  return 'E';
}

// Minor version number of "2.x[.y]"; -1 when not of that form.
int minor_version(std::string_view version) {
  if (version.size() < 3 || version.substr(0, 2) != "2.") return -1;
  int minor = 0;
  std::size_t i = 2;
  for (; i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])); ++i) {
    minor = minor * 10 + (version[i] - '0');
    if (minor > 1000) return -1;
  }
  return i == 2 ? -1 : minor;
}

bool has_erl(std::string_view version) {
  const int minor = minor_version(version);
  return minor < 0 || minor >= 5;  // unknown versions: the current layout
}

bool msh9_has_structure(std::string_view version) {
  if (version == "2.3" || version == "2.2" || version == "2.1") return false;
  const int minor = minor_version(version);
  return minor < 0 || minor >= 3;
}

struct AckHeaderParts {
  std::string sending_app, sending_facility, receiving_app, receiving_facility;
  std::string trigger, control_id_acked, processing_id, version, charset;
  std::string version_number;  // first component of MSH-12, decides the ACK layout
};

std::string build_from_parts(const AckHeaderParts& parts, AckMode mode, const AckRequest& request,
                             const Delimiters& d, Charset charset) {
  const core::Clock& clock = clock_of(request);
  auto enc = [&](std::string_view text) { return encode_text(text, d, charset); };
  const std::string control_id =
      request.control_id.empty() ? generate_control_id(clock) : enc(request.control_id);
  const std::string timestamp =
      request.timestamp.empty() ? hl7_timestamp(clock) : enc(request.timestamp);

  std::string msh9 = "ACK";
  if (!parts.trigger.empty()) {
    msh9 += std::string(1, d.component) + parts.trigger;
    if (msh9_has_structure(parts.version_number)) msh9 += std::string(1, d.component) + "ACK";
  }
  std::vector<std::string> msh(16);  // MSH-3 .. MSH-18
  msh[0] = parts.receiving_app;
  msh[1] = parts.receiving_facility;
  msh[2] = parts.sending_app;
  msh[3] = parts.sending_facility;
  msh[4] = timestamp;
  msh[6] = msh9;
  msh[7] = control_id;
  msh[8] = parts.processing_id;
  msh[9] = parts.version;
  if (mode == AckMode::kEnhanced) msh[12] = msh[13] = "NE";
  msh[15] = parts.charset;

  std::string text = request.text;
  if (text.empty() && !request.errors.empty()) text = request.errors.front().user_message;

  std::string out = build_segment("MSH", msh, d);
  out.push_back('\r');
  out +=
      build_segment("MSA", {ack_code(mode, request.status), parts.control_id_acked, enc(text)}, d);
  out.push_back('\r');
  for (const AckError& error : request.errors) {
    const std::string code = std::to_string(error.code);
    const std::string code_text = error_code_text(error.code);
    if (has_erl(parts.version_number)) {
      std::vector<std::string> fields(8);
      fields[1] = error.location.segment.empty() ? "" : error.location.format(d.component);
      fields[2] = join_components({code, code_text, "HL70357"}, d);
      fields[3] = std::string(1, severity_code(error.severity));
      fields[7] = enc(error.user_message);
      out += build_segment("ERR", fields, d);
    } else {
      ErrorLocation eld = error.location;
      eld.repetition = eld.component = eld.subcomponent = 0;
      // ERR-1 (ELD): segment^sequence^field^code&text&system; keep the positions fixed.
      std::vector<std::string> parts_eld = {
          eld.segment, eld.segment.empty() ? "" : std::to_string(eld.sequence),
          eld.field ? std::to_string(eld.field) : "",
          code + d.subcomponent + code_text + d.subcomponent + "HL70357"};
      out += build_segment("ERR", {join_components(parts_eld, d)}, d);
    }
    out.push_back('\r');
  }
  return out;
}

std::string sanitize_salvaged(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (out.size() >= 64) break;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '.' || c == '_' ||
        c == '-') {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

const char* error_code_text(int code) {
  switch (code) {
    case 0:
      return "Message accepted";
    case 100:
      return "Segment sequence error";
    case 101:
      return "Required field missing";
    case 102:
      return "Data type error";
    case 103:
      return "Table value not found";
    case 104:
      return "Value too long";
    case 200:
      return "Unsupported message type";
    case 201:
      return "Unsupported event code";
    case 202:
      return "Unsupported processing id";
    case 203:
      return "Unsupported version id";
    case 204:
      return "Unknown key identifier";
    case 205:
      return "Duplicate key identifier";
    case 206:
      return "Application record locked";
    case 207:
      return "Application internal error";
    default:
      return "";
  }
}

AckMode ack_mode(const Message& message) {
  const MessageHeader& h = message.header();
  return h.accept_ack_type.empty() && h.application_ack_type.empty() ? AckMode::kOriginal
                                                                     : AckMode::kEnhanced;
}

bool ack_wanted(const Message& message, AckStatus status) {
  if (ack_mode(message) == AckMode::kOriginal) return true;
  const std::string& type = message.header().accept_ack_type;
  if (type == "NE") return false;
  if (type == "ER") return status != AckStatus::kAccept;
  if (type == "SU") return status == AckStatus::kAccept;
  return true;
}

bool application_ack_requested(const Message& message) {
  if (ack_mode(message) == AckMode::kOriginal) return false;
  const std::string& type = message.header().application_ack_type;
  return !type.empty() && type != "NE";
}

const char* ack_code(AckMode mode, AckStatus status) {
  const bool enhanced = mode == AckMode::kEnhanced;
  switch (status) {
    case AckStatus::kAccept:
      return enhanced ? "CA" : "AA";
    case AckStatus::kError:
      return enhanced ? "CE" : "AE";
    case AckStatus::kReject:
      return enhanced ? "CR" : "AR";
  }
  return "AR";
}

std::string build_ack(const Message& incoming, const AckRequest& request) {
  const Segment msh = incoming.segment(0);
  AckHeaderParts parts;
  parts.sending_app = std::string(msh.raw(3));
  parts.sending_facility = std::string(msh.raw(4));
  parts.receiving_app = std::string(msh.raw(5));
  parts.receiving_facility = std::string(msh.raw(6));
  parts.trigger = std::string(msh.raw(9, 1, 2));
  parts.control_id_acked = std::string(msh.raw(10));
  parts.processing_id = std::string(msh.raw(11));
  parts.version = std::string(msh.raw(12));
  parts.charset = std::string(msh.raw(18));
  parts.version_number = std::string(msh.raw(12, 1, 1));
  return build_from_parts(parts, ack_mode(incoming), request, incoming.delimiters(),
                          incoming.charset());
}

std::string build_ack_for_unparsed(std::string_view received, const AckRequest& request) {
  AckHeaderParts parts;
  if (received.substr(0, 3) == "\xEF\xBB\xBF") received.remove_prefix(3);
  if (received.substr(0, 4) == "MSH|") {
    const std::size_t line_end = std::min(received.find_first_of("\r\n"), received.size());
    const std::vector<std::string_view> f = split(received.substr(0, line_end), '|');
    auto field = [&f](std::size_t n) { return n - 1 < f.size() ? f[n - 1] : std::string_view{}; };
    auto first_component = [](std::string_view v) { return v.substr(0, v.find('^')); };
    parts.sending_app = sanitize_salvaged(first_component(field(3)));
    parts.sending_facility = sanitize_salvaged(first_component(field(4)));
    parts.receiving_app = sanitize_salvaged(first_component(field(5)));
    parts.receiving_facility = sanitize_salvaged(first_component(field(6)));
    const std::string_view msh9 = field(9);
    const std::vector<std::string_view> type = split(msh9, '^');
    if (type.size() > 1) parts.trigger = sanitize_salvaged(type[1]);
    parts.control_id_acked = sanitize_salvaged(field(10));
    parts.processing_id = sanitize_salvaged(first_component(field(11)));
    parts.version = sanitize_salvaged(first_component(field(12)));
    parts.version_number = parts.version;
  }
  return build_from_parts(parts, AckMode::kOriginal, request, Delimiters{}, Charset::kAscii);
}

std::string generate_control_id(const core::Clock& clock) {
  static std::atomic<unsigned> counter{0};
  const unsigned n = counter.fetch_add(1, std::memory_order_relaxed) % 10000;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "A%013lld%04u",
                static_cast<long long>(clock.now_unix_ms() % 10000000000000LL), n);
  return buffer;
}

std::string hl7_timestamp(const core::Clock& clock) {
  const std::time_t seconds = static_cast<std::time_t>(clock.now_unix_ms() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S+0000", &utc);
  return buffer;
}

}  // namespace explainer::hl7v2

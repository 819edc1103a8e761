#include "hl7v2/escape.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace explainer::hl7v2 {
namespace {

constexpr int kMaxRepeat = 100;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses the optional count after a formatting command (".sp 2", ".sk3"); default 1.
// Returns -1 when the argument is present but not a plain (optionally signed) number.
int parse_count(std::string_view arg, int fallback) {
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  if (arg.empty()) return fallback;
  if (arg.front() == '+' || arg.front() == '-') arg.remove_prefix(1);
  if (arg.empty()) return -1;
  int value = 0;
  for (char c : arg) {
    if (c < '0' || c > '9') return -1;
    value = std::min(value * 10 + (c - '0'), kMaxRepeat);
  }
  return value;
}

// Expands one escape body (text between the escape characters). Returns false when the
// sequence is not one we interpret, so the caller copies it verbatim.
bool expand(std::string_view body, const Delimiters& d, std::string& out) {
  if (body.size() == 1) {
    switch (body[0]) {
      case 'F':
        out.push_back(d.field);
        return true;
      case 'S':
        out.push_back(d.component);
        return true;
      case 'T':
        out.push_back(d.subcomponent);
        return true;
      case 'R':
        out.push_back(d.repetition);
        return true;
      case 'E':
        out.push_back(d.escape);
        return true;
      case 'P':
        if (!d.truncation) return false;
        out.push_back(*d.truncation);
        return true;
      case 'H':
      case 'N':
        return true;
      default:
        return false;
    }
  }
  if (body.size() >= 3 && body[0] == 'X') {
    const std::string_view hex = body.substr(1);
    if (hex.size() % 2 != 0) return false;
    for (char c : hex) {
      if (hex_value(c) < 0) return false;
    }
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      out.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
    }
    return true;
  }
  if (body.size() >= 3 && body[0] == '.') {
    const std::string_view command = body.substr(1, 2);
    const std::string_view arg = body.substr(3);
    if (command == "br" && arg.empty()) {
      out.push_back('\n');
      return true;
    }
    if (command == "ce" && arg.empty()) {
      out.push_back('\n');
      return true;
    }
    if ((command == "fi" || command == "nf") && arg.empty()) return true;
    if (command == "sp" || command == "sk" || command == "in" || command == "ti") {
      const int count = parse_count(arg, 1);
      if (count < 0) return false;
      if (command == "sp") out.append(static_cast<std::size_t>(std::max(count, 1)), '\n');
      if (command == "sk") out.append(static_cast<std::size_t>(count), ' ');
      return true;
    }
  }
  return false;
}

}  // namespace

std::string unescape(std::string_view raw, const Delimiters& d) {
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != d.escape) {
      // Copy the run up to the next escape character at once.
      const std::size_t next = std::min(raw.find(d.escape, i), raw.size());
      out.append(raw.substr(i, next - i));
      i = next;
      continue;
    }
    const std::size_t close = raw.find(d.escape, i + 1);
    if (close == std::string_view::npos) {
      out.append(raw.substr(i));
      break;
    }
    const std::string_view body = raw.substr(i + 1, close - i - 1);
    if (!expand(body, d, out)) out.append(raw.substr(i, close - i + 1));
    i = close + 1;
  }
  return out;
}

std::string decode_text(std::string_view raw, const Delimiters& delimiters, Charset charset) {
  // Without an escape character unescape() is the identity: skip its copy.
  if (raw.find(delimiters.escape) == std::string_view::npos) return to_utf8(raw, charset);
  return to_utf8(unescape(raw, delimiters), charset);
}

std::string encode_text(std::string_view utf8, const Delimiters& d, Charset charset,
                        const EncodeOptions& options, bool* lossy) {
  const std::string bytes = from_utf8(utf8, charset, lossy);
  auto escape_seq = [&d](std::string_view body) {
    std::string seq(1, d.escape);
    seq.append(body);
    seq.push_back(d.escape);
    return seq;
  };
  // Bytes that need the branch chain below; every other byte is copied as is, a run at a time.
  std::array<bool, 256> special{};
  for (int c = 0; c < 0x20; ++c) special[static_cast<std::size_t>(c)] = true;
  special[0x7F] = true;
  for (const char c : {d.escape, d.field, d.component, d.subcomponent, d.repetition}) {
    special[static_cast<unsigned char>(c)] = true;
  }
  if (d.truncation) special[static_cast<unsigned char>(*d.truncation)] = true;

  std::string out;
  out.reserve(bytes.size() + 16);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::size_t run_end = i;
    while (run_end < bytes.size() && !special[static_cast<unsigned char>(bytes[run_end])])
      ++run_end;
    if (run_end > i) {
      out.append(bytes, i, run_end - i);
      i = run_end - 1;
      continue;
    }
    const char c = bytes[i];
    if (c == d.escape) {
      out += escape_seq("E");
    } else if (c == d.field) {
      out += escape_seq("F");
    } else if (c == d.component) {
      out += escape_seq("S");
    } else if (c == d.subcomponent) {
      out += escape_seq("T");
    } else if (c == d.repetition) {
      out += escape_seq("R");
    } else if (d.truncation && c == *d.truncation) {
      out += escape_seq("P");
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
      out += options.line_breaks_as_br ? escape_seq(".br") : std::string(" ");
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace explainer::hl7v2

#include "hl7v2/charset.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace explainer::hl7v2 {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string normalise_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ' || c == '\t' || c == '-' || c == '_') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one UTF-8 sequence at bytes[i]. Returns its length, or 0 when it is invalid
// (overlong, surrogate, > U+10FFFF, truncated or a stray continuation byte).
std::size_t decode_one(std::string_view bytes, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(bytes[i]);
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > bytes.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(bytes[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Index of the first byte >= 0x80 at or after `i`, or bytes.size(); eight bytes at a time.
std::size_t ascii_run_end(std::string_view bytes, std::size_t i) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  while (i + 8 <= bytes.size()) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, sizeof word);
    if ((word & kHighBits) != 0) break;
    i += 8;
  }
  while (i < bytes.size() && static_cast<unsigned char>(bytes[i]) < 0x80) ++i;
  return i;
}

}  // namespace

CharsetInfo charset_from_msh18(std::string_view msh18) {
  const std::string name = normalise_name(msh18);
  if (name.empty() || name == "UNICODEUTF8" || name == "UTF8" || name == "UNICODE") {
    return {Charset::kUtf8, true};
  }
  if (name == "8859/1" || name == "ISO8859/1" || name == "ISO88591" || name == "ISOIR100" ||
      name == "LATIN1") {
    return {Charset::kLatin1, true};
  }
  if (name == "ASCII" || name == "ISOIR6" || name == "USASCII") return {Charset::kAscii, true};
  return {Charset::kUtf8, false};
}

const char* to_string(Charset charset) {
  switch (charset) {
    case Charset::kUtf8:
      return "UTF-8";
    case Charset::kLatin1:
      return "ISO-8859-1";
    case Charset::kAscii:
      return "ASCII";
  }
  return "UTF-8";
}

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    // ASCII is always valid UTF-8: copy a whole run at once (most report text is ASCII).
    std::size_t run_end = ascii_run_end(bytes, i);
    if (run_end > i) {
      out.append(bytes.substr(i, run_end - i));
      i = run_end;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t len = decode_one(bytes, i, cp);
    if (len == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(bytes.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string to_utf8(std::string_view bytes, Charset charset) {
  if (charset != Charset::kLatin1) return sanitize_utf8(bytes);
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char c : bytes) append_code_point(out, static_cast<unsigned char>(c));
  return out;
}

std::string from_utf8(std::string_view utf8, Charset charset, bool* lossy) {
  if (lossy) *lossy = false;
  if (charset == Charset::kUtf8) {
    std::string out = sanitize_utf8(utf8);
    if (lossy && out != utf8) *lossy = true;
    return out;
  }
  const std::uint32_t max = charset == Charset::kLatin1 ? 0xFF : 0x7F;
  std::string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::uint32_t cp = 0;
    const std::size_t len = decode_one(utf8, i, cp);
    if (len == 0 || cp > max) {
      out.push_back('?');
      if (lossy) *lossy = true;
      i += std::max<std::size_t>(len, 1);
    } else {
      out.push_back(static_cast<char>(cp));
      i += len;
    }
  }
  return out;
}

}  // namespace explainer::hl7v2

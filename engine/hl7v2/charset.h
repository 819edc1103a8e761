// Character sets named in MSH-18 (HL7 table 0211) and conversion of message bytes to UTF-8.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace explainer::hl7v2 {

enum class Charset {
  kUtf8,    // "UNICODE UTF-8" and the default when MSH-18 is empty
  kLatin1,  // "8859/1"
  kAscii,   // "ASCII", "ISO IR6": decoded like UTF-8 (bytes >= 0x80 are tolerated)
};

struct CharsetInfo {
  Charset charset = Charset::kUtf8;
  bool recognised = true;  // false: MSH-18 named a set we do not support; treated as UTF-8
};

// Maps the first repetition of MSH-18 (raw text, surrounding blanks ignored, case-insensitive).
CharsetInfo charset_from_msh18(std::string_view msh18);

const char* to_string(Charset charset);

// Converts bytes in `charset` to valid UTF-8. Invalid UTF-8 sequences (in kUtf8/kAscii input)
// become U+FFFD. Never throws except std::bad_alloc.
std::string to_utf8(std::string_view bytes, Charset charset);

// Converts valid or invalid UTF-8 to bytes in `charset`. Characters the target cannot represent
// become '?'; `lossy` (if given) is set to true when that happened.
std::string from_utf8(std::string_view utf8, Charset charset, bool* lossy = nullptr);

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

}  // namespace explainer::hl7v2

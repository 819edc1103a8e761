// ER7 escape sequences: decoding received text to plain UTF-8 and encoding UTF-8 text for a
// message's delimiters and character set. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "hl7v2/charset.h"
#include "hl7v2/delimiters.h"

namespace explainer::hl7v2 {

// Replaces escape sequences in `raw` (bytes in the message charset) and returns bytes in the
// same charset (call to_utf8 afterwards, or use decode_text):
//   \F\ \S\ \T\ \R\ \E\ (and \P\ when the message has a truncation character) -> the delimiter;
//   \H\ \N\ (highlighting) -> removed; \.br\ -> "\n"; \.sp\ / \.sp N\ -> N newlines (N capped
//   at 100); \.ce\ -> "\n"; \.sk N\ -> N spaces (capped); \.fi\ \.nf\ \.in N\ \.ti N\ -> removed;
//   \Xhh...\ -> the bytes (odd or non-hex digits: passed through verbatim).
// Anything else (\Z..\, \C..\, \M..\, unknown, or an escape without closing escape character)
// is copied verbatim. Never throws except std::bad_alloc; linear in the input size.
std::string unescape(std::string_view raw, const Delimiters& delimiters);

// unescape() followed by to_utf8(): decoded text as UTF-8, invalid bytes as U+FFFD.
std::string decode_text(std::string_view raw, const Delimiters& delimiters, Charset charset);

struct EncodeOptions {
  // How line breaks ("\n", "\r\n", "\r") in the text are written. "\\.br\\"-style escape
  // (built from the message's escape character) when true; a single space when false.
  bool line_breaks_as_br = true;
};

// Encodes UTF-8 text as the value of one ER7 field/component/subcomponent: converts to
// `charset` (unrepresentable characters become '?', `lossy` set), escapes the escape character
// first, then every other delimiter, writes line breaks per `options`, and replaces other ASCII
// control characters with a space. The result never contains a CR or LF.
std::string encode_text(std::string_view utf8, const Delimiters& delimiters, Charset charset,
                        const EncodeOptions& options = {}, bool* lossy = nullptr);

}  // namespace explainer::hl7v2

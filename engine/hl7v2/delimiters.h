// ER7 delimiters of one message, read from MSH-1 and MSH-2.
#pragma once

#include <optional>
#include <string>

namespace explainer::hl7v2 {

struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  // v2.7+ fifth MSH-2 character; absent in older messages.
  std::optional<char> truncation;

  // MSH-2 as it would be written: component, repetition, escape, subcomponent[, truncation].
  std::string encoding_characters() const {
    std::string out{component, repetition, escape, subcomponent};
    if (truncation) out.push_back(*truncation);
    return out;
  }
  bool is_delimiter(char c) const {
    return c == field || c == component || c == repetition || c == escape || c == subcomponent ||
           (truncation && c == *truncation);
  }
};

}  // namespace explainer::hl7v2

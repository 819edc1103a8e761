// Small ASCII string helpers shared by the rule loader (internal to engine/matching).
#pragma once

#include <string>
#include <string_view>

namespace explainer::matching::detail {

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}
inline std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}
inline std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

inline bool is_comment_key(std::string_view key) {
  return key.starts_with("_") || key == "comment" || key == "note" || key == "notes" ||
         key == "description";
}

}  // namespace explainer::matching::detail

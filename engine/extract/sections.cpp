#include "extract/sections.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace explainer::extract {
namespace {

// Headings that end an impression even when not written in capitals.
constexpr std::array<std::string_view, 26> kKnownHeadings = {"FINDINGS",
                                                             "FINDING",
                                                             "RECOMMENDATION",
                                                             "RECOMMENDATIONS",
                                                             "COMMENT",
                                                             "COMMENTS",
                                                             "ADDENDUM",
                                                             "HISTORY",
                                                             "CLINICAL HISTORY",
                                                             "INDICATION",
                                                             "INDICATIONS",
                                                             "TECHNIQUE",
                                                             "COMPARISON",
                                                             "COMPARISONS",
                                                             "EXAM",
                                                             "EXAMINATION",
                                                             "PROCEDURE",
                                                             "NOTE",
                                                             "NOTES",
                                                             "FOLLOW-UP",
                                                             "FOLLOW UP",
                                                             "CLINICAL INFORMATION",
                                                             "REASON FOR EXAM",
                                                             "DISCUSSION",
                                                             "SUMMARY",
                                                             "CONTRAST"};

constexpr std::array<std::string_view, 4> kImpressionHeadings = {"IMPRESSION", "IMPRESSIONS",
                                                                 "CONCLUSION", "CONCLUSIONS"};

constexpr std::array<std::string_view, 8> kSignaturePrefixes = {
    "electronically signed", "signed electronically", "signed by", "dictated by",
    "transcribed by",        "report electronically", "dictated:", "signed:"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string upper_collapsed(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Splits "NAME: rest" when NAME is 1-40 characters of letters, spaces, '/', '&', '-'.
bool split_heading(std::string_view line, std::string_view& name, std::string_view& rest) {
  line = trim(line);
  // A colon past position 40 does not make a heading: look no further.
  const std::size_t colon = line.substr(0, 41).find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 40) return false;
  name = line.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != ' ' && c != '/' && c != '&' &&
        c != '-') {
      return false;
    }
  }
  rest = trim(line.substr(colon + 1));
  return true;
}

}  // namespace

bool is_impression_header(std::string_view line, std::string_view* rest) {
  std::string_view name, after;
  if (!split_heading(line, name, after)) return false;
  const std::string key = upper_collapsed(name);
  if (std::find(kImpressionHeadings.begin(), kImpressionHeadings.end(), key) ==
      kImpressionHeadings.end()) {
    return false;
  }
  if (rest) *rest = after;
  return true;
}

bool is_section_header(std::string_view line, std::string_view* rest) {
  std::string_view name, after;
  if (!split_heading(line, name, after)) return false;
  const std::string key = upper_collapsed(name);
  bool heading =
      std::find(kKnownHeadings.begin(), kKnownHeadings.end(), key) != kKnownHeadings.end() ||
      std::find(kImpressionHeadings.begin(), kImpressionHeadings.end(), key) !=
          kImpressionHeadings.end();
  if (!heading) {
    const auto letters = std::count_if(name.begin(), name.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c));
    });
    const bool all_caps = std::none_of(name.begin(), name.end(), [](char c) {
      return std::islower(static_cast<unsigned char>(c));
    });
    heading = all_caps && letters >= 4;
  }
  if (heading && rest) *rest = after;
  return heading;
}

bool is_signature_line(std::string_view line) {
  line = trim(line);
  std::array<char, 32> buffer{};  // the first 32 characters, lower-cased (no allocation)
  const std::string_view head = line.substr(0, buffer.size());
  for (std::size_t i = 0; i < head.size(); ++i) {
    buffer[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(head[i])));
  }
  const std::string_view lower(buffer.data(), head.size());
  return std::any_of(kSignaturePrefixes.begin(), kSignaturePrefixes.end(),
                     [lower](std::string_view p) { return lower.substr(0, p.size()) == p; });
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

std::string impression_section(const std::vector<std::string>& lines) {
  std::vector<std::string> sections;
  std::size_t i = 0;
  while (i < lines.size()) {
    std::string_view first;
    if (!is_impression_header(lines[i], &first)) {
      ++i;
      continue;
    }
    std::vector<std::string_view> body;
    if (!first.empty()) body.push_back(first);
    for (++i; i < lines.size(); ++i) {
      if (is_section_header(lines[i]) || is_signature_line(lines[i])) break;
      std::string_view line = lines[i];
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
        line.remove_suffix(1);
      }
      body.push_back(line);
    }
    std::size_t first_line = 0;
    std::size_t end_line = body.size();
    while (first_line < end_line && trim(body[first_line]).empty()) ++first_line;
    while (end_line > first_line && trim(body[end_line - 1]).empty()) --end_line;
    std::string text;
    for (std::size_t k = first_line; k < end_line; ++k) {
      if (k > first_line) text.push_back('\n');
      text.append(body[k]);
    }
    if (!text.empty()) sections.push_back(std::move(text));
  }
  std::string out;
  for (const std::string& section : sections) {
    if (!out.empty()) out.push_back('\n');
    out += section;
  }
  return out;
}

}  // namespace explainer::extract

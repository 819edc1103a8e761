// Section structure of free-text radiology reports ("FINDINGS:", "IMPRESSION:", ...).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace explainer::extract {

// A section header at the start of a line: one or more words followed by ':'. Recognised when
// the words are a known report heading (case-insensitive: FINDINGS, RECOMMENDATION(S),
// COMMENT(S), ADDENDUM, HISTORY, TECHNIQUE, ...) or are all capitals with at least 4 letters and
// no digits ("CLINICAL HISTORY:", "ADDITIONAL NOTE:"). `rest` receives the text after ':'.
bool is_section_header(std::string_view line, std::string_view* rest = nullptr);

// An impression heading: IMPRESSION(S) or CONCLUSION(S) + ':' in any case.
bool is_impression_header(std::string_view line, std::string_view* rest = nullptr);

// Lines that end a section without being a heading (signature / dictation lines).
bool is_signature_line(std::string_view line);

// Text of every impression section of `lines`, in order: the text after the heading on its
// line plus the following lines up to the next section header, signature line or the end;
// leading/trailing blank lines dropped, trailing blanks trimmed, sections joined with '\n'.
// Empty when there is no impression heading or the sections are empty.
std::string impression_section(const std::vector<std::string>& lines);

// Splits text at '\n' (a trailing '\r' on a line is dropped).
std::vector<std::string> split_lines(std::string_view text);

}  // namespace explainer::extract

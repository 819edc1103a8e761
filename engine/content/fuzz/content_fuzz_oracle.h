// Properties checked by the content Markdown fuzz target and by its regression test, for any
// bytes given to the loader as a content document (front matter + Markdown body):
//  1. parse_document() never throws; it yields a document iff no problem is an error.
//  2. Every problem names the source path, has a reason and a line inside the file (0 = file).
//  3. An accepted document has its eight sections with headings, in increasing line order,
//     and its body is the text after the front matter, as written.
//  4. Its renderings never pass raw HTML or unsafe links through: the HTML fragment holds no
//     <script and no javascript:/data: href; the FHIR narrative is well-formed XML; the
//     HL7 v2 FT rendering holds no delimiter or segment break.
// Returns an empty string when all hold, else the violated property.
#pragma once

#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>
#include <string_view>

#include "content/loader.h"
#include "content/render.h"

namespace explainer::content::fuzz {

inline constexpr std::string_view kFuzzSourcePath = "fuzz/input.md";

inline std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Lines as CommonMark counts them: LF, CRLF and a bare CR each end one.
inline int count_lines(std::string_view text) {
  int lines = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')))
      ++lines;
  }
  return lines;
}

inline bool is_well_formed_xml(const std::string& text) {
  xmlDocPtr doc = xmlReadMemory(text.data(), static_cast<int>(text.size()), "narrative.xml",
                                "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return false;
  xmlFreeDoc(doc);
  return true;
}

inline std::string check_renderings(const ContentDocument& document) {
  const std::string html = lowercase(render_html_fragment(document));
  if (html.find("<script") != std::string::npos)
    return "raw <script> passed into the HTML fragment";
  for (std::string_view scheme : {"href=\"javascript:", "href=\"data:", "href=\"vbscript:"}) {
    if (html.find(scheme) != std::string::npos)
      return "unsafe link in the HTML fragment: " + std::string(scheme);
  }
  const std::string narrative = render_fhir_narrative(document);
  if (!is_well_formed_xml(narrative)) return "FHIR narrative is not well-formed XML";
  const std::string ft = render_plain_text_escaped(document, escape_hl7_default);
  if (ft.find_first_of("|^~&\r\n") != std::string::npos)
    return "HL7 v2 rendering holds a delimiter or line break";
  (void)render_plain_text(document);
  return {};
}

inline std::string check_content_input(std::string_view text) {
  try {
    const LoadResult result = parse_document(text, kFuzzSourcePath);
    const bool has_error = std::any_of(result.problems.begin(), result.problems.end(),
                                       [](const ContentProblem& p) { return p.is_error(); });
    if (result.ok() == has_error) return "document present iff no error problem: broken";
    const int lines = count_lines(text);
    for (const ContentProblem& problem : result.problems) {
      if (problem.file != kFuzzSourcePath) return "problem without the source path";
      if (problem.reason.empty()) return "problem without a reason";
      if (problem.line < 0 || problem.line > lines + 1) {
        return "problem line " + std::to_string(problem.line) + " outside the file";
      }
    }
    if (!result.ok()) return {};
    const ContentDocument& document = *result.document;
    int previous_line = 0;
    for (const Section& section : document.sections) {
      if (section.heading.empty()) return "accepted document with a section without heading";
      if (section.line <= previous_line || section.line > lines)
        return "section lines out of order";
      previous_line = section.line;
    }
    if (text.find(document.body_markdown) == std::string_view::npos)
      return "body is not the text as written";
    return check_renderings(document);
  } catch (const std::exception& e) {
    return std::string("threw: ") + e.what();
  } catch (...) {
    return "threw a non-standard exception";
  }
}

}  // namespace explainer::content::fuzz

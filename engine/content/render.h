// Renderings of one content document for the three places we put it:
//   - a sanitised HTML fragment for portals and the FHIR attachment (text/html);
//   - plain UTF-8 text for HL7 v2 FT/TX, raw or escaped with a caller-supplied escaper;
//   - a FHIR R4 narrative <div> (XHTML valid against fhir-xhtml.xsd).
// Every rendering carries the title and, for drafts, a visible draft note in the
// document's language. Raw HTML in the Markdown is never passed through; links keep only
// http, https and mailto targets.
//
// Pure functions of the document; safe to call from any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "content/document.h"

namespace explainer::content {

// <section class="explainer" lang=".." data-content-id=".." data-version="..">
//   <h2>title</h2> [<p class="explainer-draft" role="note">draft note</p>]
//   body rendered by libcmark in safe mode, headings moved down one level
//   (sections <h3>, questions <h4>)
// </section>
std::string render_html_fragment(const ContentDocument& document);

// Plain text: the title, the draft note for drafts, then each heading, paragraph,
// question and list item ("- " or "1. ", nested items indented by two spaces) on its
// own line, with an empty line between blocks. Lines end with '\n'; no markup remains.
std::string render_plain_text(const ContentDocument& document);

// Escapes one line of text for the target format (e.g. HL7 v2 field text).
using TextEscaper = std::function<std::string(std::string_view)>;

// The plain-text rendering with each line passed through `escape` and lines joined by
// `line_break` (HL7 v2 FT: "\.br\"). No trailing break.
std::string render_plain_text_escaped(const ContentDocument& document, const TextEscaper& escape,
                                      std::string_view line_break = "\\.br\\");

// HL7 v2 escaping for the standard delimiters |^~\&: \ -> \E\, | -> \F\, ^ -> \S\,
// ~ -> \R\, & -> \T\. Also drops CR and LF (segment terminators).
std::string escape_hl7_default(std::string_view text);

// <div xmlns="http://www.w3.org/1999/xhtml" lang=".." xml:lang="..">: title as <h2>,
// draft note, sections as <h3>, questions as <h4>, paragraphs, lists, emphasis, code
// and safe links. Only elements and attributes allowed by FHIR narrative rules.
std::string render_fhir_narrative(const ContentDocument& document);

// XML/HTML text and attribute escaping (&, <, >, "), dropping characters XML forbids.
std::string escape_xml(std::string_view text);

}  // namespace explainer::content

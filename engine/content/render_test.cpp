#include "content/render.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <memory>
#include <string>

#include "content/loader.h"

namespace explainer::content {
namespace {

std::string testdata(const std::string& relative) {
  return std::string(EXPLAINER_SOURCE_DIR) + "/engine/content/testdata/" + relative;
}

ContentDocument load(const std::string& relative) {
  LoadResult result = load_document(testdata(relative));
  EXPECT_TRUE(result.ok()) << relative;
  return result.ok() ? *result.document : ContentDocument{};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---- HTML fragment ---------------------------------------------------------------------

TEST(HtmlFragment, WrapsTitleSectionsAndQuestions) {
  const std::string html = render_html_fragment(load("valid/content/en/bone_spot.md"));
  EXPECT_EQ(html.rfind("<section class=\"explainer\" lang=\"en\" data-content-id=\"bone_spot\" "
                       "data-version=\"1.2.0\">\n<h2>Bone spot (test document)</h2>\n",
                       0),
            0u)
      << html;
  EXPECT_TRUE(contains(html, "<h3>What this finding usually means</h3>"));
  EXPECT_TRUE(contains(html, "<h4>Is this serious?</h4>\n<p>Often it is not."));
  EXPECT_TRUE(contains(html, "<li>Talk with your care team about the result.</li>"));
  EXPECT_TRUE(html.ends_with("</section>\n"));
}

TEST(HtmlFragment, MarksDraftsInTheirLanguage) {
  const std::string draft = render_html_fragment(load("valid/content/en/bone_spot.md"));
  EXPECT_TRUE(contains(draft,
                       "<p class=\"explainer-draft\" role=\"note\"><strong>Draft content "
                       "\xE2\x80\x94 not yet reviewed by a clinician</strong></p>"));
  const std::string approved = render_html_fragment(load("valid/content/es/bone_spot.md"));
  EXPECT_FALSE(contains(approved, "explainer-draft"));
  EXPECT_TRUE(contains(approved, "lang=\"es\""));

  ContentDocument spanish_draft = load("valid/content/es/bone_spot.md");
  spanish_draft.review_status = ReviewStatus::kDraft;
  EXPECT_TRUE(contains(render_html_fragment(spanish_draft), "Contenido en borrador"));
}

TEST(HtmlFragment, DropsRawHtmlUnsafeLinksAndImages) {
  const std::string html = render_html_fragment(load("render/features.md"));
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_FALSE(contains(html, "<b>"));
  EXPECT_FALSE(contains(html, "onclick"));
  EXPECT_FALSE(contains(html, "raw HTML omitted"));
  EXPECT_FALSE(contains(html, "javascript:"));
  EXPECT_FALSE(contains(html, "href=\"/local\""));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_TRUE(contains(html, "<a href=\"https://example.org/a?b=1&amp;c=2\">safe link</a>"));
  EXPECT_TRUE(contains(html, "An unsafe link and a relative link keep only their text."));
  EXPECT_TRUE(
      contains(html, "<h2>Tricky | title ^ with ~ HL7 \\ delimiters &amp; &lt;markup&gt;</h2>"));
  EXPECT_TRUE(contains(html, "5 &lt; 6 &gt; 4 &amp; &quot;quotes&quot;"));
}

// ---- plain text and HL7 ----------------------------------------------------------------

TEST(PlainText, HeadingsParagraphsListsAndQuestionsAsLines) {
  const std::string text = render_plain_text(load("render/features.md"));
  const std::string expected_start =
      "Tricky | title ^ with ~ HL7 \\ delimiters & <markup>\n"
      "\n"
      "What this finding usually means\n"
      "\n"
      "Text with emphasis, strong, code and a safe link. An unsafe link and a relative link "
      "keep only their text. A hard break follows here. Symbols: 5 < 6 > 4 & \"quotes\" | pipe "
      "^ caret ~ tilde \\ backslash.\n"
      "\n"
      "How it may affect movement or daily life\n"
      "\n"
      "- First item\n"
      "  - Nested item\n"
      "- Second item\n"
      "\n"
      "What imaging can and cannot tell\n"
      "\n"
      "3. Third\n"
      "4. Fourth\n"
      "\n"
      "How common it is\n"
      "\n"
      "A quoted paragraph.\n"
      "\n"
      "Common questions\n"
      "\n"
      "Question one?\n"
      "\n"
      "Answer one bold alert(1).\n";
  EXPECT_EQ(text.substr(0, expected_start.size()), expected_start);
  EXPECT_TRUE(text.ends_with("Key takeaway\n\nThe end. Really.\n")) << text;
  EXPECT_TRUE(contains(text, "\ncode block line 1\nline 2\n"));
  EXPECT_FALSE(contains(text, "\r"));
  EXPECT_FALSE(contains(text, "#"));
  EXPECT_FALSE(contains(text, "**"));
}

TEST(PlainText, DraftNoteFollowsTheTitle) {
  const std::string text = render_plain_text(load("valid/content/en/bone_spot.md"));
  EXPECT_EQ(text.rfind("Bone spot (test document)\nDraft content \xE2\x80\x94 not yet reviewed by "
                       "a clinician\n\nWhat this finding usually means\n\nA bone spot is a small "
                       "area that looks different from the bone around it. Many spots are "
                       "harmless. Some need more tests.\n",
                       0),
            0u)
      << text;
}

TEST(Hl7Text, DefaultEscaperHandlesStandardDelimiters) {
  EXPECT_EQ(escape_hl7_default("a|b^c~d\\e&f"), "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f");
  EXPECT_EQ(escape_hl7_default("no specials"), "no specials");
  EXPECT_EQ(escape_hl7_default("cr\rlf\n"), "crlf");
}

TEST(Hl7Text, EscapesEachLineAndJoinsWithBreaks) {
  const ContentDocument document = load("render/features.md");
  const std::string escaped = render_plain_text_escaped(document, escape_hl7_default);
  EXPECT_EQ(escaped.rfind("Tricky \\F\\ title \\S\\ with \\R\\ HL7 \\E\\ delimiters \\T\\ "
                          "<markup>\\.br\\\\.br\\What this finding usually means\\.br\\\\.br\\",
                          0),
            0u)
      << escaped;
  EXPECT_TRUE(contains(escaped, "\\.br\\- First item\\.br\\  - Nested item\\.br\\"));
  EXPECT_TRUE(escaped.ends_with("The end. Really."));
  EXPECT_FALSE(contains(escaped, "\n"));
  EXPECT_FALSE(contains(escaped, "|"));
  EXPECT_FALSE(contains(escaped, "^"));
  EXPECT_FALSE(contains(escaped, "~"));
  EXPECT_FALSE(contains(escaped, "&"));

  // The escaper is applied per line, never to the break sequence.
  int calls = 0;
  const std::string custom = render_plain_text_escaped(
      document,
      [&](std::string_view line) {
        ++calls;
        return "[" + std::string(line) + "]";
      },
      "<BR>");
  EXPECT_EQ(custom.rfind("[Tricky | title ^ with ~ HL7 \\ delimiters & <markup>]<BR>[]<BR>", 0),
            0u);
  std::size_t lines = 1;
  for (char c : render_plain_text(document)) lines += c == '\n';
  EXPECT_EQ(static_cast<std::size_t>(calls), lines - 1);  // the text ends with one '\n'
}

// ---- FHIR narrative --------------------------------------------------------------------

// Validates XML against fhir-xhtml.xsd (copied to tests/fixtures/fhir-schemas/).
class FhirXhtmlSchema : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path =
        std::string(EXPLAINER_SOURCE_DIR) + "/tests/fixtures/fhir-schemas/fhir-xhtml.xsd";
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(path.c_str());
    schema_ = xmlSchemaParse(parser);
    xmlSchemaFreeParserCtxt(parser);
  }
  static void TearDownTestSuite() {
    if (schema_ != nullptr) xmlSchemaFree(schema_);
    schema_ = nullptr;
  }

  // Empty when valid; otherwise the parser's or validator's messages.
  static std::string validate(const std::string& xml) {
    std::string errors;
    if (schema_ == nullptr) return "schema did not load";
    xmlDocPtr doc =
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "narrative.xml", "UTF-8",
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == nullptr) return "not well-formed XML";
    xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(schema_);
    xmlSchemaSetValidStructuredErrors(
        context,
        [](void* user, xmlErrorPtr error) {
          static_cast<std::string*>(user)->append(error && error->message ? error->message : "?");
        },
        &errors);
    const int rc = xmlSchemaValidateDoc(context, doc);
    xmlSchemaFreeValidCtxt(context);
    xmlFreeDoc(doc);
    if (rc != 0 && errors.empty()) errors = "invalid (rc " + std::to_string(rc) + ")";
    return errors;
  }

  static xmlSchemaPtr schema_;
};
xmlSchemaPtr FhirXhtmlSchema::schema_ = nullptr;

TEST_F(FhirXhtmlSchema, RejectsWhatFhirBans) {
  EXPECT_EQ(validate("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>ok</p></div>"), "");
  EXPECT_NE(validate("<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x</script></div>"), "");
  EXPECT_NE(validate("<div xmlns=\"http://www.w3.org/1999/xhtml\"><section>x</section></div>"), "");
  EXPECT_NE(validate("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>unclosed</div>"), "");
}

TEST_F(FhirXhtmlSchema, NarrativesOfTestDocumentsAreValid) {
  for (const char* file :
       {"valid/content/en/bone_spot.md", "valid/content/es/bone_spot.md", "render/features.md"}) {
    const std::string xhtml = render_fhir_narrative(load(file));
    EXPECT_EQ(validate(xhtml), "") << file << "\n" << xhtml;
  }
}

TEST(FhirNarrative, CarriesLanguageTitleDraftNoteAndSafeContentOnly) {
  const std::string draft = render_fhir_narrative(load("valid/content/en/bone_spot.md"));
  EXPECT_EQ(draft.rfind("<div xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">"
                        "<h2>Bone spot (test document)</h2><p class=\"explainer-draft\"><strong>"
                        "Draft content \xE2\x80\x94 not yet reviewed by a clinician</strong></p>"
                        "<h3>What this finding usually means</h3>",
                        0),
            0u)
      << draft;
  EXPECT_TRUE(draft.ends_with("</div>"));

  const std::string features = render_fhir_narrative(load("render/features.md"));
  EXPECT_FALSE(contains(features, "script"));
  EXPECT_FALSE(contains(features, "javascript:"));
  EXPECT_FALSE(contains(features, "<img"));
  EXPECT_FALSE(contains(features, "<b>"));
  EXPECT_TRUE(contains(features, "<ul><li>First item<ul><li>Nested item</li></ul></li>"));
  EXPECT_TRUE(contains(features, "A hard break follows<br/>here."));
  EXPECT_TRUE(contains(features, "<h4>Question <em>one</em>?</h4>"));
}

TEST(EscapeXml, EscapesMarkupAndDropsForbiddenControls) {
  EXPECT_EQ(escape_xml("a<b>&\"c\"\x01\x1F\td"), "a&lt;b&gt;&amp;&quot;c&quot;\td");
}

}  // namespace
}  // namespace explainer::content

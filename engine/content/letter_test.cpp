#include "content/letter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "content/loader.h"
#include "content/readability.h"

namespace explainer::content {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

struct DocSpec {
  std::string id = "bone_spot";
  std::string language = "en";
  std::string title = "Bone spot";
  std::string status = "approved";
  std::vector<std::string> questions = {"Is this serious?", "What happens next?"};
  std::string care =
      "Contact your care team if pain gets worse. Get emergency care if you "
      "cannot move your legs.";
  std::string meaning = "A bone spot is a small area that looks different on the scan.";
};

ContentDocument make_document(const DocSpec& spec) {
  const bool es = spec.language == "es";
  const std::vector<std::string> headings =
      es ? std::vector<std::string>{"Qué suele significar este hallazgo",
                                    "Cómo puede afectar al movimiento y a la vida diaria",
                                    "Qué pueden mostrar las imágenes y qué no",
                                    "Qué tan frecuente es",
                                    "Preguntas frecuentes",
                                    "Opciones de recuperación y apoyo",
                                    "Cuándo buscar atención médica",
                                    "Idea principal"}
         : std::vector<std::string>{"What this finding usually means",
                                    "How it may affect movement or daily life",
                                    "What imaging can and cannot tell",
                                    "How common it is",
                                    "Common questions",
                                    "Recovery and support options",
                                    "When to seek medical care",
                                    "Key takeaway"};
  std::string text = "---\ncontent_id: " + spec.id + "\nfindings: [" + spec.id +
                     "]\nlanguage: " + spec.language + "\ntitle: \"" + spec.title +
                     "\"\nversion: 1.2.0\nsensitivity: routine\nreview_status: " + spec.status +
                     "\nreviewer: \"" + (spec.status == "draft" ? "" : "Dr Test, radiologist") +
                     "\"\nreview_date: \"" + (spec.status == "draft" ? "" : "2026-11-01") +
                     "\"\nlast_updated: 2026-11-01\nsources:\n  - \"Test source\"\n---\n\n";
  for (std::size_t i = 0; i < headings.size(); ++i) {
    text += "## " + headings[i] + "\n\n";
    if (i == 0) {
      text += spec.meaning + "\n\n";
    } else if (i == kQuestionsSection) {
      for (const std::string& q : spec.questions) text += "### " + q + "\n\nAn answer.\n\n";
    } else if (i == kCareSection) {
      text += spec.care + "\n\n";
    } else if (i == kSectionCount - 1) {
      text += "The takeaway of " + spec.id + ".\n\n";
    } else {
      text += "Section " + std::to_string(i + 1) + " text.\n\n";
    }
  }
  LoadResult result = parse_document(text, spec.id + ".md");
  EXPECT_TRUE(result.ok()) << (result.problems.empty() ? "" : format_problem(result.problems[0]));
  return result.ok() ? *result.document : ContentDocument{};
}

TEST(Letter, IsACompleteSelfContainedPage) {
  const ContentDocument doc = make_document({});
  LetterInput input;
  input.study_name = "MRI LUMBAR SPINE";
  input.study_datetime = "20250314081500";
  input.language = "en";
  input.documents = {{&doc, false}};
  const std::string html = render_letter(input);

  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
  EXPECT_TRUE(contains(html, "<meta charset=\"utf-8\">"));
  EXPECT_TRUE(contains(html, "Content-Security-Policy\" content=\"default-src 'none'"));
  EXPECT_TRUE(contains(html, "@media print"));
  EXPECT_TRUE(contains(html, "<h1>About your imaging report</h1>"));
  EXPECT_TRUE(contains(html, "<dd>MRI LUMBAR SPINE</dd>"));
  EXPECT_TRUE(contains(html, "<dd>March 14, 2025</dd>"));
  EXPECT_TRUE(contains(html, "It gives general information, not a diagnosis."));
  EXPECT_TRUE(contains(html, "does not replace your care team"));
  // Nothing is loaded or run.
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<link"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "src="));
  EXPECT_FALSE(contains(html, "url("));
  EXPECT_EQ(render_letter(input), html);  // deterministic
}

TEST(Letter, ShowsEachExplanationWithTakeawayFirstAndCareSeparately) {
  const ContentDocument doc = make_document({});
  LetterInput input;
  input.documents = {{&doc, false}};
  const std::string html = render_letter(input);

  EXPECT_TRUE(
      contains(html, "<section class=\"explainer\" lang=\"en\" data-content-id=\"bone_spot\""));
  EXPECT_TRUE(contains(html, "<h2>Bone spot</h2>"));
  const auto takeaway = html.find("<h3>Key takeaway</h3>");
  const auto meaning = html.find("<h3>What this finding usually means</h3>");
  ASSERT_NE(takeaway, std::string::npos);
  ASSERT_NE(meaning, std::string::npos);
  EXPECT_LT(takeaway, meaning);
  // Section 7 appears once, in the shared care block, under the document title.
  EXPECT_FALSE(contains(html, "<h3>When to seek medical care</h3>"));
  EXPECT_EQ(count_of(html, "Get emergency care if you cannot move your legs."), 1u);
  const auto care = html.find("<h2>When to get medical care</h2>");
  ASSERT_NE(care, std::string::npos);
  EXPECT_LT(care, html.find("Get emergency care if you cannot move your legs."));
  EXPECT_TRUE(contains(html, "<section class=\"care-item\" lang=\"en\">\n<h3>Bone spot</h3>"));
  // One explanation: no list of contents.
  EXPECT_FALSE(contains(html, "What this letter explains"));
}

TEST(Letter, CollectsQuestionsOnceAcrossDocuments) {
  DocSpec first;
  first.questions = {"Is this serious?", "Do I need another scan?"};
  DocSpec second;
  second.id = "disc_spot";
  second.title = "Disc spot";
  second.questions = {"is this  serious", "Will it get worse?"};
  const ContentDocument a = make_document(first);
  const ContentDocument b = make_document(second);
  LetterInput input;
  input.documents = {{&a, false}, {&b, false}};
  const std::string html = render_letter(input);

  const auto list = html.find("<h2>Questions you may want to ask your care team</h2>");
  ASSERT_NE(list, std::string::npos);
  const std::string tail = html.substr(list);
  EXPECT_TRUE(contains(tail,
                       "<li>Is this serious?</li>\n<li>Do I need another scan?</li>\n"
                       "<li>Will it get worse?</li>\n</ul>"))
      << tail;
  EXPECT_FALSE(contains(tail, "<li>is this  serious</li>"));
  // Both explanations are listed, shown and named in the footer.
  EXPECT_TRUE(contains(html, "<li>Bone spot</li>\n<li>Disc spot</li>"));
  EXPECT_TRUE(contains(html,
                       "data-content-id=\"disc_spot\"><span>Disc spot</span>: disc_spot/en, "
                       "version 1.2.0, reviewed by Dr Test, radiologist, 2026-11-01</li>"));
}

TEST(Letter, EscapesEverythingItIsGiven) {
  DocSpec spec;
  spec.title = "Spot <b>&amp; \\\"more\\\"";
  spec.questions = {"Is 1 < 2 & \"ok\"?", "Is <script>alert(1)</script> gone?"};
  spec.meaning = "Text with <img src=x onerror=alert(1)> and [a link](javascript:alert(1)).";
  spec.care = "Call <iframe src=\"http://evil\"></iframe> us. ![pic](http://evil/x.png)";
  const ContentDocument doc = make_document(spec);
  LetterInput input;
  input.study_name = "CT <HEAD> & \"NECK\"";
  input.notes = {"Note with <tags> & ampersands"};
  input.documents = {{&doc, false}};
  const std::string html = render_letter(input);

  EXPECT_TRUE(contains(html, "<dd>CT &lt;HEAD&gt; &amp; &quot;NECK&quot;</dd>"));
  EXPECT_TRUE(contains(html, "Note with &lt;tags&gt; &amp; ampersands</p>"));
  EXPECT_TRUE(contains(html, "<h2>Spot &lt;b&gt;&amp;amp; &quot;more&quot;</h2>"));
  EXPECT_TRUE(contains(html, "<li>Is 1 &lt; 2 &amp; &quot;ok&quot;?</li>"));
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "<iframe"));
  EXPECT_FALSE(contains(html, "javascript:"));
  EXPECT_FALSE(contains(html, "http://evil"));
  EXPECT_FALSE(contains(html, "<b>"));
}

TEST(Letter, UsesSpanishStringsAndDates) {
  DocSpec spec;
  spec.language = "es";
  spec.id = "atelectasis";
  spec.title = "Una zona del pulmón con menos aire";
  spec.questions = {"¿Es grave?", "¿Qué pasa ahora?"};
  spec.care =
      "Hable con su equipo médico si tiene fiebre. Busque atención de urgencia si le "
      "falta mucho el aire.";
  const ContentDocument doc = make_document(spec);
  LetterInput input;
  input.study_name = "XR CHEST 2 VIEWS";
  input.study_datetime = "20250317080000";
  input.language = "es-MX";
  input.documents = {{&doc, false}};
  const std::string html = render_letter(input);

  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"es\">", 0), 0u);
  EXPECT_TRUE(contains(html, "<title>Sobre su informe de imágenes</title>"));
  EXPECT_TRUE(contains(html, "<h1>Sobre su informe de imágenes</h1>"));
  EXPECT_TRUE(contains(html, "<dt>Estudio:</dt>"));
  EXPECT_TRUE(contains(html, "<dd>17 de marzo de 2025</dd>"));
  EXPECT_TRUE(contains(html, "<h2>Preguntas que puede hacer a su equipo médico</h2>"));
  EXPECT_TRUE(contains(html, "<li>¿Es grave?</li>"));
  EXPECT_TRUE(contains(html, "<h2>Cuándo buscar atención médica</h2>"));
  EXPECT_TRUE(contains(html, "<h3>Idea principal</h3>"));
  EXPECT_TRUE(contains(html, "versión 1.2.0, revisado por Dr Test"));
  EXPECT_FALSE(contains(html, "About your imaging report"));
  EXPECT_FALSE(contains(html, "care team"));
}

TEST(Letter, MarksDraftsAtTheTopAndInTheFooter) {
  DocSpec draft_spec;
  draft_spec.status = "draft";
  const ContentDocument draft = make_document(draft_spec);
  LetterInput input;
  input.documents = {{&draft, false}};
  const std::string html = render_letter(input);
  const auto banner = html.find(
      "class=\"note letter-draft\" role=\"note\"><strong>Draft: some "
      "explanations in this letter have not yet been checked");
  ASSERT_NE(banner, std::string::npos);
  EXPECT_LT(banner, html.find("<section class=\"explainer\""));
  EXPECT_TRUE(contains(html, "class=\"explainer-draft\""));
  EXPECT_TRUE(contains(html, "version 1.2.0, draft, not yet reviewed by a clinician</li>"));

  const ContentDocument approved = make_document({});
  input.documents = {{&approved, false}};
  EXPECT_FALSE(contains(render_letter(input), "letter-draft"));

  input.language = "es";
  input.documents = {{&draft, false}};
  EXPECT_TRUE(
      contains(render_letter(input), "Borrador: un profesional clínico aún no ha revisado"));
}

TEST(Letter, ShowsHeldNoteAndFallbackNote) {
  const ContentDocument english = make_document({});
  LetterInput input;
  input.language = "es";
  input.notes = {held_explanations_note(1, "es")};
  input.documents = {{&english, true}};
  const std::string html = render_letter(input);

  EXPECT_TRUE(contains(html,
                       "<p class=\"note letter-note\" role=\"note\">Su equipo médico está "
                       "revisando una explicación. Le llegará más adelante.</p>"));
  EXPECT_TRUE(contains(html,
                       "<h2>Bone spot</h2>\n<p class=\"explainer-fallback\" role=\"note\" "
                       "lang=\"es\">Esta explicación aún no está en su idioma, por eso "
                       "aparece en inglés.</p>"));
  // English content inside a Spanish letter is marked as English.
  EXPECT_TRUE(contains(html, "<span lang=\"en\">Bone spot</span>"));
  EXPECT_TRUE(contains(html, "<section class=\"explainer\" lang=\"en\""));

  EXPECT_EQ(held_explanations_note(0, "en"), "");
  EXPECT_EQ(held_explanations_note(1, "en"),
            "One explanation is being reviewed by your care team and will follow.");
  EXPECT_EQ(held_explanations_note(2, "en"),
            "2 explanations are being reviewed by your care team and will follow.");
}

TEST(Letter, RendersWithoutDocuments) {
  LetterInput input;
  input.notes = {held_explanations_note(2, "en")};
  const std::string html = render_letter(input);
  EXPECT_TRUE(contains(html, "There are no explanations in this letter."));
  EXPECT_TRUE(contains(html, "2 explanations are being reviewed"));
  EXPECT_FALSE(contains(html, "Questions you may want to ask"));
  EXPECT_FALSE(contains(html, "<dl class=\"study\">"));
}

// The letter's own words (intro, banner, notes) meet the content readability gates.
TEST(Letter, OwnWordingIsPlain) {
  DocSpec draft_spec;
  draft_spec.status = "draft";
  const ContentDocument draft = make_document(draft_spec);
  for (const std::string language : {"en", "es"}) {
    LetterInput input;
    input.language = language;
    input.documents = {{&draft, true}};
    const std::string html = render_letter(input);
    auto between = [&](const std::string& start, const std::string& end) {
      const auto from = html.find(start);
      EXPECT_NE(from, std::string::npos) << start;
      if (from == std::string::npos) return std::string();
      const auto begin = from + start.size();
      return html.substr(begin, html.find(end, begin) - begin);
    };
    std::string text = between("<section class=\"intro\">\n<p>", "</p>") + "\n" +
                       between("letter-draft\" role=\"note\"><strong>", "</strong>") + "\n" +
                       between("role=\"note\" lang=\"" + language + "\">", "</p>") + "\n" +
                       held_explanations_note(1, language) + "\n" +
                       held_explanations_note(3, language);
    const auto scores =
        measure_text(text, language == "es" ? TextLanguage::kSpanish : TextLanguage::kEnglish);
    ASSERT_TRUE(scores.valid) << text;
    if (language == "en") {
      EXPECT_LE(scores.fk_grade, 8.0) << text;
    } else {
      EXPECT_GE(scores.fernandez_huerta, 60.0) << text;
    }
  }
}

TEST(StudyDate, FormatsHl7DatesInTheLetterLanguage) {
  EXPECT_EQ(format_study_date("20250314081500", "en"), "March 14, 2025");
  EXPECT_EQ(format_study_date("20250314081500-0500", "en"), "March 14, 2025");
  EXPECT_EQ(format_study_date("20250301", "es"), "1 de marzo de 2025");
  EXPECT_EQ(format_study_date("202512", "en"), "December 2025");
  EXPECT_EQ(format_study_date("202512", "es"), "diciembre de 2025");
  EXPECT_EQ(format_study_date("2025", "fr"), "2025");
  EXPECT_EQ(format_study_date("20240229", "en"), "February 29, 2024");
  EXPECT_EQ(format_study_date("20250229", "en"), "");
  EXPECT_EQ(format_study_date("20251301", "en"), "");
  EXPECT_EQ(format_study_date("20250100", "en"), "");
  EXPECT_EQ(format_study_date("", "en"), "");
  EXPECT_EQ(format_study_date("abc", "en"), "");
  EXPECT_EQ(format_study_date("0000", "en"), "");
}

TEST(StudyDate, UiLanguageFollowsPrimarySubtag) {
  EXPECT_EQ(letter_ui_language("es"), "es");
  EXPECT_EQ(letter_ui_language("ES-mx"), "es");
  EXPECT_EQ(letter_ui_language("est"), "en");
  EXPECT_EQ(letter_ui_language("fr"), "en");
  EXPECT_EQ(letter_ui_language(""), "en");
}

}  // namespace
}  // namespace explainer::content

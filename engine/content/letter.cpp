#include "content/letter.h"

#include <array>
#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include "content/render.h"

namespace explainer::content {
namespace {

// Fixed wording of the letter. Plain words, short sentences (reading grade <= 8).
struct LetterText {
  std::string_view language;
  std::string_view title;
  std::string_view study_label;
  std::string_view date_label;
  std::string_view intro;
  std::string_view draft_banner;
  std::string_view contents_heading;
  std::string_view no_explanations;
  std::string_view questions_heading;
  std::string_view care_heading;
  std::string_view footer_heading;
  std::string_view version_word;
  std::string_view status_draft;
  std::string_view status_approved;  // followed by " <reviewer>, <date>" when known
  std::string_view status_retired;
  std::string_view fallback_note;             // followed by the language name and "."
  std::array<std::string_view, 2> held_note;  // one, several (several: count is prefixed)
  std::array<std::string_view, 12> months;
  std::array<std::string_view, 2> language_names;  // "en", "es"
};

constexpr LetterText kEnglish{
    "en",
    "About your imaging report",
    "Study",
    "Date",
    "This letter explains, in plain words, some terms in your imaging report. It gives general "
    "information, not a diagnosis. It does not replace your care team. They know your health "
    "history and can tell you what your results mean for you.",
    "Draft: some explanations in this letter have not yet been checked by a clinician.",
    "What this letter explains",
    "There are no explanations in this letter.",
    "Questions you may want to ask your care team",
    "When to get medical care",
    "About the information in this letter",
    "version",
    "draft, not yet reviewed by a clinician",
    "reviewed by",
    "no longer in use",
    "This explanation is not available in your language yet, so it is shown in",
    {"One explanation is being reviewed by your care team and will follow.",
     "explanations are being reviewed by your care team and will follow."},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
    {"English", "Spanish"},
};

constexpr LetterText kSpanish{
    "es",
    "Sobre su informe de imágenes",
    "Estudio",
    "Fecha",
    "Esta carta explica con palabras sencillas algunos términos de su informe. Da información "
    "general. No es un diagnóstico. No sustituye a su equipo médico. Ellos conocen su salud y "
    "pueden decirle qué significan los resultados para usted.",
    "Borrador: un profesional clínico aún no ha revisado algunas explicaciones de esta carta.",
    "Qué explica esta carta",
    "Esta carta no tiene explicaciones.",
    "Preguntas que puede hacer a su equipo médico",
    "Cuándo buscar atención médica",
    "Sobre la información de esta carta",
    "versión",
    "borrador, aún sin revisar por un profesional clínico",
    "revisado por",
    "ya no se usa",
    "Esta explicación aún no está en su idioma, por eso aparece en",
    {"Su equipo médico está revisando una explicación. Le llegará más adelante.",
     "explicaciones están en revisión por su equipo médico. Le llegarán más adelante."},
    {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"},
    {"inglés", "español"},
};

const LetterText& letter_text(std::string_view language) {
  return letter_ui_language(language) == "es" ? kSpanish : kEnglish;
}

std::string language_name(const LetterText& text, std::string_view iso_code) {
  if (iso_code == "en") return std::string(text.language_names[0]);
  if (iso_code == "es") return std::string(text.language_names[1]);
  return std::string(iso_code);
}

constexpr std::string_view kStyle = R"css(
@page { margin: 12mm 14mm 13mm; }
html { font-family: "Liberation Sans", Arial, Helvetica, "DejaVu Sans", sans-serif;
  font-size: 12pt; line-height: 1.3; color: #1a1a1a; background: #fff; }
body { max-width: 46em; margin: 0 auto; padding: 1.5em 1.25em 3em; }
h1 { font-size: 1.6em; line-height: 1.2; margin: 0 0 .3em; color: #12355b; }
h2 { font-size: 1.3em; line-height: 1.2; margin: 1em 0 .3em; color: #12355b; }
h3 { font-size: 1.08em; margin: .7em 0 .15em; }
h4 { font-size: 1em; margin: .5em 0 .1em; }
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; break-inside: avoid; }
p, li { orphans: 2; widows: 2; }
p { margin: .2em 0 .4em; }
ul, ol { margin: .2em 0 .4em; padding-left: 1.3em; }
li { margin: .05em 0; }
.study { margin: 0 0 .6em; padding: .35em .7em; border-left: 4px solid #12355b;
  background: #f2f5f9; }
.study div { display: inline-block; margin-right: 2em; }
.study dt { display: inline; font-weight: bold; }
.study dd { display: inline; margin: 0 0 0 .4em; }
.note { margin: .5em 0; padding: .35em .7em; border: 1px solid #c9a227; border-radius: 4px;
  background: #fff8e1; break-inside: avoid; }
.explainer { margin-top: 1em; border-top: 2px solid #d0d7e2; }
.explainer-draft, .explainer-fallback { color: #6b4400; }
.care-item { break-inside: avoid; }
.care-item h3 { margin-top: .5em; }
footer { margin-top: .8em; padding-top: .2em; border-top: 1px solid #bbb; font-size: .8em;
  color: #444; }
footer h2 { font-size: 1em; margin: .2em 0; color: #444; }
.questions ul { columns: 2; column-gap: 2em; }
@media print {
  html { font-size: 11pt; line-height: 1.25; }
  body { max-width: none; padding: 0; }
  .study, .note { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
)css";

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int to_int(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

// Lower-case ASCII letters and digits (other UTF-8 bytes kept): "Is this serious?" and
// "is this  serious" compare equal.
std::string question_key(std::string_view question) {
  std::string key;
  for (char c : question) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      key.push_back(c);
    } else if (std::isalnum(byte)) {
      key.push_back(static_cast<char>(std::tolower(byte)));
    }
  }
  return key;
}

bool has_sections(const ContentDocument& document) {
  for (const Section& section : document.sections) {
    if (!section.heading.empty()) return true;
  }
  return false;
}

// The document's body as the letter shows it: "Key takeaway" first, then sections 1-6.
// Section 7 goes to the shared "When to get medical care" block.
std::string letter_body_markdown(const ContentDocument& document) {
  if (!has_sections(document)) return document.body_markdown;
  constexpr std::size_t kTakeaway = kSectionCount - 1;
  std::string body;
  auto add = [&](const Section& section) {
    body += "## " + section.heading + "\n\n" + section.markdown + "\n\n";
  };
  add(document.sections[kTakeaway]);
  for (std::size_t i = 0; i < kCareSection; ++i) add(document.sections[i]);
  return body;
}

// render_html_fragment() without its <section> wrapper, title and draft note: the
// sanitised HTML of `markdown` alone.
std::string sanitised_html(const ContentDocument& document, std::string markdown) {
  ContentDocument copy;
  copy.language = document.language;
  copy.review_status = ReviewStatus::kApproved;  // no draft note
  copy.body_markdown = std::move(markdown);
  const std::string fragment = render_html_fragment(copy);
  const std::size_t title_end = fragment.find("</h2>\n");
  const std::size_t section_end = fragment.rfind("</section>");
  if (title_end == std::string::npos || section_end == std::string::npos ||
      section_end < title_end + 6) {
    return "";
  }
  return fragment.substr(title_end + 6, section_end - (title_end + 6));
}

// The explanation as render_html_fragment() renders it, with the letter's body and, for a
// fallback language, a note right after the title.
std::string explanation_html(const LetterText& text, const LetterDocument& entry) {
  ContentDocument shown = *entry.document;
  shown.body_markdown = letter_body_markdown(*entry.document);
  std::string html = render_html_fragment(shown);
  if (entry.used_fallback) {
    const std::size_t title_end = html.find("</h2>\n");
    if (title_end != std::string::npos) {
      const std::string note = "<p class=\"explainer-fallback\" role=\"note\" lang=\"" +
                               std::string(text.language) + "\">" + escape_xml(text.fallback_note) +
                               " " + escape_xml(language_name(text, entry.document->language)) +
                               ".</p>\n";
      html.insert(title_end + 6, note);
    }
  }
  return html;
}

std::string lang_attribute_if_different(const LetterText& text, const ContentDocument& document) {
  if (document.language == text.language) return "";
  return " lang=\"" + escape_xml(document.language) + "\"";
}

std::string review_status_text(const LetterText& text, const ContentDocument& document) {
  switch (document.review_status) {
    case ReviewStatus::kDraft:
      return std::string(text.status_draft);
    case ReviewStatus::kRetired:
      return std::string(text.status_retired);
    case ReviewStatus::kApproved: {
      std::string out(text.status_approved);
      if (!document.reviewer.empty()) out += " " + document.reviewer;
      if (!document.review_date.empty()) out += ", " + document.review_date;
      return out;
    }
  }
  return "";
}

void write_head(std::string& out, const LetterText& text) {
  out += "<!DOCTYPE html>\n<html lang=\"" + std::string(text.language) + "\">\n<head>\n";
  out += "<meta charset=\"utf-8\">\n";
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape_xml(text.title) + "</title>\n";
  out += "<style>";
  out += kStyle;
  out += "</style>\n</head>\n";
}

void write_header(std::string& out, const LetterText& text, const LetterInput& input) {
  out += "<header>\n<h1>" + escape_xml(text.title) + "</h1>\n";
  const std::string date = format_study_date(input.study_datetime, text.language);
  if (input.study_name.empty() && date.empty()) {
    out += "</header>\n";
    return;
  }
  out += "<dl class=\"study\">";
  if (!input.study_name.empty()) {
    out += "<div><dt>" + escape_xml(text.study_label) + ":</dt><dd>" +
           escape_xml(input.study_name) + "</dd></div>";
  }
  if (!date.empty()) {
    out +=
        "<div><dt>" + escape_xml(text.date_label) + ":</dt><dd>" + escape_xml(date) + "</dd></div>";
  }
  out += "</dl>\n</header>\n";
}

void write_questions(std::string& out, const LetterText& text,
                     const std::vector<const LetterDocument*>& entries) {
  std::set<std::string> seen;
  std::string items;
  for (const LetterDocument* entry : entries) {
    const ContentDocument& document = *entry->document;
    for (const Question& question : document.sections[kQuestionsSection].questions) {
      if (question.question.empty() || !seen.insert(question_key(question.question)).second) {
        continue;
      }
      items += "<li" + lang_attribute_if_different(text, document) + ">" +
               escape_xml(question.question) + "</li>\n";
    }
  }
  if (items.empty()) return;
  out += "<section class=\"questions\">\n<h2>" + escape_xml(text.questions_heading) + "</h2>\n";
  out += "<ul>\n" + items + "</ul>\n</section>\n";
}

void write_care(std::string& out, const LetterText& text,
                const std::vector<const LetterDocument*>& entries) {
  std::string items;
  for (const LetterDocument* entry : entries) {
    const ContentDocument& document = *entry->document;
    const std::string& markdown = document.sections[kCareSection].markdown;
    if (markdown.empty()) continue;
    items += "<section class=\"care-item\" lang=\"" + escape_xml(document.language) + "\">\n<h3>" +
             escape_xml(document.title) + "</h3>\n" + sanitised_html(document, markdown) +
             "</section>\n";
  }
  if (items.empty()) return;
  out += "<section class=\"care\">\n<h2>" + escape_xml(text.care_heading) + "</h2>\n";
  out += items + "</section>\n";
}

void write_footer(std::string& out, const LetterText& text,
                  const std::vector<const LetterDocument*>& entries) {
  out += "<footer>\n<h2>" + escape_xml(text.footer_heading) + "</h2>\n";
  if (entries.empty()) {
    out += "</footer>\n";
    return;
  }
  out += "<ul class=\"sources\">\n";
  for (const LetterDocument* entry : entries) {
    const ContentDocument& document = *entry->document;
    out += "<li data-content-id=\"" + escape_xml(document.content_id) + "\"><span" +
           lang_attribute_if_different(text, document) + ">" + escape_xml(document.title) +
           "</span>: " + escape_xml(document.content_id) + "/" + escape_xml(document.language) +
           ", " + escape_xml(text.version_word) + " " + escape_xml(document.version) + ", " +
           escape_xml(review_status_text(text, document)) + "</li>\n";
  }
  out += "</ul>\n</footer>\n";
}

}  // namespace

std::string letter_ui_language(std::string_view language) {
  if (language.size() >= 2 && std::tolower(static_cast<unsigned char>(language[0])) == 'e' &&
      std::tolower(static_cast<unsigned char>(language[1])) == 's' &&
      (language.size() == 2 || language[2] == '-' || language[2] == '_')) {
    return "es";
  }
  return "en";
}

std::string format_study_date(std::string_view dtm, std::string_view language) {
  const LetterText& text = letter_text(language);
  std::size_t digits = 0;
  while (digits < dtm.size() && dtm[digits] >= '0' && dtm[digits] <= '9') ++digits;
  if (digits < 4 || !all_digits(dtm.substr(0, 4))) return "";
  const int year = to_int(dtm.substr(0, 4));
  if (year < 1) return "";
  if (digits < 6) return std::to_string(year);
  const int month = to_int(dtm.substr(4, 2));
  if (month < 1 || month > 12) return "";
  const std::string month_name(text.months[static_cast<std::size_t>(month - 1)]);
  const bool spanish = text.language == "es";
  if (digits < 8) {
    return spanish ? month_name + " de " + std::to_string(year)
                   : month_name + " " + std::to_string(year);
  }
  const int day = to_int(dtm.substr(6, 2));
  if (day < 1 || day > days_in_month(year, month)) return "";
  return spanish ? std::to_string(day) + " de " + month_name + " de " + std::to_string(year)
                 : month_name + " " + std::to_string(day) + ", " + std::to_string(year);
}

std::string held_explanations_note(int count, std::string_view language) {
  if (count <= 0) return "";
  const LetterText& text = letter_text(language);
  if (count == 1) return std::string(text.held_note[0]);
  return std::to_string(count) + " " + std::string(text.held_note[1]);
}

std::string render_letter(const LetterInput& input) {
  const LetterText& text = letter_text(input.language);
  std::vector<const LetterDocument*> entries;
  for (const LetterDocument& entry : input.documents) {
    if (entry.document != nullptr) entries.push_back(&entry);
  }
  bool any_draft = false;
  for (const LetterDocument* entry : entries) {
    any_draft = any_draft || entry->document->review_status == ReviewStatus::kDraft;
  }

  std::string out;
  out.reserve(16384 + entries.size() * 12288);
  write_head(out, text);
  out += "<body>\n";
  write_header(out, text, input);
  out += "<main>\n<section class=\"intro\">\n";
  out += "<p>" + escape_xml(text.intro) + "</p>\n</section>\n";
  if (any_draft) {
    out += "<p class=\"note letter-draft\" role=\"note\"><strong>" + escape_xml(text.draft_banner) +
           "</strong></p>\n";
  }
  for (const std::string& note : input.notes) {
    if (!note.empty()) {
      out += "<p class=\"note letter-note\" role=\"note\">" + escape_xml(note) + "</p>\n";
    }
  }

  // A list of what the letter explains, when there is more than one explanation.
  if (entries.empty()) {
    out += "<p>" + escape_xml(text.no_explanations) + "</p>\n";
  } else if (entries.size() > 1) {
    out += "<section class=\"contents\">\n<h2>" + escape_xml(text.contents_heading) + "</h2>\n";
    out += "<ul>\n";
    for (const LetterDocument* entry : entries) {
      out += "<li" + lang_attribute_if_different(text, *entry->document) + ">" +
             escape_xml(entry->document->title) + "</li>\n";
    }
    out += "</ul>\n</section>\n";
  }

  for (const LetterDocument* entry : entries) out += explanation_html(text, *entry);
  write_questions(out, text, entries);
  write_care(out, text, entries);
  out += "</main>\n";
  write_footer(out, text, entries);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace explainer::content

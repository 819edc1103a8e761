// The patient letter: one self-contained, printable HTML5 page for one report, in the
// patient's language, built from the explanations chosen for that report.
//
// Page layout, top to bottom: title; study name and date; a short intro (general
// information, not a diagnosis, does not replace the care team); a draft banner when any
// explanation is a draft; the caller's notes (e.g. held_explanations_note()); the list of
// explanations (when there are two or more); each explanation (its title, a note when shown in a
// fallback language, the draft note, its "Key takeaway" first, then sections 1-6 of the document);
// one "Questions you may want to ask your care team" list (the "###" questions of every document,
// duplicates removed); one "When to get medical care" block (section 7 of every document, under the
// document's title); and a footer naming each explanation's content id, version and review status.
//
// The page has inline CSS only (12pt on screen; 11pt Liberation Sans/Arial in print, which
// keeps a printed letter within two Letter or A4 pages per explanation for the shipped
// content; headings kept with what follows), a Content-Security-Policy that forbids loading
// anything, no scripts and no external resources. It contains no patient name or identifiers. Every
// caller-supplied string is escaped; explanation bodies go through render.h's sanitising
// HTML renderer. Output is deterministic (no clock, no randomness).
//
// UI strings exist in English and Spanish; any other language gets the English strings.
//
// Pure functions; safe to call from any thread. Documents are borrowed for the call only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "content/document.h"

namespace explainer::content {

struct LetterDocument {
  const ContentDocument* document = nullptr;  // required (null entries are skipped)
  bool used_fallback = false;                 // shown in another language than the patient's
};

struct LetterInput {
  std::string study_name;                 // e.g. OBR-4 text; shown as given (escaped)
  std::string study_datetime;             // HL7 DTM (YYYY[MM[DD[HHMM[SS]]]][+/-ZZZZ]) as sent
  std::string language;                   // the patient's language, ISO 639-1 ("es", "es-MX", "")
  std::vector<LetterDocument> documents;  // in the order they should appear
  std::vector<std::string> notes;         // plain text, shown near the top, in order
};

std::string render_letter(const LetterInput& input);

// The language whose UI strings a letter for `language` uses: "es" for any Spanish tag,
// else "en".
std::string letter_ui_language(std::string_view language);

// A DTM value as a readable date in the letter's language: "March 14, 2025" /
// "14 de marzo de 2025" (month precision: "March 2025" / "marzo de 2025"; year only:
// "2025"). The time and time zone are not shown. Returns "" when `dtm` does not start
// with a valid date.
std::string format_study_date(std::string_view dtm, std::string_view language);

// The note for explanations withheld by policy (e.g. sensitive findings, which the care
// team discusses first), in the letter's language. "" when count <= 0.
std::string held_explanations_note(int count, std::string_view language);

}  // namespace explainer::content

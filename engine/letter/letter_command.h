// Patient letters for HL7 v2 reports: the `explainer letter` command and the function the
// `letter` destination type uses. The page itself is content::render_letter() (content/letter.h);
// this folder decides which report and which explanations go into it.
//
// Which explanations: enrich::select_explanations() with the caller's policy. Explanations the
// policy holds (by default: sensitive findings, which the care team discusses first) are not
// shown; the letter carries content::held_explanations_note() instead. Skipped ones are absent.
//
// Thread safety: letter_for_message() and build_letter() are pure functions of their inputs
// (the content pointers they use must stay valid for the call); run_letter_command() only
// reads the files it is given and writes the output file.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "content/library.h"
#include "core/report.h"
#include "enrich/selection.h"
#include "hl7v2/message.h"
#include "matching/matcher.h"

namespace explainer::letter {

struct LetterResult {
  std::string html;      // the whole page
  int attached = 0;      // explanations shown
  int held = 0;          // explanations held by policy (mentioned in a note only)
  std::string language;  // the letter's UI language ("en", "es")
};

// The letter for one report, or nullopt when the report has nothing to show (no explanation
// attached and none held). `language_override` replaces the report's patient language when
// not empty.
std::optional<LetterResult> build_letter(const core::ReportView& report,
                                         const matching::Matcher& matcher,
                                         const content::ContentLibrary& library,
                                         const enrich::Policy& policy,
                                         const std::string& language_override = "");

// For the `letter` destination type: the letter HTML for the first released report of the
// message that has at least one attached explanation; nullopt when there is none. `message` is
// accepted for future use (e.g. message-level language) and not read today.
std::optional<std::string> letter_for_message(const hl7v2::Message& message,
                                              const std::vector<core::ReportView>& reports,
                                              const matching::Matcher& matcher,
                                              const content::ContentLibrary& library,
                                              const enrich::Policy& policy);

// explainer letter FILE [--out OUT.html] [--mappings DIR] [--content DIR] [--language xx]
//                       [--report N]
// FILE holds one HL7 v2 ORU message (segments may end in CR, LF or CRLF). The report is the
// N-th OBR group (0-based, --report) or by default the first released report with something to
// show. Defaults: ./mappings, ./content, the report's patient language. Writes the page to OUT
// (replacing it) or to `out`; a one-line summary (counts only, no patient data) goes to `err`
// when writing to a file. Exit codes: 0 letter written; 1 nothing to explain, unreadable or
// unparsable input, rules or content that fail to load, or OUT not writable; 2 usage error.
int run_letter_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace explainer::letter

#include "letter/letter_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "content/letter.h"
#include "extract/extract.h"
#include "matching/rule_set.h"

namespace explainer::letter {
namespace {

constexpr const char* kUsage =
    "usage: explainer letter FILE [--out OUT.html] [--mappings DIR] [--content DIR]\n"
    "                        [--language xx] [--report N]\n"
    "Renders a printable HTML letter for one report of an HL7 v2 message: the study, the\n"
    "explanations that apply, questions to ask the care team and when to seek care.\n"
    "  --out FILE      write the letter to FILE (default: standard output)\n"
    "  --mappings DIR  finding rules (default: ./mappings)\n"
    "  --content DIR   content library (default: ./content)\n"
    "  --language xx   letter language instead of the patient's language (PID-15)\n"
    "  --report N      the N-th report (OBR group, 0-based as in 'explainer parse');\n"
    "                  default: the first released report with something to explain\n";

struct Options {
  std::string file;
  std::string out_path;
  std::string mappings_dir = "mappings";
  std::string content_dir = "content";
  std::string language;
  std::optional<int> report;
};

// Parses args; returns an error message ("" on success). Sets `help` for --help.
std::string parse_options(const std::vector<std::string>& args, Options& options, bool& help) {
  help = false;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return "";
    }
    if (!arg.starts_with("--")) {
      positional.push_back(arg);
      continue;
    }
    std::string value;
    bool has_value = false;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    std::string* target = nullptr;
    if (arg == "--out") target = &options.out_path;
    if (arg == "--mappings") target = &options.mappings_dir;
    if (arg == "--content") target = &options.content_dir;
    if (arg == "--language") target = &options.language;
    std::string report_text;
    if (arg == "--report") target = &report_text;
    if (target == nullptr) return "unknown option '" + arg + "'";
    if (!has_value) {
      if (i + 1 >= args.size()) return "option " + arg + " needs a value";
      value = args[++i];
    }
    if (value.empty()) return "option " + arg + " needs a value";
    *target = value;
    if (arg == "--report") {
      try {
        std::size_t used = 0;
        const int n = std::stoi(report_text, &used);
        if (used != report_text.size() || n < 0) throw std::invalid_argument("negative");
        options.report = n;
      } catch (const std::exception&) {
        return "--report needs a number >= 0, not '" + report_text + "'";
      }
    }
  }
  if (positional.size() != 1) return "expected exactly one FILE";
  options.file = positional[0];
  return "";
}

// The first message of the file with CR segment terminators (LF and CRLF accepted).
std::optional<std::string> read_message(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  const std::string bytes = buffer.str();
  std::string message;
  message.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
    message.push_back(bytes[i] == '\n' ? '\r' : bytes[i]);
  }
  // Keep the first message only: cut at the next segment that starts with MSH.
  if (const auto next = message.find("\rMSH", 3); next != std::string::npos) {
    message.resize(next + 1);
  }
  return message;
}

}  // namespace

std::optional<LetterResult> build_letter(const core::ReportView& report,
                                         const matching::Matcher& matcher,
                                         const content::ContentLibrary& library,
                                         const enrich::Policy& policy,
                                         const std::string& language_override) {
  core::ReportView view = report;
  if (!language_override.empty()) view.patient_language = language_override;
  const enrich::Selection selection = enrich::select_explanations(view, matcher, library, policy);

  content::LetterInput input;
  input.study_name = view.study_name;
  input.study_datetime = view.study_datetime;
  input.language = view.patient_language.empty() ? policy.default_language : view.patient_language;
  LetterResult result;
  for (const enrich::Chosen& chosen : selection.chosen) {
    if (chosen.document == nullptr) continue;
    if (chosen.action == enrich::Action::kAttach) {
      // Without a known patient language there is nothing to "fall back" from.
      const bool fallback = chosen.used_fallback && !view.patient_language.empty();
      input.documents.push_back({chosen.document, fallback});
      ++result.attached;
    } else if (chosen.action == enrich::Action::kHold) {
      ++result.held;
    }
  }
  if (result.attached == 0 && result.held == 0) return std::nullopt;
  const std::string note = content::held_explanations_note(result.held, input.language);
  if (!note.empty()) input.notes.push_back(note);
  result.language = content::letter_ui_language(input.language);
  result.html = content::render_letter(input);
  return result;
}

std::optional<std::string> letter_for_message(const hl7v2::Message& /*message*/,
                                              const std::vector<core::ReportView>& reports,
                                              const matching::Matcher& matcher,
                                              const content::ContentLibrary& library,
                                              const enrich::Policy& policy) {
  for (const core::ReportView& report : reports) {
    if (!report.released) continue;
    auto letter = build_letter(report, matcher, library, policy);
    if (letter && letter->attached > 0) return std::move(letter->html);
  }
  return std::nullopt;
}

int run_letter_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Options options;
  bool help = false;
  if (const std::string problem = parse_options(args, options, help); !problem.empty()) {
    err << "explainer letter: " << problem << "\n" << kUsage;
    return 2;
  }
  if (help) {
    out << kUsage;
    return 0;
  }

  const auto bytes = read_message(options.file);
  if (!bytes) {
    err << "explainer letter: cannot read " << options.file << "\n";
    return 1;
  }
  const hl7v2::ParseResult parsed = hl7v2::parse(*bytes);
  if (!parsed.ok()) {
    err << "explainer letter: " << options.file
        << " is not an HL7 v2 message: " << parsed.error.text << "\n";
    return 1;
  }
  const std::vector<core::ReportView> reports = extract::extract_reports(*parsed.message);
  if (reports.empty()) {
    err << "explainer letter: " << options.file << " has no report (no OBR)\n";
    return 1;
  }

  const matching::LoadResult rules = matching::RuleSet::load_directory(options.mappings_dir);
  if (!rules.ok()) {
    err << "explainer letter: the rules in " << options.mappings_dir << " do not load:\n";
    for (const auto& e : rules.errors) err << e.file << ":" << e.line << ": " << e.reason << "\n";
    return 1;
  }
  const content::ContentLibrary::LoadResult content =
      content::ContentLibrary::load(options.content_dir);
  if (!content.ok()) {
    err << "explainer letter: the content in " << options.content_dir << " does not load:\n";
    for (const auto& p : content.problems) {
      if (p.is_error()) err << content::format_problem(p) << "\n";
    }
    return 1;
  }
  const matching::Matcher matcher(rules.rules);
  const enrich::Policy policy;

  std::optional<LetterResult> letter;
  if (options.report) {
    if (static_cast<std::size_t>(*options.report) >= reports.size()) {
      err << "explainer letter: --report " << *options.report
          << " is out of range (the message has " << reports.size() << " report"
          << (reports.size() == 1 ? "" : "s") << ")\n";
      return 2;
    }
    const core::ReportView& report = reports[static_cast<std::size_t>(*options.report)];
    if (!report.released) {
      err << "explainer letter: report " << *options.report << " is not released (status "
          << report.status << ")\n";
      return 1;
    }
    letter = build_letter(report, matcher, *content.library, policy, options.language);
  } else {
    for (const core::ReportView& report : reports) {
      if (!report.released) continue;
      letter = build_letter(report, matcher, *content.library, policy, options.language);
      if (letter) break;
    }
  }
  if (!letter) {
    err << "explainer letter: nothing to explain in " << options.file << "\n";
    return 1;
  }

  if (options.out_path.empty()) {
    out << letter->html;
    return out ? 0 : 1;
  }
  std::ofstream file(options.out_path, std::ios::binary | std::ios::trunc);
  file << letter->html;
  file.close();
  if (!file) {
    err << "explainer letter: cannot write " << options.out_path << "\n";
    return 1;
  }
  err << "explainer letter: wrote " << options.out_path << " (" << letter->attached
      << " explanation" << (letter->attached == 1 ? "" : "s") << ", " << letter->held
      << " held, language " << letter->language << ")\n";
  return 0;
}

}  // namespace explainer::letter

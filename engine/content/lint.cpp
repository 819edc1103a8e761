#include "content/lint.h"

#include <libxml/parser.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <system_error>

#include "content/language_text.h"
#include "content/loader.h"
#include "content/mapping_index.h"
#include "content/markdown.h"
#include "content/render.h"

namespace explainer::content {
namespace {

using Severity = ContentProblem::Severity;

std::string format_score(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

bool is_content_id(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& dir,
                                                  bool directories, std::error_code& ec) {
  std::vector<std::filesystem::path> out;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (directories ? it->is_directory(type_ec) : it->is_regular_file(type_ec)) {
      out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> section_sentences(const Section& section) {
  markdown::NodePtr root = markdown::parse(section.markdown);
  std::string prose;
  for (const std::string& block : markdown::prose_blocks(root.get(), false)) prose += block + "\n";
  return split_sentences(prose);
}

// Skips quotes, brackets and the Spanish opening marks before a sentence's first word.
std::string_view skip_opening_punctuation(std::string_view text) {
  while (!text.empty()) {
    const auto byte = static_cast<unsigned char>(text.front());
    if (byte < 0x80 && !((byte | 0x20) >= 'a' && (byte | 0x20) <= 'z') &&
        !(byte >= '0' && byte <= '9')) {
      text.remove_prefix(1);
    } else if (byte == 0xC2 && text.size() >= 2) {  // ¡ ¿ « and other Latin-1 punctuation
      text.remove_prefix(2);
    } else if (byte == 0xE2 && text.size() >= 3) {  // “ ‘ and other general punctuation
      text.remove_prefix(3);
    } else {
      break;
    }
  }
  return text;
}

class DocumentLinter {
 public:
  explicit DocumentLinter(const ContentDocument& document) : document_(document) {}

  std::vector<ContentProblem> run(std::string_view expected_id, std::string_view folder_language) {
    check_metadata(expected_id, folder_language);
    check_body();
    check_readability();
    return std::move(problems_);
  }

 private:
  void add(Severity severity, int line, std::string reason) {
    problems_.push_back({severity, document_.source_path, line, std::move(reason)});
  }
  int line_of(std::string_view key) const {
    auto it = document_.field_lines.find(key);
    return it == document_.field_lines.end() ? 1 : it->second;
  }

  void check_metadata(std::string_view expected_id, std::string_view folder_language) {
    const ContentDocument& d = document_;
    if (!is_content_id(d.content_id)) {
      add(Severity::kError, line_of("content_id"),
          "content_id '" + d.content_id + "' must be lower-case letters, digits and '_'");
    }
    if (d.content_id != expected_id) {
      add(Severity::kError, line_of("content_id"),
          "content_id '" + d.content_id + "' must equal the file name '" +
              std::string(expected_id) + "'");
    }
    if (d.language != folder_language) {
      add(Severity::kError, line_of("language"),
          "language '" + d.language + "' must equal the folder '" + std::string(folder_language) +
              "'");
    }
    if (markdown::trim(d.title).empty()) add(Severity::kError, line_of("title"), "title is empty");
    if (d.findings.empty()) add(Severity::kError, line_of("findings"), "findings is empty");
    for (const std::string& finding : d.findings) {
      if (!is_content_id(finding)) {
        add(Severity::kError, line_of("findings"),
            "finding id '" + finding + "' is not a valid id");
      }
    }
    if (!is_semantic_version(d.version)) {
      add(Severity::kError, line_of("version"), "version '" + d.version + "' is not x.y.z");
    }
    if (!is_iso_date(d.last_updated)) {
      add(Severity::kError, line_of("last_updated"),
          "last_updated '" + d.last_updated + "' is not a YYYY-MM-DD date");
    }
    const bool draft = d.review_status == ReviewStatus::kDraft;
    if (!draft && markdown::trim(d.reviewer).empty()) {
      add(Severity::kError, line_of("reviewer"),
          std::string("reviewer is required when review_status is ") + to_string(d.review_status));
    }
    if (!draft || !d.review_date.empty()) {
      if (!is_iso_date(d.review_date)) {
        add(Severity::kError, line_of("review_date"),
            d.review_date.empty() ? std::string("review_date is required when review_status is ") +
                                        to_string(d.review_status)
                                  : "review_date '" + d.review_date + "' is not a YYYY-MM-DD date");
      }
    }
    if (d.sources.empty()) add(Severity::kError, line_of("sources"), "sources is empty");
    for (const std::string& source : d.sources) {
      if (markdown::trim(source).empty())
        add(Severity::kError, line_of("sources"), "a source is empty");
    }
  }

  void check_body() {
    const ContentDocument& d = document_;
    for (const Section& section : d.sections) {
      if (markdown::trim(section.markdown).empty()) {
        add(Severity::kError, section.line, "section '" + section.heading + "' is empty");
      }
    }
    const Section& questions = d.sections[kQuestionsSection];
    if (questions.questions.size() < kMinQuestions) {
      add(Severity::kError, questions.line,
          "'" + questions.heading + "' has " + std::to_string(questions.questions.size()) +
              " questions; at least " + std::to_string(kMinQuestions) + " are required");
    }

    markdown::NodePtr root = markdown::parse(d.body_markdown);
    int line = 0;
    if (markdown::contains_raw_html(root.get(), &line)) {
      add(Severity::kError, line > 0 ? d.body_first_line + line - 1 : 0,
          "raw HTML is not allowed (it is dropped when rendering)");
    }
    // The FHIR narrative must be well-formed XML (the schema itself is checked in tests).
    const std::string narrative = render_fhir_narrative(d);
    xmlDocPtr xml =
        xmlReadMemory(narrative.data(), static_cast<int>(narrative.size()), "narrative.xml",
                      "UTF-8", XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (xml == nullptr) {
      add(Severity::kError, 0, "the FHIR narrative rendering is not well-formed XML");
    } else {
      xmlFreeDoc(xml);
    }
    if (markdown::contains_image(root.get(), &line)) {
      add(Severity::kError, line > 0 ? d.body_first_line + line - 1 : 0,
          "images are not allowed (content is text only)");
    }

    if (const LanguageText* text = find_language_text(d.language)) {
      const Section& care = d.sections[kCareSection];
      const auto sentences = section_sentences(care);
      const bool has_marker =
          std::any_of(sentences.begin(), sentences.end(), [&](const std::string& sentence) {
            return skip_opening_punctuation(sentence).substr(0, text->emergency_marker.size()) ==
                   text->emergency_marker;
          });
      if (!has_marker) {
        const bool sensitive = d.sensitivity == Sensitivity::kSensitive;
        add(sensitive ? Severity::kError : Severity::kWarning, care.line,
            "'" + care.heading + "' has no sentence starting with '" +
                std::string(text->emergency_marker) + "'" +
                (sensitive ? " (required for sensitive content)"
                           : " (fine only if this finding has no urgent warning signs)"));
      }
      const Section& takeaway = d.sections[kSectionCount - 1];
      const std::size_t count = section_sentences(takeaway).size();
      if (!takeaway.markdown.empty() && (count < 2 || count > 3)) {
        add(Severity::kWarning, takeaway.line,
            "'" + takeaway.heading + "' has " + std::to_string(count) +
                " sentences; the format asks for two or three");
      }
    }
  }

  void check_readability() {
    const ContentDocument& d = document_;
    const ReadabilityScores scores = measure_document(d);
    const auto language = text_language(d.language);
    if (!language) return;
    if (!scores.valid) {
      add(Severity::kError, 0, "no body text to measure readability on");
      return;
    }
    if (*language == TextLanguage::kEnglish && scores.fk_grade > kMaxEnglishGrade) {
      add(Severity::kError, 0,
          "Flesch-Kincaid grade " + format_score(scores.fk_grade) + " is above " +
              format_score(kMaxEnglishGrade) + " (" + std::to_string(scores.counts.words) +
              " words, " + std::to_string(scores.counts.sentences) + " sentences, " +
              std::to_string(scores.counts.syllables) + " syllables)");
    }
    if (*language == TextLanguage::kSpanish &&
        scores.fernandez_huerta < kMinSpanishFernandezHuerta) {
      add(Severity::kError, 0,
          "Fernández-Huerta " + format_score(scores.fernandez_huerta) + " is below " +
              format_score(kMinSpanishFernandezHuerta) + " (" +
              std::to_string(scores.counts.words) + " words, " +
              std::to_string(scores.counts.sentences) + " sentences, " +
              std::to_string(scores.counts.syllables) + " syllables)");
    }
  }

  const ContentDocument& document_;
  std::vector<ContentProblem> problems_;
};

}  // namespace

std::size_t LintReport::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      problems.begin(), problems.end(), [](const ContentProblem& p) { return p.is_error(); }));
}

std::size_t LintReport::warning_count() const {
  return problems.size() - error_count();
}

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const std::chrono::year_month_day date{std::chrono::year(number(0, 4)),
                                         std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                         std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  return date.ok();
}

bool is_semantic_version(std::string_view text) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || (part.size() > 1 && part[0] == '0') ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 3;
}

bool meets_readability_gate(const ReadabilityScores& scores, std::string_view language) {
  const auto text = text_language(language);
  if (!text) return true;
  if (!scores.valid) return false;
  return *text == TextLanguage::kEnglish ? scores.fk_grade <= kMaxEnglishGrade
                                         : scores.fernandez_huerta >= kMinSpanishFernandezHuerta;
}

std::vector<ContentProblem> lint_document(const ContentDocument& document,
                                          std::string_view expected_content_id,
                                          std::string_view folder_language) {
  return DocumentLinter(document).run(expected_content_id, folder_language);
}

LintReport lint_library(const std::filesystem::path& content_dir,
                        const std::filesystem::path& mappings_dir) {
  xmlInitParser();  // idempotent; required before libxml2 is used from several threads
  LintReport report;
  std::error_code ec;
  const auto folders = sorted_entries(content_dir, true, ec);
  if (ec) {
    report.problems.push_back({Severity::kError, content_dir.string(), 0,
                               "cannot read the content folder: " + ec.message()});
    return report;
  }
  std::set<std::string> language_set;
  for (const std::string& language : known_languages()) language_set.insert(language);

  std::vector<ContentDocument> documents;
  std::set<std::pair<std::string, std::string>> present;  // (language, file stem)
  for (const auto& folder : folders) {
    const std::string language = folder.filename().string();
    language_set.insert(language);
    std::error_code files_ec;
    for (const auto& file : sorted_entries(folder, false, files_ec)) {
      if (file.extension() != ".md") continue;
      const std::string stem = file.stem().string();
      present.insert({language, stem});
      auto loaded = load_document(file);
      report.problems.insert(report.problems.end(), loaded.problems.begin(), loaded.problems.end());
      DocumentSummary summary;
      summary.file = file.string();
      summary.content_id = stem;
      summary.language = language;
      if (loaded.document) {
        const ContentDocument& document = *loaded.document;
        auto problems = lint_document(document, stem, language);
        report.problems.insert(report.problems.end(), problems.begin(), problems.end());
        summary.loaded = true;
        summary.content_id = document.content_id;
        summary.language = document.language;
        summary.version = document.version;
        summary.review_status = document.review_status;
        summary.readability = measure_document(document);
        summary.readability_ok = meets_readability_gate(summary.readability, document.language);
        documents.push_back(std::move(*loaded.document));
      }
      report.documents.push_back(std::move(summary));
    }
    if (files_ec) {
      report.problems.push_back(
          {Severity::kError, folder.string(), 0, "cannot read the folder: " + files_ec.message()});
    }
  }

  const MappingIndex index = load_mapping_index(mappings_dir);
  report.problems.insert(report.problems.end(), index.problems.begin(), index.problems.end());
  if (index.source.empty()) return report;

  for (const MappedFinding& finding : index.findings) {
    for (const std::string& language : language_set) {
      if (!present.count({language, finding.content_id})) {
        report.problems.push_back(
            {Severity::kError, finding.file, finding.line,
             "finding '" + finding.id + "' has no document " +
                 (content_dir / language / (finding.content_id + ".md")).string()});
      }
    }
  }
  for (const ContentDocument& document : documents) {
    auto it = document.field_lines.find("findings");
    const int line = it == document.field_lines.end() ? 1 : it->second;
    for (const std::string& id : document.findings) {
      const MappedFinding* finding = index.find(id);
      if (finding == nullptr) {
        report.problems.push_back({Severity::kError, document.source_path, line,
                                   "finding '" + id + "' is not defined in " + index.source});
        continue;
      }
      if (finding->content_id != document.content_id) {
        report.problems.push_back({Severity::kError, document.source_path, line,
                                   "finding '" + id + "' is mapped to content '" +
                                       finding->content_id + "', not to this document"});
      }
      if (finding->sensitivity && *finding->sensitivity != document.sensitivity) {
        report.problems.push_back(
            {Severity::kError, document.source_path,
             document.field_lines.count("sensitivity") ? document.field_lines.at("sensitivity")
                                                       : line,
             std::string("sensitivity '") + to_string(document.sensitivity) +
                 "' differs from the mapping's '" + to_string(*finding->sensitivity) +
                 "' for finding '" + id + "'"});
      }
    }
    for (const MappedFinding& finding : index.findings) {
      if (finding.content_id == document.content_id &&
          std::find(document.findings.begin(), document.findings.end(), finding.id) ==
              document.findings.end()) {
        report.problems.push_back(
            {Severity::kWarning, document.source_path, line,
             "finding '" + finding.id + "' is mapped to this document but not listed in findings"});
      }
    }
  }
  return report;
}

}  // namespace explainer::content

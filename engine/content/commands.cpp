#include "content/commands.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "content/lint.h"

namespace explainer::content {
namespace {

struct Options {
  std::filesystem::path content_dir = "content";
  std::filesystem::path mappings_dir = "mappings";
  bool markdown = false;
};

// Accepts "--name value" and "--name=value". Returns nullopt after writing to `err`.
std::optional<Options> parse_options(const std::vector<std::string>& args, bool allow_markdown,
                                     const char* usage, std::ostream& err) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value_of = [&](const std::string& name) -> std::optional<std::string> {
      if (arg == name) {
        if (i + 1 >= args.size()) return std::nullopt;
        return args[++i];
      }
      return arg.substr(name.size() + 1);
    };
    if (arg == "--content" || arg.rfind("--content=", 0) == 0) {
      auto value = value_of("--content");
      if (!value) {
        err << "missing value for --content\n" << usage;
        return std::nullopt;
      }
      options.content_dir = *value;
    } else if (arg == "--mappings" || arg.rfind("--mappings=", 0) == 0) {
      auto value = value_of("--mappings");
      if (!value) {
        err << "missing value for --mappings\n" << usage;
        return std::nullopt;
      }
      options.mappings_dir = *value;
    } else if (allow_markdown && arg == "--markdown") {
      options.markdown = true;
    } else {
      err << "unknown argument '" << arg << "'\n" << usage;
      return std::nullopt;
    }
  }
  return options;
}

std::string fixed(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

std::vector<std::string> report_row(const DocumentSummary& summary) {
  std::vector<std::string> row{summary.content_id, summary.language};
  if (!summary.loaded) {
    row.insert(row.end(), {"-", "-", "-", "-", "-", "load error", "-"});
    return row;
  }
  const ReadabilityScores& r = summary.readability;
  const bool spanish = text_language(summary.language) == TextLanguage::kSpanish;
  row.push_back(summary.version);
  if (!r.valid) {
    row.insert(row.end(), {"-", "-", "-"});
  } else if (spanish) {
    row.insert(row.end(), {fixed(r.fernandez_huerta), "-", fixed(r.szigriszt_pazos)});
  } else {
    row.insert(row.end(), {fixed(r.fk_grade), fixed(r.flesch_reading_ease), fixed(r.smog)});
  }
  row.push_back(std::to_string(r.counts.words));
  row.push_back(summary.review_status ? to_string(*summary.review_status) : "-");
  row.push_back(summary.readability_ok ? "ok" : "FAIL");
  return row;
}

constexpr const char* kLintUsage =
    "usage: explainer content lint [--content DIR] [--mappings DIR]\n";
constexpr const char* kReportUsage =
    "usage: explainer content report [--content DIR] [--mappings DIR] [--markdown]\n";

}  // namespace

int run_content_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const auto options = parse_options(args, false, kLintUsage, err);
  if (!options) return 2;
  const LintReport report = lint_library(options->content_dir, options->mappings_dir);
  for (const ContentProblem& problem : report.problems) out << format_problem(problem) << '\n';
  out << "content lint: " << report.documents.size() << " documents, " << report.error_count()
      << " errors, " << report.warning_count() << " warnings\n";
  return report.ok() ? 0 : 1;
}

int run_content_report(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const auto options = parse_options(args, true, kReportUsage, err);
  if (!options) return 2;
  std::error_code ec;
  if (!std::filesystem::is_directory(options->content_dir, ec)) {
    err << "cannot read the content folder " << options->content_dir.string() << '\n';
    return 2;
  }
  const LintReport report = lint_library(options->content_dir, options->mappings_dir);
  const std::vector<std::string> header{
      "content_id",     "lang",  "version", "FK grade / F-Huerta", "FRE",
      "SMOG / INFLESZ", "words", "review",  "readability"};
  std::vector<std::vector<std::string>> rows;
  for (const DocumentSummary& summary : report.documents) rows.push_back(report_row(summary));

  if (options->markdown) {
    auto line = [&](const std::vector<std::string>& cells) {
      out << '|';
      for (const std::string& cell : cells) out << ' ' << cell << " |";
      out << '\n';
    };
    line(header);
    out << '|';
    for (std::size_t i = 0; i < header.size(); ++i) out << (i >= 3 && i <= 6 ? "---:|" : "---|");
    out << '\n';
    for (const auto& row : rows) line(row);
  } else {
    std::vector<std::size_t> widths(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        text += cells[i];
        if (i + 1 < cells.size()) text += std::string(widths[i] - cells[i].size() + 2, ' ');
      }
      out << text << '\n';
    };
    line(header);
    for (const auto& row : rows) line(row);
  }
  out << rows.size() << " documents\n";
  return 0;
}

}  // namespace explainer::content

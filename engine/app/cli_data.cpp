// explainer match / assert / eval / content / enrich: the commands that work on the data
// folders (mappings/, content/) without a running service.
#include <filesystem>
#include <iostream>

#include "app/cli.h"
#include "app/cli_enrich.h"
#include "content/commands.h"
#include "letter/letter_command.h"
#include "matching/commands.h"

namespace explainer::app {

namespace {

// The source tree this binary was built from (a build tree's binaries find their data there).
#ifndef EXPLAINER_BUILD_SOURCE_DIR
#define EXPLAINER_BUILD_SOURCE_DIR "."
#endif

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

}  // namespace

std::string default_data_dir(const std::string& name) {
  if (const char* home = std::getenv("EXPLAINER_DATA_DIR")) {
    return (std::filesystem::path(home) / name).string();
  }
  const auto exe = executable_dir();
  const std::filesystem::path candidates[] = {
      std::filesystem::current_path() / name,
      exe / ".." / "share" / "explainer" / name,  // installed: /usr/bin -> /usr/share/explainer
      std::filesystem::path(EXPLAINER_BUILD_SOURCE_DIR) / name,  // run from a build tree
  };
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_directory(c, ec)) return std::filesystem::weakly_canonical(c).string();
  }
  return name;
}

namespace {

// Adds "--NAME DIR" unless the caller gave it.
Args with_default(Args args, const std::string& name, const std::string& dir) {
  for (const auto& a : args) {
    if (a == "--" + name || a.rfind("--" + name + "=", 0) == 0) return args;
  }
  args.push_back("--" + name);
  args.push_back(dir);
  return args;
}

}  // namespace

int cli_match(const Args& args, std::ostream& out, std::ostream& err) {
  return matching::run_match(args, std::cin, out, err, default_data_dir("mappings"));
}

int cli_assert(const Args& args, std::ostream& out, std::ostream& err) {
  return matching::run_assert(args, std::cin, out, err, default_data_dir("mappings"));
}

int cli_eval(const Args& args, std::ostream& out, std::ostream& err) {
  return matching::run_eval(args, std::cin, out, err, default_data_dir("mappings"));
}

int cli_content(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || (args[0] != "lint" && args[0] != "report")) {
    err << "usage: explainer content lint|report [--content DIR] [--mappings DIR] [--markdown]\n";
    return 2;
  }
  Args rest(args.begin() + 1, args.end());
  rest = with_default(with_default(rest, "content", default_data_dir("content")), "mappings",
                      default_data_dir("mappings"));
  return args[0] == "lint" ? content::run_content_lint(rest, out, err)
                           : content::run_content_report(rest, out, err);
}

int cli_enrich(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  EnrichCliOptions options;
  const bool options_ok = parse_enrich_options(opts, options);
  const bool summary = opts.flag("summary");
  const auto files = opts.positional();
  if (!options_ok || !opts.unknown_option().empty() || files.size() != 1) {
    err << "usage: explainer enrich [OPTIONS] [--summary] FILE\n"
           "FILE is an HL7 v2 message or a FHIR R4 resource (JSON or XML, told apart by its "
           "content).\n"
        << kEnrichOptionsUsage
        << "  --summary                what was attached, held or not explained, on stderr\n";
    return 2;
  }
  const auto setup = load_enrich_setup(options, err);
  if (!setup) return 1;
  const std::string bytes = read_file(files.front());
  const auto result = setup->enricher->enrich(bytes, setup->options);
  if (!result.ok) {
    err << "explainer: " << result.error << "\n";
    return 1;
  }
  if (summary) {
    for (const auto& a : result.added) {
      err << "attached: report " << (a.report_index + 1) << " " << a.finding_id << " ("
          << a.content_id << "@" << a.version << ", " << a.language << ", " << a.review_status
          << (a.used_fallback ? ", fallback language" : "") << ") as " << a.attached_as << "\n";
    }
    for (const auto& h : result.held) {
      err << "held for review: report " << (h.report_index + 1) << " " << h.finding_id << "\n";
    }
    for (const auto& [why, n] : result.not_explained)
      err << "not explained: " << n << " " << why << "\n";
    if (!result.enriched) err << "nothing added: " << result.reason << "\n";
  }
  // Exactly what would be delivered: the enriched message, or the message as received.
  out << result.output;
  return 0;
}

int cli_letter(const Args& args, std::ostream& out, std::ostream& err) {
  Args rest = with_default(with_default(args, "content", default_data_dir("content")), "mappings",
                           default_data_dir("mappings"));
  return letter::run_letter_command(rest, out, err);
}

}  // namespace explainer::app

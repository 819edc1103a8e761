// explainer match / assert / eval / content / enrich: the commands that work on the data
// folders (mappings/, content/) without a running service.
#include <cctype>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/cli.h"
#include "content/commands.h"
#include "content/library.h"
#include "enrich/fhir_enricher.h"
#include "enrich/v2_enricher.h"
#include "extract/extract.h"
#include "extract/fhir_extract.h"
#include "letter/letter_command.h"
#include "fhir/json_format.h"
#include "fhir/xml_format.h"
#include "hl7v2/message.h"
#include "matching/commands.h"
#include "matching/rule_holder.h"

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

namespace {

// FHIR input is recognised by its first non-space character ('{' JSON, '<' XML); HL7 v2 starts
// with "MSH".
std::optional<enrich::FhirFormat> fhir_format_of(const std::string& bytes) {
  std::size_t i = bytes.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
  if (i < bytes.size() && bytes[i] == '{') return enrich::FhirFormat::kJson;
  if (i < bytes.size() && bytes[i] == '<') return enrich::FhirFormat::kXml;
  return std::nullopt;
}

// Runs FHIR extraction + enrichment on `bytes` and prints what would be delivered.
int enrich_fhir(const std::string& bytes, enrich::FhirFormat input_format,
                std::optional<enrich::FhirFormat> output_format, enrich::FhirMode mode,
                const matching::RuleSetHolder& rules,
                const content::ContentLibraryHolder& content_holder, const enrich::Policy& policy,
                bool summary, std::ostream& out, std::ostream& err) {
  auto parsed =
      input_format == enrich::FhirFormat::kXml ? fhir::parse_xml(bytes) : fhir::parse_json(bytes);
  if (!parsed) {
    err << "explainer: not a readable FHIR " << enrich::to_string(input_format)
        << " resource: " << parsed.error().describe() << "\n";
    return 1;
  }
  const enrich::FhirFormat format = output_format.value_or(input_format);
  const auto reports = extract::extract_fhir_reports(*parsed, extract::FhirExtractOptions{});
  enrich::FhirEnricher enricher(rules, content_holder, policy);
  enrich::FhirEnrichOptions options;
  options.mode = mode;
  options.format = format;
  options.pretty = true;
  const auto result = enricher.enrich(*parsed, reports, options);
  if (summary) {
    for (const auto& a : result.added) {
      err << "attached: report " << (a.report_index + 1) << " " << a.finding_id << " ("
          << a.content_id << "@" << a.version << ", " << a.language << ", " << a.review_status
          << (a.used_fallback ? ", fallback language" : "") << ") as " << a.document_reference
          << "\n";
    }
    for (const auto& h : result.held) {
      err << "held for review: report " << (h.report_index + 1) << " " << h.finding_id << "\n";
    }
    for (const auto& [why, n] : result.not_explained)
      err << "not explained: " << n << " " << why << "\n";
    if (!result.payload) err << "nothing added: " << result.reason << "\n";
  }
  if (result.payload) {
    out << *result.payload;
    return 0;
  }
  // Nothing added: the resource as received (converted when another format was asked for).
  if (format == input_format) {
    out << bytes;
    return 0;
  }
  fhir::WriteOptions write_options;
  write_options.pretty = true;
  auto converted = format == enrich::FhirFormat::kXml ? fhir::write_xml(*parsed, write_options)
                                                      : fhir::write_json(*parsed, write_options);
  if (!converted) {
    err << "explainer: cannot write the resource as " << enrich::to_string(format) << ": "
        << converted.error().describe() << "\n";
    return 1;
  }
  out << *converted;
  return 0;
}

}  // namespace

int cli_enrich(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  std::string mappings = default_data_dir("mappings"), content_dir = default_data_dir("content");
  std::string form = "ft", language = "en", released = "F,C", output_format, fhir_mode = "bundle";
  opts.value("mappings", mappings);
  opts.value("content", content_dir);
  opts.value("obx-format", form);
  opts.value("default-language", language);
  opts.value("output-format", output_format);
  opts.value("fhir-mode", fhir_mode);
  const bool allow_sensitive = opts.flag("attach-sensitive");
  const bool require_approved = opts.flag("require-approved");
  const bool summary = opts.flag("summary");
  const auto files = opts.positional();
  const auto mode = enrich::parse_fhir_mode(fhir_mode);
  const auto chosen_format = enrich::parse_fhir_format(output_format);
  if (!opts.unknown_option().empty() || files.size() != 1 || (form != "ft" && form != "ed") ||
      !mode || (!output_format.empty() && !chosen_format)) {
    err << "usage: explainer enrich [--obx-format ft|ed] [--require-approved] "
           "[--attach-sensitive]\n"
           "                        [--default-language xx] [--summary] [--mappings DIR] "
           "[--content DIR]\n"
           "                        [--output-format json|xml] [--fhir-mode bundle|contained] "
           "FILE\n"
           "FILE is an HL7 v2 message or a FHIR R4 resource (JSON or XML, told apart by its "
           "content).\n";
    return 2;
  }
  matching::RuleSetHolder rules;
  const auto loaded = rules.reload(mappings);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) err << e.file << ":" << e.line << ": " << e.reason << "\n";
    return 1;
  }
  auto library = content::ContentLibrary::load(content_dir);
  if (!library.ok()) {
    for (const auto& p : library.problems) err << content::format_problem(p) << "\n";
    return 1;
  }
  content::ContentLibraryHolder content_holder(library.library);
  const std::string bytes = read_file(files.front());
  enrich::Policy policy;
  policy.default_language = language;
  policy.require_approved = require_approved;
  if (allow_sensitive) policy.sensitive = enrich::Action::kAttach;
  if (const auto fhir_format = fhir_format_of(bytes)) {
    return enrich_fhir(bytes, *fhir_format, chosen_format, *mode, rules, content_holder, policy, summary, out, err);
  }
  const auto parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) {
    err << "explainer: not a readable HL7 v2 message: " << parsed.error.text << "\n";
    return 1;
  }
  extract::ExtractOptions extract_options;
  const auto reports = extract::extract_reports(*parsed.message, extract_options);
  enrich::V2Enricher enricher(rules, content_holder, policy);
  const auto result = enricher.enrich(*parsed.message, reports,
                                      form == "ed" ? enrich::V2Form::kEncapsulatedHtml
                                                   : enrich::V2Form::kFormattedText);
  if (summary) {
    for (const auto& a : result.added) {
      err << "attached: report " << (a.group_index + 1) << " " << a.finding_id << " (" << a.content_id
          << "@" << a.version << ", " << a.language << ", " << a.review_status
          << (a.used_fallback ? ", fallback language" : "") << ") as OBX " << a.obx_set_id << "\n";
    }
    for (const auto& h : result.held) {
      err << "held for review: report " << (h.group_index + 1) << " " << h.finding_id << "\n";
    }
    for (const auto& [why, n] : result.not_explained) err << "not explained: " << n << " " << why << "\n";
    if (!result.payload) err << "nothing added: " << result.reason << "\n";
  }
  // Exactly what would be delivered: the enriched message, or the message as received.
  out << (result.payload ? *result.payload : bytes);
  return 0;
}

int cli_letter(const Args& args, std::ostream& out, std::ostream& err) {
  Args rest = with_default(with_default(args, "content", default_data_dir("content")), "mappings",
                           default_data_dir("mappings"));
  return letter::run_letter_command(rest, out, err);
}

}  // namespace explainer::app

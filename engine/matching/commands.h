// CLI command implementations, so the explainer binary only dispatches.
//
//   explainer match [--mappings DIR] [--modality CODE] [--body-region NAME] [--json] TEXT
//   explainer match [--mappings DIR] --jsonl        (stdin: {"text","modality","body_region",
//                                                      "codes":[{"system","code"}]} per line)
//   explainer assert [--mappings DIR] --tsv         (stdin: target<TAB>sentence per line)
//   explainer eval [--mappings DIR] [--negex FILE] [--mismatches] [EVAL.tsv ...]
//
// `args` excludes the program and command names. Exit codes: 0 success, 1 rules failed
// to load (errors printed as file:line: reason), 2 usage error, 3 evaluation input error.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace explainer::matching {

int run_match(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err, const std::filesystem::path& default_mappings_dir);

int run_assert(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err, const std::filesystem::path& default_mappings_dir);

int run_eval(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err, const std::filesystem::path& default_mappings_dir);

}  // namespace explainer::matching

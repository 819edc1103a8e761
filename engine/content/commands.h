// The `explainer content ...` sub-commands as library functions; the CLI in engine/app
// dispatches to them. `args` are the words after "content lint" / "content report".
#pragma once

#include <iostream>
#include <ostream>
#include <string>
#include <vector>

namespace explainer::content {

// explainer content lint [--content DIR] [--mappings DIR]
// Defaults: ./content and ./mappings. Prints every problem as "file:line: error|warning:
// reason" and a summary line to `out`. Returns 0 when there is no error, 1 when there
// is at least one, 2 on a usage error (message on `err`).
int run_content_lint(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// explainer content report [--content DIR] [--mappings DIR] [--markdown]
// One row per document: content id, language, version, FK grade (en) or Fernández-Huerta
// (es), Flesch Reading Ease (en), SMOG (en) or INFLESZ (es), word count, review status
// and whether the readability gate passes; an aligned text table, or a Markdown table
// with --markdown. --mappings is accepted for symmetry with lint and not needed.
// Returns 0, or 2 on a usage error or an unreadable content folder (message on `err`).
int run_content_report(const std::vector<std::string>& args, std::ostream& out,
                       std::ostream& err = std::cerr);

}  // namespace explainer::content

// Turning identifiers into something safe to log.
#pragma once

#include <string>
#include <string_view>

namespace explainer::core {

// A short, stable, non-reversible tag for an identifier (accession number, MRN):
// the first 12 hex digits of its SHA-256. Lets an operator correlate log lines with
// a report they already know without the log holding the identifier itself.
std::string redact_id(std::string_view identifier);

}  // namespace explainer::core

// Finds the reports inside a parsed HL7 v2 message: one core::ReportView per OBR group, with
// the impression text decoded to UTF-8.
//
// Impression, per group, first that yields text:
//   1. OBX whose OBX-3 identifier is LOINC 19005-8 (first or alternate identifier) or whose
//      identifier ends with the subcomponent suffix "&IMP" (v2.3 ch.7 battery convention):
//      all such OBX concatenated in order, one line per OBX-5 repetition
//      (source kImpressionObservation);
//   2. the IMPRESSION:/CONCLUSION: section(s) of the report text assembled from the group's
//      TX/FT/ST OBX values, one line per OBX / repetition / \.br\ (source kReportTextSection).
// Otherwise impression is empty and impression_source is kNone: the caller forwards the report
// unenriched. OBX with an OBX-11 status in skipped_observation_statuses are ignored.
// Codes: every CE/CWE OBX value (each repetition; primary and alternate triplet).
// Groups come from hl7v2::find_obr_groups(): ReportView::group_index indexes that vector, so
// find_obr_groups(message)[view.group_index].insert_after is where enrichment OBX go.
// MSH-9 is not looked at: gate message types with hl7v2::check_inbound() first.
//
// Pure function of its inputs; thread-safe. Never throws except std::bad_alloc.
#pragma once

#include <string>
#include <vector>

#include "core/report.h"
#include "hl7v2/message.h"

namespace explainer::extract {

struct ExtractOptions {
  // OBR-25 values that count as released (safe to explain to the patient).
  std::vector<std::string> released_statuses = {"F", "C"};
  // OBX-11 values whose OBX is ignored (deleted, posted wrongly, cannot be obtained).
  std::vector<std::string> skipped_observation_statuses = {"D", "W", "X"};
};

std::vector<core::ReportView> extract_reports(const hl7v2::Message& message,
                                              const ExtractOptions& options = {});

// The report text of one OBR group (all TX/FT/ST OBX, decoded, one line each), as used by the
// section search; for the CLI and for troubleshooting.
std::string report_text(const hl7v2::Message& message, std::size_t group_index,
                        const ExtractOptions& options = {});

}  // namespace explainer::extract

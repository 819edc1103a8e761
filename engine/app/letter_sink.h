// LetterSink: the `letter` destination type. For each HL7 v2 report message it is handed (the
// message as received: letter destinations are never enriched in the outbox), it writes the
// patient letter (letter::letter_for_message: the first released report with an attached
// explanation; held explanations appear only as a note) into a folder for EHR letter
// workflows:
//   <folder>/<message id>-<outbox id>.html   (ids zero-padded, as delivery::FileSink; no
//                                            patient data in the name)
//   <folder>/<message id>-<outbox id>.pdf    also, when a Chromium binary is configured
// Each file is written to a hidden temporary name, fsynced, renamed into place and the folder
// fsynced (a reader never sees a partial file); only then kDelivered. The PDF is printed from
// the final HTML file by headless Chromium (bounded by pdf_timeout). A message with nothing to
// explain writes nothing and counts as delivered. A payload that is not HL7 v2 is kPermanent;
// I/O and Chromium failures are kRetry (a retry rewrites the same names).
//
// Rules and content are read from the engine's holders at each delivery (reloads apply).
// Thread safety: deliver() is called by one delivery worker at a time (Sink contract).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "content/library.h"
#include "delivery/file_sink.h"
#include "delivery/sink.h"
#include "enrich/selection.h"
#include "extract/extract.h"
#include "matching/rule_holder.h"

namespace explainer::app {

struct LetterSinkOptions {
  std::filesystem::path directory;
  std::string chromium;  // path of a Chromium binary; empty: HTML only
  std::chrono::seconds pdf_timeout{120};
  enrich::Policy policy;
  extract::ExtractOptions extract;
};

class LetterSink final : public delivery::Sink {
 public:
  // The holders must outlive the sink. Creates the folder (throws filesystem_error if it cannot).
  LetterSink(LetterSinkOptions options, const matching::RuleSetHolder& rules,
             const content::ContentLibraryHolder& content);
  core::DeliveryOutcome deliver(const delivery::DeliveryItem& item) override;

 private:
  core::DeliveryOutcome print_pdf(const std::filesystem::path& html,
                                  const std::filesystem::path& pdf);

  LetterSinkOptions options_;
  const matching::RuleSetHolder& rules_;
  const content::ContentLibraryHolder& content_;
  delivery::FileSink html_sink_;
};

}  // namespace explainer::app

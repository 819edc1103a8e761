// FileSink: writes each payload as one file into a folder (demos, letter workflows,
// pick-up folders of other systems).
//
// Atomic and durable: the bytes go to a hidden temporary file in the same folder, are
// fsynced, renamed to the final name, and the folder is fsynced; only then kDelivered.
// A reader never sees a partial file. File name: <message id>-<outbox id><extension>,
// ids zero-padded to 12 digits so that name order is delivery order. A redelivery (after
// a crash before the outbox was marked) rewrites the same name with the same bytes.
// I/O failures (missing folder, disk full) are kRetry with the errno text.
//
// Thread safety: deliver() may be called from several threads (it shares no state).
#pragma once

#include <filesystem>
#include <string>

#include "delivery/sink.h"

namespace explainer::delivery {

struct FileSinkOptions {
  std::filesystem::path directory;
  std::string extension = ".hl7";  // e.g. ".json", ".xml"
  bool create_directory = true;    // create `directory` (and parents) at construction
};

class FileSink final : public Sink {
 public:
  // Throws std::filesystem::filesystem_error if the folder must be created and cannot be.
  explicit FileSink(FileSinkOptions options);
  core::DeliveryOutcome deliver(const DeliveryItem& item) override;

  // The final path an item is written to.
  std::filesystem::path path_for(const DeliveryItem& item) const;

 private:
  FileSinkOptions options_;
};

}  // namespace explainer::delivery

// Helpers of the operator commands that work on a running engine's store (`explainer review`;
// `explainer queue` keeps its own copies for now and can switch to these).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "store/message_store.h"

namespace explainer::app {

// Reads explainerd's configuration file (.properties or .json) the way explainerd does.
// Throws ConfigError or Poco::Exception.
EngineConfig load_config_file(const std::string& file);

// Opens the store `config` names (SQLite or PostgreSQL) as a second process next to a running
// daemon: never creates it (a wrong path must not leave an empty database behind). Throws StoreError.
std::unique_ptr<store::MessageStore> open_operator_store(const EngineConfig& config);

// "0s", "45s", "3m12s", "2h05m", "3d04h".
std::string human_age(std::int64_t ms);

// CR/LF/TAB become spaces, so each table row stays on one line.
std::string one_line(std::string text);

// A plain text table with left-aligned columns, widths from the content.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace explainer::app

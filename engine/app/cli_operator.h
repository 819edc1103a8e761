// Helpers of the operator commands that work on a running engine's store (`explainer queue`,
// `explainer review`).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "store/message_store.h"

namespace explainer::app {

// Reads explainerd's configuration file (.properties or .json) the way explainerd does.
// Throws ConfigError or Poco::Exception.
EngineConfig load_config_file(const std::string& file);

// Opens the store `config` names (SQLite or PostgreSQL) as a second process next to a running
// daemon: never creates it (a wrong path must not leave an empty database behind). Throws
// StoreError.
std::unique_ptr<store::MessageStore> open_operator_store(const EngineConfig& config);

// Reads `config_file` and opens the store it names, as open_operator_store(). On failure writes
// "explainer <tool>: ..." to `err` (the file, or the store as describe_store() names it, and
// why) and returns null.
std::unique_ptr<store::MessageStore> open_operator_context(const std::string& tool,
                                                           const std::string& config_file,
                                                           EngineConfig& config, std::ostream& err);

// A row id typed by an operator: 1 to 18 decimal digits, above zero; nullopt otherwise.
std::optional<std::int64_t> parse_row_id(const std::string& text);

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

#include "app/cli_operator.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/JSONConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "app/store_factory.h"

namespace explainer::app {

EngineConfig load_config_file(const std::string& file) {
  Poco::AutoPtr<Poco::Util::AbstractConfiguration> config;
  if (Poco::toLower(Poco::Path(file).getExtension()) == "json") {
    config = new Poco::Util::JSONConfiguration(file);
  } else {
    config = new Poco::Util::PropertyFileConfiguration(file);
  }
  const std::string dir = Poco::Path(Poco::Path(file).absolute()).parent().toString();
  return load_engine_config(*config, dir);
}

std::unique_ptr<store::MessageStore> open_operator_store(const EngineConfig& config) {
  return open_configured_store(config.store, /*upgrade=*/false, /*create=*/false);
}

std::unique_ptr<store::MessageStore> open_operator_context(const std::string& tool,
                                                           const std::string& config_file,
                                                           EngineConfig& config,
                                                           std::ostream& err) {
  try {
    config = load_config_file(config_file);
  } catch (const ConfigError& e) {
    err << "explainer " << tool << ": " << config_file << ": " << e.what() << "\n";
    return nullptr;
  } catch (const Poco::Exception& e) {
    err << "explainer " << tool << ": cannot read configuration " << config_file << ": "
        << e.displayText() << "\n";
    return nullptr;
  }
  try {
    return open_operator_store(config);
  } catch (const std::exception& e) {
    err << "explainer " << tool << ": cannot open the store (" << describe_store(config.store)
        << "): " << e.what() << "\n";
    return nullptr;
  }
}

std::optional<std::int64_t> parse_row_id(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::int64_t id = std::stoll(text);
  return id > 0 ? std::optional<std::int64_t>(id) : std::nullopt;
}

std::string human_age(std::int64_t ms) {
  const std::int64_t s = std::max<std::int64_t>(ms, 0) / 1000;
  char text[48];
  if (s < 60) {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(text, sizeof text, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return text;
}

std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\t'; }, ' ');
  return text;
}

void TextTable::print(std::ostream& out) const {
  std::vector<std::size_t> width(rows_.front().size(), 0);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

}  // namespace explainer::app

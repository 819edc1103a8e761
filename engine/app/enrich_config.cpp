#include "app/enrich_config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/JSONConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include "app/config.h"

namespace explainer::app {

namespace {

using Poco::Util::AbstractConfiguration;

// Keys of the service's plumbing, which enrichment alone does not use.
bool ignored_for_enrichment(const std::string& key) {
  for (const char* prefix : {"listeners", "listener.", "destinations", "destination.", "store.",
                             "retry.", "paths.data"}) {
    if (key.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void copy_leaves(const AbstractConfiguration& from, const std::string& prefix,
                 Poco::Util::MapConfiguration& to) {
  AbstractConfiguration::Keys keys;
  from.keys(prefix, keys);
  for (const auto& k : keys) {
    const std::string full = prefix.empty() ? k : prefix + "." + k;
    AbstractConfiguration::Keys sub;
    from.keys(full, sub);
    if (!sub.empty()) {
      copy_leaves(from, full, to);
    } else if (!ignored_for_enrichment(full)) {
      to.setString(full, from.getString(full));
    }
  }
}

}  // namespace

EnrichConfig enrich_config_from(const EngineConfig& config) {
  EnrichConfig out;
  out.mappings_dir = config.mappings_dir;
  out.content_dir = config.content_dir;
  out.policy.default_language = config.default_language;
  out.policy.require_approved = config.require_approved;
  out.policy.routine = enrich::parse_action(config.policy_routine);
  out.policy.follow_up = enrich::parse_action(config.policy_follow_up);
  out.policy.sensitive = enrich::parse_action(config.policy_sensitive);
  out.v2_extract.released_statuses = config.released_statuses;
  out.fhir_extract.released_statuses = config.fhir_released_statuses;
  return out;
}

EnrichConfig load_enrich_config_file(const std::string& path) {
  Poco::AutoPtr<AbstractConfiguration> file;
  try {
    if (Poco::toLower(Poco::Path(path).getExtension()) == "json") {
      file = new Poco::Util::JSONConfiguration(path);
    } else {
      file = new Poco::Util::PropertyFileConfiguration(path);
    }
  } catch (const Poco::Exception& e) {
    throw ConfigError("cannot read configuration " + path + ": " + e.displayText());
  } catch (const std::exception& e) {
    throw ConfigError("cannot read configuration " + path + ": " + e.what());
  }
  const auto unknown = unknown_keys(*file);
  if (!unknown.empty()) {
    std::string text = "unknown configuration key";
    text += unknown.size() > 1 ? "s" : "";
    for (std::size_t i = 0; i < unknown.size(); ++i) text += (i ? ", '" : " '") + unknown[i] + "'";
    throw ConfigError(text);
  }
  Poco::AutoPtr<Poco::Util::MapConfiguration> enrichment(new Poco::Util::MapConfiguration);
  copy_leaves(*file, "", *enrichment);
  const std::string dir = Poco::Path(Poco::Path(path).absolute()).parent().toString();
  try {
    return enrich_config_from(load_engine_config(*enrichment, dir));
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    throw ConfigError(std::string("invalid configuration ") + path + ": " + e.what());
  }
}

std::string load_rules_into(matching::RuleSetHolder& holder, const std::string& dir) {
  const auto result = holder.reload(dir);
  if (result.ok()) return {};
  std::string text = "invalid mappings in " + dir + ":";
  for (const auto& e : result.errors) {
    text += "\n  " + e.file + ":" + std::to_string(e.line) + ": " + e.reason;
  }
  if (result.errors.empty()) text += " no rules loaded";
  return text;
}

std::string load_content_into(content::ContentLibraryHolder& holder, const std::string& dir) {
  const auto result = holder.reload(dir);
  if (result.ok()) return {};
  std::string text = "invalid content in " + dir + ":";
  for (const auto& p : result.problems) text += "\n  " + content::format_problem(p);
  return text;
}

}  // namespace explainer::app

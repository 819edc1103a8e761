// The enrichment-only view of explainerd's configuration, for the commands and the embedded
// library (engine/embed) that enrich messages without listeners, destinations or a store.
//
// load_enrich_config_file() reads the same file explainerd reads (.json as JSON, anything else
// as .properties), rejects unknown keys like explainerd does, ignores listener, destination,
// store and retry keys (present or not, valid or not), and checks the rest with
// load_engine_config(). Relative paths resolve against the file's directory.
#pragma once

#include <string>

#include "content/library.h"
#include "enrich/selection.h"
#include "extract/extract.h"
#include "extract/fhir_extract.h"
#include "matching/rule_holder.h"

namespace explainer::app {

struct EngineConfig;

struct EnrichConfig {
  std::string mappings_dir;
  std::string content_dir;
  enrich::Policy policy;
  extract::ExtractOptions v2_extract;
  extract::FhirExtractOptions fhir_extract;
};

// Throws ConfigError naming the key (or the file when it cannot be read or parsed).
EnrichConfig load_enrich_config_file(const std::string& path);
EnrichConfig enrich_config_from(const EngineConfig& config);

// Load `dir` into the holder; the holder's snapshot is replaced only by a clean load. Return ""
// on success, else what is wrong, one "file:line: reason" per line, headed by the directory.
std::string load_rules_into(matching::RuleSetHolder& holder, const std::string& dir);
std::string load_content_into(content::ContentLibraryHolder& holder, const std::string& dir);

}  // namespace explainer::app

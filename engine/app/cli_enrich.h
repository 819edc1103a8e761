// What `explainer enrich` and `explainer filter` share: their enrichment options, and the
// rules, content and policy they load — from the options, or with --config FILE from
// explainerd's configuration (see app/enrich_config.h), so an operator reproduces exactly what
// the service, or libexplainer given the same file, delivers.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "app/cli.h"
#include "content/library.h"
#include "enrich/message_enricher.h"
#include "matching/rule_holder.h"

namespace explainer::app {

// The option lines of the usage text shared by enrich and filter.
extern const char* const kEnrichOptionsUsage;

struct EnrichCliOptions {
  std::string config;  // explainerd configuration file; "" = the options below
  std::string mappings;
  std::string content;
  std::string default_language = "en";
  bool require_approved = false;
  bool attach_sensitive = false;
  enrich::MessageEnrichOptions message;  // input/output formats, OBX form, FHIR mode
};

// Consumes the enrichment options from `opts`. False when a value is invalid (a usage error).
bool parse_enrich_options(OptionScanner& opts, EnrichCliOptions& out);

// Rules + content + policy, loaded and ready. The enricher refers to the holders here, so the
// setup is neither copied nor moved (held by unique_ptr).
struct EnrichSetup {
  matching::RuleSetHolder rules;
  content::ContentLibraryHolder content;
  enrich::MessageEnrichOptions options;
  std::unique_ptr<enrich::MessageEnricher> enricher;
};

// Loads what `options` name. On failure prints why to `err` and returns nullptr.
std::unique_ptr<EnrichSetup> load_enrich_setup(const EnrichCliOptions& options, std::ostream& err);

}  // namespace explainer::app

// The C++ side of libexplainer: rules, content and policy from explainerd's configuration,
// enriching one message at a time through enrich::MessageEnricher (the code path of
// `explainer enrich`).
//
// Thread safety: enrich() is const and may run concurrently with other enrich() calls and with
// reload(); each call sees one snapshot of mappings and content. Destruction must not race with
// any call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "app/enrich_config.h"
#include "content/library.h"
#include "enrich/message_enricher.h"
#include "matching/rule_holder.h"

namespace explainer::embed {

// Why create() or reload() failed; the message names file, key or line, never patient data.
struct EngineError {
  enum class Kind { kConfig, kData } kind = Kind::kConfig;
  std::string message;
};

class EmbeddedEngine {
 public:
  // Loads the configuration file, then mappings and content. Null with *error on failure.
  static std::unique_ptr<EmbeddedEngine> create(const std::string& config_path, EngineError* error);

  // Reloads mappings and content; each is swapped only when it loads cleanly. False with
  // *error (both problems, when both fail).
  bool reload(EngineError* error);

  enrich::MessageEnrichment enrich(std::string_view bytes,
                                   const enrich::MessageEnrichOptions& options) const {
    return enricher_->enrich(bytes, options);
  }

  // The per-call options with the configured released statuses filled in.
  enrich::MessageEnrichOptions base_options() const;

 private:
  explicit EmbeddedEngine(app::EnrichConfig config) : config_(std::move(config)) {}

  app::EnrichConfig config_;
  matching::RuleSetHolder rules_;
  content::ContentLibraryHolder content_;
  std::unique_ptr<enrich::MessageEnricher> enricher_;
};

}  // namespace explainer::embed

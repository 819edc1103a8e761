#include "embed/embedded_engine.h"

#include "app/config.h"

namespace explainer::embed {

std::unique_ptr<EmbeddedEngine> EmbeddedEngine::create(const std::string& config_path,
                                                       EngineError* error) {
  app::EnrichConfig config;
  try {
    config = app::load_enrich_config_file(config_path);
  } catch (const std::exception& e) {
    *error = {EngineError::Kind::kConfig, e.what()};
    return nullptr;
  }
  std::unique_ptr<EmbeddedEngine> engine(new EmbeddedEngine(std::move(config)));
  if (!engine->reload(error)) return nullptr;
  engine->enricher_ = std::make_unique<enrich::MessageEnricher>(engine->rules_, engine->content_,
                                                                engine->config_.policy);
  return engine;
}

bool EmbeddedEngine::reload(EngineError* error) {
  const std::string rules_problem = app::load_rules_into(rules_, config_.mappings_dir);
  const std::string content_problem = app::load_content_into(content_, config_.content_dir);
  if (rules_problem.empty() && content_problem.empty()) return true;
  *error = {EngineError::Kind::kData,
            rules_problem + (rules_problem.empty() || content_problem.empty() ? "" : "\n") +
                content_problem};
  return false;
}

enrich::MessageEnrichOptions EmbeddedEngine::base_options() const {
  enrich::MessageEnrichOptions options;
  options.v2_extract = config_.v2_extract;
  options.fhir_extract = config_.fhir_extract;
  return options;
}

}  // namespace explainer::embed

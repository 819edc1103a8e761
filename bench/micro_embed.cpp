// libexplainer (engine/embed): the cost of one explainer_enrich() call as a host engine pays it
// — parse + extract + match + enrich + serialise, the result allocated and freed — through the
// C ABI of the shared object, for HL7 v2 and FHIR JSON.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "bench_support.h"
#include "explainer/explainer.h"

namespace explainer::bench {
namespace {

explainer_engine* embedded_engine() {
  static explainer_engine* engine = [] {
    explainer_engine* e = nullptr;
    const auto config = source_dir() / "tests" / "embed" / "embed.properties";
    if (explainer_engine_create(config.c_str(), &e) != EXPLAINER_OK) {
      std::cerr << "libexplainer: " << explainer_last_error() << "\n";
      std::abort();
    }
    return e;
  }();
  return engine;
}

void enrich_calls(benchmark::State& state, const std::string& message) {
  explainer_engine* engine = embedded_engine();
  int enriched = 0;
  for (auto _ : state) {
    explainer_result* result = nullptr;
    explainer_enrich(engine, message.data(), message.size(), EXPLAINER_FORMAT_AUTO, 0, &result);
    enriched = explainer_result_enriched(result);
    benchmark::DoNotOptimize(explainer_result_data(result, nullptr));
    explainer_result_free(result);
  }
  if (!enriched) state.SkipWithError("the message was not enriched");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
  state.counters["msg_bytes"] = static_cast<double>(message.size());
}

void BM_Embed_Enrich_V2_3KB(benchmark::State& state) {
  enrich_calls(state, sized_oru());
}
BENCHMARK(BM_Embed_Enrich_V2_3KB);

void BM_Embed_Enrich_V2_CtChest(benchmark::State& state) {
  enrich_calls(state, read_file(source_dir() / "tests/fixtures/radiology/ct-chest.hl7"));
}
BENCHMARK(BM_Embed_Enrich_V2_CtChest);

void BM_Embed_Enrich_FhirJson(benchmark::State& state) {
  enrich_calls(state,
               read_file(source_dir() / "tests/fixtures/fhir/radiology/mri-lumbar-spine.json"));
}
BENCHMARK(BM_Embed_Enrich_FhirJson);

}  // namespace
}  // namespace explainer::bench

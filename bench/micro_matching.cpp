// Impression matching (engine/matching): shipped rules, 100 and 10,000 synthetic rules, and the
// cost (time and memory) of loading a rule set.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "bench_support.h"
#include "matching/matcher.h"

namespace explainer::bench {
namespace {

// The report context each corpus impression would arrive with (same order as impressions_300()).
std::vector<matching::MatchContext> contexts() {
  return {{"MR", "lumbar spine", {}}, {"MR", "knee", {}},           {"CT", "chest", {}},
          {"US", "abdomen", {}},      {"CT", "head", {}},           {"MR", "shoulder", {}},
          {"CR", "chest", {}},        {"MR", "cervical spine", {}}, {"CR", "chest", {}},
          {"CT", "abdomen", {}}};
}

void run_matching(benchmark::State& state, const matching::RuleSet& rules) {
  const matching::Matcher matcher(rules);
  const auto& impressions = impressions_300();
  const auto context = contexts();
  std::size_t chars = 0, findings = 0;
  for (const auto& text : impressions) chars += text.size();
  for (std::size_t i = 0; i < impressions.size(); ++i)
    findings += matcher.match(impressions[i], context[i]).findings.size();
  for (auto _ : state) {
    for (std::size_t i = 0; i < impressions.size(); ++i) {
      auto result = matcher.match(impressions[i], context[i]);
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * impressions.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chars));
  state.counters["rules"] = static_cast<double>(rules.findings().size());
  state.counters["mean_chars"] =
      static_cast<double>(chars) / static_cast<double>(impressions.size());
  state.counters["findings_per_impression"] =
      static_cast<double>(findings) / static_cast<double>(impressions.size());
}

void BM_Match_ShippedRules(benchmark::State& state) {
  run_matching(state, *shipped_rules());
}
BENCHMARK(BM_Match_ShippedRules);

void BM_Match_SyntheticRules(benchmark::State& state) {
  auto loaded = matching::RuleSet::load_directory(
      synthetic_mappings(static_cast<std::size_t>(state.range(0))));
  if (!loaded.ok()) {
    state.SkipWithError("synthetic mappings failed to load");
    return;
  }
  run_matching(state, *loaded.rules);
}
BENCHMARK(BM_Match_SyntheticRules)->Arg(100)->Arg(10000);

// Load time, and memory retained by the loaded snapshot: heap bytes in use (mallinfo2) and RSS
// growth measured around the load while the snapshot is held. Arg 0 = the shipped mappings.
void BM_LoadRules(benchmark::State& state) {
  const auto dir = state.range(0) == 0
                       ? source_dir() / "mappings"
                       : synthetic_mappings(static_cast<std::size_t>(state.range(0)));
  double heap_mb = 0, rss_mb = 0, rules = 0;
  for (auto _ : state) {
    const std::size_t heap_before = heap_in_use(), rss_before = rss_bytes();
    auto loaded = matching::RuleSet::load_directory(dir);
    const std::size_t heap_after = heap_in_use(), rss_after = rss_bytes();
    if (!loaded.ok()) {
      state.SkipWithError("mappings failed to load");
      return;
    }
    // The first iteration is the honest one for RSS (later loads reuse freed pages): keep the max.
    heap_mb = std::max(heap_mb, static_cast<double>(heap_after - heap_before) / (1024.0 * 1024.0));
    if (rss_after > rss_before)
      rss_mb = std::max(rss_mb, static_cast<double>(rss_after - rss_before) / (1024.0 * 1024.0));
    rules = static_cast<double>(loaded.rules->findings().size());
    benchmark::DoNotOptimize(loaded);
  }
  state.counters["rules"] = rules;
  state.counters["heap_MB"] = heap_mb;
  state.counters["rss_delta_MB"] = rss_mb;
}
BENCHMARK(BM_LoadRules)->Arg(0)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace explainer::bench

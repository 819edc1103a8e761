// Enrichment (engine/enrich) and the whole in-process pipeline: parse + extract + match + enrich
// (+ the enriched ER7 write inside enrich), no network, no store.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "enrich/v2_enricher.h"
#include "extract/extract.h"
#include "hl7v2/message.h"

namespace explainer::bench {
namespace {

struct Shipped {
  matching::RuleSetHolder rules{shipped_rules()};
  content::ContentLibraryHolder content{shipped_content()};
  enrich::Policy policy;  // defaults: drafts allowed (the shipped library is draft), sensitive held
  enrich::V2Enricher enricher{rules, content, policy};
};

Shipped& shipped() {
  static Shipped instance;
  return instance;
}

void BM_Enrich_Fixtures(benchmark::State& state) {
  struct Prepared {
    hl7v2::Message message;
    std::vector<core::ReportView> reports;
  };
  std::vector<Prepared> prepared;
  for (const auto& f : radiology_fixtures()) {
    auto parsed = hl7v2::parse(f.bytes);
    if (!parsed.ok()) continue;
    auto reports = extract::extract_reports(*parsed.message);
    prepared.push_back({std::move(*parsed.message), std::move(reports)});
  }
  const auto& enricher = shipped().enricher;
  std::size_t added = 0;
  for (const auto& p : prepared)
    added += enricher.enrich(p.message, p.reports, enrich::V2Form::kFormattedText).added.size();
  for (auto _ : state) {
    for (const auto& p : prepared) {
      auto result = enricher.enrich(p.message, p.reports, enrich::V2Form::kFormattedText);
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * prepared.size()));
  state.counters["explanations_per_msg"] =
      static_cast<double>(added) / static_cast<double>(prepared.size());
}
BENCHMARK(BM_Enrich_Fixtures);

std::size_t pipeline(const enrich::V2Enricher& enricher, const std::string& bytes) {
  auto parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) return 0;
  const auto reports = extract::extract_reports(*parsed.message);
  const auto result = enricher.enrich(*parsed.message, reports, enrich::V2Form::kFormattedText);
  return result.payload ? result.payload->size() : bytes.size();
}

void BM_Pipeline_Fixtures(benchmark::State& state) {
  const auto& fixtures = radiology_fixtures();
  const auto& enricher = shipped().enricher;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& f : fixtures) {
      benchmark::DoNotOptimize(pipeline(enricher, f.bytes));
      bytes += f.bytes.size();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * fixtures.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_Pipeline_Fixtures);

void BM_Pipeline_3KB(benchmark::State& state) {
  const std::string message = sized_oru();
  const auto& enricher = shipped().enricher;
  std::size_t out_bytes = 0;
  for (auto _ : state) out_bytes = pipeline(enricher, message);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
  state.counters["msg_bytes"] = static_cast<double>(message.size());
  state.counters["enriched_bytes"] = static_cast<double>(out_bytes);
}
BENCHMARK(BM_Pipeline_3KB);

}  // namespace
}  // namespace explainer::bench

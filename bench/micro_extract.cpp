// Impression extraction (engine/extract) from parsed radiology ORU messages.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "extract/extract.h"
#include "hl7v2/message.h"

namespace explainer::bench {
namespace {

void BM_Extract_Fixtures(benchmark::State& state) {
  std::vector<hl7v2::Message> messages;
  for (const auto& f : radiology_fixtures()) {
    auto parsed = hl7v2::parse(f.bytes);
    if (parsed.ok()) messages.push_back(std::move(*parsed.message));
  }
  for (auto _ : state) {
    for (const auto& m : messages) {
      auto reports = extract::extract_reports(m);
      benchmark::DoNotOptimize(reports);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * messages.size()));
}
BENCHMARK(BM_Extract_Fixtures);

void BM_Extract_3KB(benchmark::State& state) {
  auto parsed = hl7v2::parse(sized_oru());
  if (!parsed.ok()) {
    state.SkipWithError("sized ORU does not parse");
    return;
  }
  for (auto _ : state) {
    auto reports = extract::extract_reports(*parsed.message);
    benchmark::DoNotOptimize(reports);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Extract_3KB);

}  // namespace
}  // namespace explainer::bench

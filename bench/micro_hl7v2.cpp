// ER7 parse and write (engine/hl7v2) on the radiology fixtures and on a ~3 KB ORU.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "hl7v2/message.h"

namespace explainer::bench {
namespace {

void BM_Hl7v2Parse_Fixtures(benchmark::State& state) {
  const auto& fixtures = radiology_fixtures();
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& f : fixtures) {
      auto parsed = hl7v2::parse(f.bytes);
      benchmark::DoNotOptimize(parsed);
      bytes += f.bytes.size();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * fixtures.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_Hl7v2Parse_Fixtures);

void BM_Hl7v2Parse_3KB(benchmark::State& state) {
  const std::string message = sized_oru();
  for (auto _ : state) {
    auto parsed = hl7v2::parse(message);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
  state.counters["msg_bytes"] = static_cast<double>(message.size());
}
BENCHMARK(BM_Hl7v2Parse_3KB);

void BM_Hl7v2Serialize_3KB(benchmark::State& state) {
  const std::string bytes = sized_oru();
  const auto parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) {
    state.SkipWithError("sized ORU does not parse");
    return;
  }
  for (auto _ : state) {
    std::string out = parsed.message->serialize();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_Hl7v2Serialize_3KB);

}  // namespace
}  // namespace explainer::bench

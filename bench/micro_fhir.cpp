// FHIR R4 JSON and XML read/write (engine/fhir) on DiagnosticReport examples from the spec.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::bench {
namespace {

const char* const kExample =
    "tests/fixtures/fhir/spec_examples/diagnosticreport-example-f201-brainct";

void BM_FhirJsonRead(benchmark::State& state) {
  const std::string text = read_file(source_dir() / (std::string(kExample) + ".json"));
  for (auto _ : state) {
    auto parsed = fhir::parse_json(text);
    if (!parsed) state.SkipWithError("example does not parse");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FhirJsonRead);

void BM_FhirJsonWrite(benchmark::State& state) {
  const auto parsed = fhir::parse_json(read_file(source_dir() / (std::string(kExample) + ".json")));
  if (!parsed) {
    state.SkipWithError("example does not parse");
    return;
  }
  for (auto _ : state) {
    auto out = fhir::write_json(*parsed);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FhirJsonWrite);

void BM_FhirXmlRead(benchmark::State& state) {
  const std::string text = read_file(source_dir() / (std::string(kExample) + ".xml"));
  for (auto _ : state) {
    auto parsed = fhir::parse_xml(text);
    if (!parsed) state.SkipWithError("example does not parse");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FhirXmlRead);

void BM_FhirXmlWrite(benchmark::State& state) {
  const auto parsed = fhir::parse_xml(read_file(source_dir() / (std::string(kExample) + ".xml")));
  if (!parsed) {
    state.SkipWithError("example does not parse");
    return;
  }
  for (auto _ : state) {
    auto out = fhir::write_xml(*parsed);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FhirXmlWrite);

}  // namespace
}  // namespace explainer::bench

// Content rendering (engine/content): every shipped English document in each rendering.
#include <benchmark/benchmark.h>

#include "bench_support.h"
#include "content/render.h"

namespace explainer::bench {
namespace {

std::vector<const content::ContentDocument*> english_documents() {
  std::vector<const content::ContentDocument*> out;
  for (const auto& d : shipped_content()->documents()) {
    if (d.language == "en") out.push_back(&d);
  }
  return out;
}

template <class Render>
void run_render(benchmark::State& state, Render render) {
  const auto documents = english_documents();
  if (documents.empty()) {
    state.SkipWithError("no English content");
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto* d : documents) {
      std::string out = render(*d);
      bytes += out.size();
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * documents.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_RenderHtmlFragment(benchmark::State& state) {
  run_render(state,
             [](const content::ContentDocument& d) { return content::render_html_fragment(d); });
}
BENCHMARK(BM_RenderHtmlFragment);

void BM_RenderPlainText(benchmark::State& state) {
  run_render(state,
             [](const content::ContentDocument& d) { return content::render_plain_text(d); });
}
BENCHMARK(BM_RenderPlainText);

void BM_RenderPlainTextHl7Escaped(benchmark::State& state) {
  const content::TextEscaper escape = content::escape_hl7_default;
  run_render(state, [&](const content::ContentDocument& d) {
    return content::render_plain_text_escaped(d, escape);
  });
}
BENCHMARK(BM_RenderPlainTextHl7Escaped);

void BM_RenderFhirNarrative(benchmark::State& state) {
  run_render(state,
             [](const content::ContentDocument& d) { return content::render_fhir_narrative(d); });
}
BENCHMARK(BM_RenderFhirNarrative);

}  // namespace
}  // namespace explainer::bench

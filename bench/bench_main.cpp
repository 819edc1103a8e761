// Entry point of explainer_bench (Google Benchmark's standard main).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();

// Entry point of explainer_bench: Google Benchmark's standard main, plus one helper mode for the
// run scripts:
//   explainer_bench --write-synthetic-mappings=N [--with-shipped]
// writes a mappings directory with N synthetic findings (bench_support.h), prints its path and
// exits. With --with-shipped the repository's own findings are copied in too, so the shipped
// content still matches (used for explainerd's memory with 10,000 rules).
//   explainer_bench --fhir-json-to-xml=FILE
// prints the FHIR XML form of a JSON resource (the FHIR endpoint's XML run posts the same report).
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "bench_support.h"
#ifdef EXPLAINER_BENCH_HAS_FHIR
#include "fhir/json_format.h"
#include "fhir/xml_format.h"
#endif

namespace {

int write_synthetic_mappings(const std::string& count, bool with_shipped) {
  namespace fs = std::filesystem;
  const std::size_t findings = std::stoul(count);
  const fs::path synthetic = explainer::bench::synthetic_mappings(findings);
  if (!with_shipped) {
    std::cout << synthetic.string() << "\n";
    return 0;
  }
  const fs::path merged = synthetic.string() + "-with-shipped";
  fs::remove_all(merged);
  fs::copy(synthetic, merged, fs::copy_options::recursive);
  for (const auto& entry :
       fs::directory_iterator(explainer::bench::source_dir() / "mappings/findings")) {
    fs::copy_file(entry.path(), merged / "findings" / entry.path().filename(),
                  fs::copy_options::overwrite_existing);
  }
  std::cout << merged.string() << "\n";
  return 0;
}

#ifdef EXPLAINER_BENCH_HAS_FHIR
// Prints the FHIR XML form of a JSON resource (the same report for the JSON and XML runs).
int json_to_xml(const std::string& path) {
  const auto parsed = explainer::fhir::parse_json(explainer::bench::read_file(path));
  if (!parsed) {
    std::cerr << "explainer_bench: " << path << " is not a FHIR JSON resource\n";
    return 1;
  }
  const auto xml = explainer::fhir::write_xml(*parsed);
  if (!xml) {
    std::cerr << "explainer_bench: cannot write " << path << " as XML\n";
    return 1;
  }
  std::cout << *xml;
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kWrite = "--write-synthetic-mappings=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kWrite, std::strlen(kWrite)) == 0) {
      bool with_shipped = false;
      for (int j = 1; j < argc; ++j)
        with_shipped = with_shipped || std::strcmp(argv[j], "--with-shipped") == 0;
      try {
        return write_synthetic_mappings(argv[i] + std::strlen(kWrite), with_shipped);
      } catch (const std::exception& e) {
        std::cerr << "explainer_bench: " << e.what() << "\n";
        return 1;
      }
    }
  }
#ifdef EXPLAINER_BENCH_HAS_FHIR
  constexpr const char* kToXml = "--fhir-json-to-xml=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kToXml, std::strlen(kToXml)) == 0)
      return json_to_xml(argv[i] + std::strlen(kToXml));
  }
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

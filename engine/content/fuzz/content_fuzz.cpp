// libFuzzer target for the content loader (one content .md document: YAML front matter and
// the Markdown body) and the renderings of what it accepts; properties in content_fuzz_oracle.h.
// Build: CC=clang CXX=clang++ cmake -S . -B build-fuzz -DEXPLAINER_FUZZ=ON && cmake --build
//        build-fuzz --target content_fuzz      (scripts/fuzz.sh does both and runs every target)
// Run:   build-fuzz/engine/content/content_fuzz -dict=engine/content/fuzz/content.dict CORPUS
// content/en
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "content/fuzz/content_fuzz_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string violation = explainer::content::fuzz::check_content_input(text);
  if (!violation.empty()) {
    std::fprintf(stderr, "content_fuzz: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}

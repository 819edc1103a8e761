// libFuzzer target: parse, dump, group, ACK, re-serialise. Aborts when a property breaks:
//   * parse() never throws and either succeeds or yields an error text;
//   * serialize(parse(x)) is x with the documented normalisation (message.h);
//   * with insertions, the output re-parses, and serialising that again gives the same bytes;
//   * every ACK we build parses.
// Build: CC=clang CXX=clang++ cmake -S . -B build-fuzz -DEXPLAINER_FUZZ=ON
//        -DEXPLAINER_COMPONENTS="core;hl7v2" && cmake --build build-fuzz --target er7_fuzz
// Run:   build-fuzz/engine/hl7v2/er7_fuzz -max_total_time=300 CORPUS_DIR tests/fixtures/hl7v2
//        (CORPUS_DIR: a scratch directory outside the repository).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hl7v2/hl7v2.h"

using namespace explainer::hl7v2;

namespace {
// Independent statement of the writer's normalisation (message.h): BOM and blank lines
// dropped, every line terminated by CR.
std::string normalised(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    if (i == bytes.size() || bytes[i] == '\r' || bytes[i] == '\n') {
      if (i > start) {
        out.append(bytes.substr(start, i - start));
        out.push_back('\r');
      }
      start = i + 1;
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const ParseResult result = parse(input);
  if (!result.ok()) {
    if (result.error.text.empty()) std::abort();
    if (!parse(build_ack_for_unparsed(input, AckRequest{})).ok()) std::abort();
    return 0;
  }
  if (result.message->serialize() != normalised(input)) std::abort();
  Message m = *result.message;
  (void)dump_structure(m);
  (void)check_inbound(result);
  for (const ObrGroup& group : find_obr_groups(m)) {
    for (std::size_t index : group.observations) (void)m.segment(index).text(5);
    m.insert_after(group.insert_after, "OBX|99|TX|X^Y^99LOCAL||" + m.encode("a|b^c\nd"));
  }
  const std::string once = m.serialize();
  const ParseResult again = parse(once);
  if (!again.ok()) std::abort();
  if (again.message->serialize() != once) std::abort();
  AckRequest request;
  request.status = AckStatus::kReject;
  request.errors.push_back(
      {101, {"MSH", 1, 10}, Severity::kError, std::string(input.substr(0, 16))});
  if (!parse(build_ack(*result.message, request)).ok()) std::abort();
  return 0;
}

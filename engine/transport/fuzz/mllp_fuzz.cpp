// libFuzzer target for MllpFrameDecoder (build with -DEXPLAINER_FUZZ=ON and clang).
//
// Input layout: byte 0 picks the frame limit (0..63, small so oversize paths run), byte 1 seeds
// the chunking, the rest is the stream. Properties checked:
//  1. Feeding the stream in arbitrary chunks, popping events in between, gives exactly the
//     events and statistics of feeding it in one piece.
//  2. Every frame respects the limit and contains no VT or FS; every oversize event exceeds it.
//  3. Every decoded frame, re-encoded with mllp_encode, decodes to itself with no garbage.
//  4. Byte accounting: every input byte is a frame/oversize payload byte, a marker, or garbage
//     (or still inside the unfinished frame).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "transport/mllp_frame.h"

using explainer::transport::kMllpEndBlock;
using explainer::transport::kMllpStartBlock;
using explainer::transport::kOversizeHeadBytes;
using explainer::transport::mllp_encode;
using explainer::transport::MllpEvent;
using explainer::transport::MllpEventType;
using explainer::transport::MllpFrameDecoder;

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

std::vector<MllpEvent> drain(MllpFrameDecoder& decoder) {
  std::vector<MllpEvent> events;
  while (auto event = decoder.next()) events.push_back(std::move(*event));
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = data[0] % 64;
  std::uint32_t rng = data[1] * 2654435761u + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  MllpFrameDecoder whole(limit);
  whole.feed(stream);
  const std::vector<MllpEvent> expected = drain(whole);

  MllpFrameDecoder chunked(limit);
  std::vector<MllpEvent> got;
  std::size_t offset = 0;
  while (offset < stream.size()) {
    rng = rng * 1103515245u + 12345u;
    const std::size_t chunk = 1 + (rng >> 16) % 17;
    chunked.feed(stream.substr(offset, chunk));
    offset += std::min(chunk, stream.size() - offset);
    if ((rng >> 8) & 1) {
      for (auto& e : drain(chunked)) got.push_back(std::move(e));
    }
  }
  for (auto& e : drain(chunked)) got.push_back(std::move(e));
  check(got == expected);
  check(chunked.stats() == whole.stats());
  check(chunked.in_frame() == whole.in_frame());
  check(chunked.partial_bytes() == whole.partial_bytes());

  std::uint64_t accounted =
      whole.stats().garbage_bytes + whole.partial_bytes() + (whole.in_frame() ? 1 : 0);
  std::uint64_t trailing_crs = 0;
  for (const MllpEvent& event : expected) {
    accounted += event.payload_bytes + 2;  // + VT and FS
    ++trailing_crs;
    if (event.type == MllpEventType::kFrame) {
      check(event.payload.size() == event.payload_bytes);
      check(event.payload.size() <= limit);
      check(event.payload.find(kMllpStartBlock) == std::string_view::npos);
      check(event.payload.find(kMllpEndBlock) == std::string_view::npos);
      MllpFrameDecoder again(limit);
      again.feed(mllp_encode(event.payload));
      auto echoed = again.next();
      check(echoed.has_value() && *echoed == event);
      check(!again.has_event() && again.stats().garbage_bytes == 0);
    } else {
      check(event.payload.size() <= kOversizeHeadBytes && event.payload.size() <= event.payload_bytes);
      check(event.payload_bytes > limit);
    }
  }
  // Each event's trailing CR was consumed unless it was missing, or the stream ended after FS.
  const std::uint64_t missing = whole.stats().missing_trailing_cr;
  check(accounted + (trailing_crs - missing) == stream.size() ||
        accounted + (trailing_crs - missing) - 1 == stream.size());
  return 0;
}

// Inputs that once broke a property of the MLLP fuzz target (fuzz/mllp_fuzz.cpp) keep
// passing it. The crashing inputs are also in fuzz/corpus/, so every fuzz run replays them.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "transport/mllp_frame.h"

namespace explainer::transport {
namespace {

std::vector<MllpEvent> decode(std::string_view stream, std::size_t limit, std::size_t chunk) {
  MllpFrameDecoder decoder(limit);
  for (std::size_t offset = 0; offset < stream.size(); offset += chunk) {
    decoder.feed(stream.substr(offset, chunk));
  }
  std::vector<MllpEvent> events;
  while (auto event = decoder.next()) events.push_back(std::move(*event));
  return events;
}

// From fuzzing (corpus/oversize_head_chunking): the head kept for an oversize frame (what the
// refusal ACK echoes MSH-10 from) held only the bytes of the chunk in which the limit was
// passed, so a sender writing in small pieces got an ACK that could not name its message.
TEST(MllpFuzzRegressions, OversizeHeadDoesNotDependOnChunking) {
  const std::string stream =
      "\x0b"
      "0126538z789k"
      "\x1c\r";
  const auto whole = decode(stream, 4, stream.size());
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].type, MllpEventType::kOversize);
  EXPECT_EQ(whole[0].payload, "0126538z789k");
  EXPECT_EQ(whole[0].payload_bytes, 12u);
  for (std::size_t chunk = 1; chunk < stream.size(); ++chunk) {
    SCOPED_TRACE(chunk);
    EXPECT_EQ(decode(stream, 4, chunk), whole);
  }
}

TEST(MllpFuzzRegressions, OversizeHeadIsCappedAcrossChunks) {
  const std::string payload(3 * kOversizeHeadBytes, 'x');
  const std::string stream = "\x0b" + payload + "\x1c\r";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, stream.size()}) {
    SCOPED_TRACE(chunk);
    const auto events = decode(stream, 10, chunk);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload, payload.substr(0, kOversizeHeadBytes));
    EXPECT_EQ(events[0].payload_bytes, payload.size());
  }
}

}  // namespace
}  // namespace explainer::transport

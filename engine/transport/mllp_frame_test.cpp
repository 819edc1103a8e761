#include "transport/mllp_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace explainer::transport {
namespace {

const std::string kVT(1, kMllpStartBlock);
const std::string kEnd = std::string(1, kMllpEndBlock) + std::string(1, kMllpCarriageReturn);

std::vector<MllpEvent> drain(MllpFrameDecoder& decoder) {
  std::vector<MllpEvent> events;
  while (auto event = decoder.next()) events.push_back(std::move(*event));
  return events;
}

std::vector<std::string> payloads(const std::vector<MllpEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    out.push_back(e.type == MllpEventType::kFrame
                      ? e.payload
                      : "<oversize " + std::to_string(e.payload_bytes) + ">");
  }
  return out;
}

MllpEvent frame(std::string payload) {
  const std::size_t size = payload.size();
  return MllpEvent{MllpEventType::kFrame, std::move(payload), size};
}

TEST(MllpEncode, WrapsPayloadInStartAndEndMarkers) {
  EXPECT_EQ(mllp_encode("MSH|x\r"), "\x0bMSH|x\r\x1c\r");
  EXPECT_EQ(mllp_encode(""), "\x0b\x1c\r");
}

TEST(MllpFrameDecoder, DecodesOneFrame) {
  MllpFrameDecoder decoder;
  decoder.feed(mllp_encode("MSH|^~\\&|A\rPID|1\r"));
  EXPECT_EQ(drain(decoder), std::vector<MllpEvent>{frame("MSH|^~\\&|A\rPID|1\r")});
  EXPECT_FALSE(decoder.in_frame());
  EXPECT_EQ(decoder.stats().garbage_bytes, 0u);
  EXPECT_EQ(decoder.stats().frames, 1u);
}

TEST(MllpFrameDecoder, EverySplitPointOfTwoFramesGivesTheSameFrames) {
  const std::string stream = "xx" + mllp_encode("first\r") + "\n" + mllp_encode("second\r");
  for (std::size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
    for (std::size_t cut2 = cut1; cut2 <= stream.size(); ++cut2) {
      MllpFrameDecoder decoder;
      decoder.feed(stream.substr(0, cut1));
      decoder.feed(stream.substr(cut1, cut2 - cut1));
      decoder.feed(stream.substr(cut2));
      ASSERT_EQ(payloads(drain(decoder)), (std::vector<std::string>{"first\r", "second\r"}))
          << "cuts at " << cut1 << "," << cut2;
      ASSERT_EQ(decoder.stats().garbage_bytes, 3u);
    }
  }
}

TEST(MllpFrameDecoder, ByteByByteFeedingMatchesOneShot) {
  const std::string stream = mllp_encode("a") + mllp_encode("") + "junk" + mllp_encode("bcd");
  MllpFrameDecoder whole;
  whole.feed(stream);
  MllpFrameDecoder bytewise;
  std::vector<MllpEvent> events;
  for (char c : stream) {
    bytewise.feed(std::string_view(&c, 1));
    for (auto& e : drain(bytewise)) events.push_back(std::move(e));
  }
  EXPECT_EQ(events, drain(whole));
  EXPECT_EQ(bytewise.stats(), whole.stats());
  EXPECT_EQ(payloads(events), (std::vector<std::string>{"a", "", "bcd"}));
}

TEST(MllpFrameDecoder, SeveralFramesInOneChunkComeOutInOrder) {
  MllpFrameDecoder decoder;
  decoder.feed(mllp_encode("1") + mllp_encode("2") + mllp_encode("3"));
  EXPECT_EQ(payloads(drain(decoder)), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(MllpFrameDecoder, GarbageBeforeAndBetweenFramesIsSkippedAndCounted) {
  MllpFrameDecoder decoder;
  decoder.feed("GET / HTTP/1.0\r\n");  // 16 bytes
  decoder.feed(mllp_encode("m1"));
  decoder.feed("\r\n");  // the frame's own CR was already consumed: both bytes are garbage
  decoder.feed(mllp_encode("m2"));
  EXPECT_EQ(payloads(drain(decoder)), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(decoder.stats().garbage_bytes, 18u);
}

TEST(MllpFrameDecoder, PartialFrameIsReportedAsInFrame) {
  MllpFrameDecoder decoder;
  decoder.feed(kVT + "MSH|");
  EXPECT_TRUE(decoder.in_frame());
  EXPECT_EQ(decoder.partial_bytes(), 4u);
  EXPECT_EQ(decoder.frames_started(), 1u);
  EXPECT_FALSE(decoder.has_event());
  decoder.feed(kEnd);
  EXPECT_FALSE(decoder.in_frame());
  EXPECT_EQ(payloads(drain(decoder)), std::vector<std::string>{"MSH|"});
}

TEST(MllpFrameDecoder, FrameOfExactlyTheLimitIsAccepted) {
  MllpFrameDecoder decoder(5);
  decoder.feed(mllp_encode("12345"));
  EXPECT_EQ(payloads(drain(decoder)), std::vector<std::string>{"12345"});
}

TEST(MllpFrameDecoder, OversizeFrameIsReportedOnceAtItsEndAndTheNextFrameStillDecodes) {
  MllpFrameDecoder decoder(5);
  const std::string big = mllp_encode("123456789");
  // Fed in pieces so the limit is crossed in the middle of a chunk and in a later chunk.
  decoder.feed(big.substr(0, 4));
  decoder.feed(big.substr(4, 4));
  EXPECT_TRUE(decoder.in_frame());
  EXPECT_FALSE(decoder.has_event());
  decoder.feed(big.substr(8));
  decoder.feed(mllp_encode("ok"));
  const auto events = drain(decoder);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, MllpEventType::kOversize);
  EXPECT_EQ(events[0].payload_bytes, 9u);
  // The head: the frame's first bytes (at most 1 KiB) whatever the chunking, so the refusal
  // can quote its header.
  EXPECT_EQ(events[0].payload, "123456789");
  EXPECT_EQ(events[1], frame("ok"));
  EXPECT_EQ(decoder.stats().oversize_frames, 1u);
  EXPECT_EQ(decoder.stats().garbage_bytes, 0u);
}

TEST(MllpFrameDecoder, StrayStartByteAbandonsThePartialFrameAndStartsANewOne) {
  MllpFrameDecoder decoder;
  decoder.feed(kVT + "half" + mllp_encode("whole"));
  EXPECT_EQ(payloads(drain(decoder)), std::vector<std::string>{"whole"});
  EXPECT_EQ(decoder.stats().abandoned_frames, 1u);
  EXPECT_EQ(decoder.stats().garbage_bytes, 5u);  // VT + "half"
  EXPECT_EQ(decoder.frames_started(), 2u);
}

TEST(MllpFrameDecoder, StrayStartByteWhileSkippingAnOversizeFrameGivesNoOversizeEvent) {
  MllpFrameDecoder decoder(3);
  decoder.feed(kVT + "toolong" + mllp_encode("ok"));
  EXPECT_EQ(payloads(drain(decoder)), std::vector<std::string>{"ok"});
  EXPECT_EQ(decoder.stats().oversize_frames, 0u);
  EXPECT_EQ(decoder.stats().abandoned_frames, 1u);
  EXPECT_EQ(decoder.stats().garbage_bytes, 8u);
}

TEST(MllpFrameDecoder, MissingTrailingCrIsToleratedAndCounted) {
  MllpFrameDecoder decoder;
  decoder.feed(kVT + "a\x1c" + kVT + "b\x1c" + "z" + mllp_encode("c"));
  EXPECT_EQ(payloads(drain(decoder)), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(decoder.stats().missing_trailing_cr, 2u);
  EXPECT_EQ(decoder.stats().garbage_bytes, 1u);  // the "z"
}

TEST(MllpFrameDecoder, FrameIsEmittedAtTheEndMarkerBeforeItsCrArrives) {
  MllpFrameDecoder decoder;
  decoder.feed(kVT + "a\x1c");
  EXPECT_EQ(payloads(drain(decoder)), std::vector<std::string>{"a"});
  decoder.feed("\r");
  EXPECT_EQ(decoder.stats().garbage_bytes, 0u);
  EXPECT_EQ(decoder.stats().missing_trailing_cr, 0u);
}

TEST(MllpFrameDecoder, EncodeThenDecodeRoundTripsBinaryPayloads) {
  std::string payload;
  for (int i = 0; i < 256; ++i) {
    if (i != kMllpStartBlock && i != kMllpEndBlock) payload.push_back(static_cast<char>(i));
  }
  MllpFrameDecoder decoder;
  decoder.feed(mllp_encode(payload));
  EXPECT_EQ(drain(decoder), std::vector<MllpEvent>{frame(payload)});
}

// Regression inputs found by engine/transport/fuzz/mllp_fuzz.cpp go below.

}  // namespace
}  // namespace explainer::transport

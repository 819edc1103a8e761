// MLLP release 1 framing: <VT=0x0B> payload <FS=0x1C><CR=0x0D>.
//
// Pure byte handling, no I/O, no clock: the listener, the client and the fuzz target share it.
//
// Decoder rules (what a peer can rely on):
//  * Bytes outside a frame (before a start byte, between frames) are skipped and counted as
//    garbage. That includes stray CR/LF that some senders put between frames.
//  * A frame ends at FS. The CR that should follow FS is consumed when it comes; if the next
//    byte is not CR the frame is still accepted (lenient, counted in missing_trailing_cr) and
//    that byte is decoded as if outside a frame. The frame is emitted as soon as FS is seen, so
//    a peer that never sends the CR is still answered.
//  * A start byte (VT) inside a frame means the sender abandoned the frame it was sending and
//    started a new one ("resync"): the partial frame is dropped without an event, its bytes
//    (start byte included) count as garbage and it counts as an abandoned frame. VT can never
//    occur inside a valid payload (MLLP only carries encodings that cannot produce 0x0B), and
//    merging two half-messages into one would alter a report; dropping the half that has no
//    end marker never does.
//  * A payload longer than max_frame_bytes is not buffered: once the limit is passed the
//    decoder keeps only a byte count, skips up to the frame's FS and then emits exactly one
//    kOversize event carrying the total payload size, in stream order with the other frames,
//    so the connection stays usable. A stray VT while skipping abandons the oversize frame as
//    above (no event).
//  * A payload of exactly max_frame_bytes is accepted. Empty frames (VT FS CR) are emitted.
//
// Thread safety: none; one decoder per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace explainer::transport {

inline constexpr char kMllpStartBlock = 0x0B;      // VT
inline constexpr char kMllpEndBlock = 0x1C;        // FS
inline constexpr char kMllpCarriageReturn = 0x0D;  // CR

inline constexpr std::size_t kDefaultMaxFrameBytes = 64u * 1024u * 1024u;

// Frames a payload: VT payload FS CR. The payload is copied as is; a payload that contains
// VT or FS cannot be framed faithfully (the receiver would cut it) and is the caller's bug.
std::string mllp_encode(std::string_view payload);

enum class MllpEventType {
  kFrame,     // a complete frame; payload holds its bytes
  kOversize,  // a frame longer than the limit was skipped; payload holds its first bytes
              // (at most kOversizeHeadBytes: enough for an MSH, so the refusal can name it)
};

inline constexpr std::size_t kOversizeHeadBytes = 1024;

struct MllpEvent {
  MllpEventType type = MllpEventType::kFrame;
  std::string payload;            // kFrame: the frame; kOversize: its first bytes
  std::size_t payload_bytes = 0;  // size of the frame's payload (for kOversize: the total skipped)

  bool operator==(const MllpEvent&) const = default;
};

// Running totals since construction.
struct MllpDecoderStats {
  std::uint64_t frames = 0;               // kFrame events produced
  std::uint64_t oversize_frames = 0;      // kOversize events produced
  std::uint64_t garbage_bytes = 0;        // bytes skipped outside frames, plus abandoned frames
  std::uint64_t abandoned_frames = 0;     // partial frames dropped because a new VT came
  std::uint64_t missing_trailing_cr = 0;  // frames whose FS was not followed by CR

  bool operator==(const MllpDecoderStats&) const = default;
};

class MllpFrameDecoder {
 public:
  explicit MllpFrameDecoder(std::size_t max_frame_bytes = kDefaultMaxFrameBytes);

  // Consumes a chunk of the byte stream; any split point is fine.
  void feed(std::string_view bytes);

  // Pops the oldest decoded event, in stream order; nullopt when none is pending.
  std::optional<MllpEvent> next();
  bool has_event() const { return !events_.empty(); }

  // True between a start byte and its end marker (including while skipping an oversize frame).
  bool in_frame() const { return state_ == State::kBody || state_ == State::kSkipOversize; }
  // Number of frames begun so far (each VT seen in or outside a frame). Lets a caller notice
  // that a new frame started, to run a per-frame timer, without the decoder knowing time.
  std::uint64_t frames_started() const { return frames_started_; }
  // Payload bytes of the frame in progress (0 outside a frame).
  std::size_t partial_bytes() const;

  const MllpDecoderStats& stats() const { return stats_; }
  std::size_t max_frame_bytes() const { return max_frame_bytes_; }

 private:
  enum class State { kHunt, kBody, kSkipOversize, kAfterEnd };

  std::size_t consume_hunt(std::string_view bytes);
  std::size_t consume_body(std::string_view bytes);
  std::size_t consume_skip(std::string_view bytes);
  std::size_t consume_after_end(std::string_view bytes);
  void start_frame();
  void abandon_frame();

  std::size_t max_frame_bytes_;
  State state_ = State::kHunt;
  std::string current_;            // payload of the frame in progress (kBody)
  std::string oversize_head_;     // first bytes of the frame being skipped
  std::size_t skipped_bytes_ = 0;  // payload bytes of the oversize frame (kSkipOversize)
  std::uint64_t frames_started_ = 0;
  std::deque<MllpEvent> events_;
  MllpDecoderStats stats_;
};

}  // namespace explainer::transport

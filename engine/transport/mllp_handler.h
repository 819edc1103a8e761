// What the MLLP listener calls for every frame it receives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace explainer::transport {

// Describes the connection a frame arrived on. Holds no patient data; safe to log.
struct ConnectionContext {
  std::uint64_t connection_id = 0;  // unique within one listener, starts at 1
  std::string peer_address;         // "ip:port" of the sender
  std::string listener_name;        // MllpListenerConfig::name
  std::uint64_t frame_index = 0;    // 1-based position of this frame (or oversize event) on it
};

// Contract:
//  * Called from the listener's connection threads, several at once: implementations must be
//    thread-safe. Calls for one connection are strictly sequential and in stream order; the
//    next frame of that connection is not read until the call returns and its answer is sent.
//  * The return value is the response payload (normally the HL7 ACK). The listener frames it
//    and writes it back before handling the next frame. Empty = send nothing.
//  * The payload view is valid only during the call; copy what must outlive it.
//  * Throwing closes that connection only (nothing is sent for the frame); the error is counted
//    and logged without the payload. Other connections are unaffected.
//  * stop() waits for calls in progress, so a call must not block indefinitely.
class MllpHandler {
 public:
  virtual ~MllpHandler() = default;

  // A complete frame.
  virtual std::string on_frame(std::string_view payload, const ConnectionContext& context) = 0;

  // A frame whose payload (payload_bytes long) exceeded max_frame_bytes was skipped unread.
  // Typically answered with a negative ACK; the connection stays open for the next frame.
  // `head` holds the frame's first bytes (at most kOversizeHeadBytes), e.g. to echo its MSH-10.
  virtual std::string on_oversize(std::size_t payload_bytes, std::string_view head,
                                  const ConnectionContext& context) = 0;
};

}  // namespace explainer::transport

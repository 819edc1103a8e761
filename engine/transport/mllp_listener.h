// MLLP listener: accepts TCP connections (Poco::Net::TCPServer), de-frames the byte stream and
// hands each frame to an MllpHandler, writing its answer back on the same connection.
//
// Threads: one pool thread per open connection (pool sized from max_connections, so the 17th
// persistent sender is not starved by Poco's 16-thread default), plus Poco's accept thread.
// Connections beyond max_connections are refused (accepted and closed at once, counted).
//
// Timeouts per connection:
//  * read_timeout: a frame that started (VT seen) must end (FS seen) within this time, else
//    the connection is closed; the partial frame is dropped unanswered.
//  * idle_timeout: no byte received between frames for this long -> the connection is closed.
//  * write_timeout: bounds writing one answer to a peer that does not read.
// Connection threads wake at least every poll_interval to check these and the stop flag.
//
// Logging (channel "transport.mllp"): connection open/close (including idle closes) at debug;
// errors, read timeouts, oversize frames and refusals at warning; payload bytes never logged
// (a handler exception's what() only at debug, as it may quote the payload).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "transport/mllp_frame.h"
#include "transport/mllp_handler.h"
#include "transport/tls.h"

namespace explainer::transport {

struct MllpListenerConfig {
  std::string name = "mllp";  // appears in logs and ConnectionContext
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 2575;  // 0 = ephemeral; see MllpListener::port()
  int listen_backlog = 64;
  std::size_t max_connections = 64;  // concurrent connections served; more are refused
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds poll_interval{100};  // bounds how long stop() waits for idle peers
  // Set: MLLP over TLS. The handshake runs first on each connection (bounded by
  // read_timeout); a failed handshake, or a client certificate whose CN is not in
  // allowed_client_cns, closes the connection (counted in tls_handshake_failures, logged at
  // warning with the reason, never with payload).
  std::optional<TlsServerOptions> tls = std::nullopt;
};

// A consistent-enough snapshot of the listener's counters (each value read atomically).
struct MllpListenerStats {
  std::uint64_t connections_accepted = 0;  // admitted and handed to a thread
  std::uint64_t connections_active = 0;    // being served now
  std::uint64_t connections_refused = 0;   // over max_connections (or no thread / queue full)
  std::uint64_t frames_received = 0;       // complete frames passed to on_frame
  std::uint64_t responses_sent = 0;        // non-empty answers written
  std::uint64_t garbage_bytes = 0;         // bytes skipped outside frames (see mllp_frame.h)
  std::uint64_t oversize_frames = 0;       // frames passed to on_oversize
  std::uint64_t abandoned_frames = 0;      // partial frames dropped: resync, timeout, peer close
  std::uint64_t read_timeouts = 0;
  std::uint64_t idle_timeouts = 0;
  std::uint64_t handler_errors = 0;  // on_frame/on_oversize threw; connection closed
  std::uint64_t io_errors = 0;       // socket errors other than an orderly close by the peer
  std::uint64_t tls_handshake_failures = 0;  // TLS handshake failed or client CN not allowed
};

// Lifetime: start() once, stop() (or the destructor) once. Not copyable.
// Thread safety: stats() and port() may be called from any thread; start()/stop() from one.
class MllpListener {
 public:
  // Throws std::invalid_argument for a null handler, zero max_connections/max_frame_bytes or
  // a non-positive timeout; TlsSetupError when the TLS options cannot be loaded.
  MllpListener(MllpListenerConfig config, std::shared_ptr<MllpHandler> handler);
  ~MllpListener();  // calls stop()
  MllpListener(const MllpListener&) = delete;
  MllpListener& operator=(const MllpListener&) = delete;

  // Binds (SO_REUSEADDR), listens and starts accepting. Throws std::runtime_error if the
  // address cannot be bound, std::logic_error if called twice.
  void start();

  // Stops accepting, shuts every open connection down and returns once all connection threads
  // have finished: threads blocked reading or writing wake at once (and within poll_interval
  // in any case); a handler call in progress is waited for. Frames already read but not yet
  // handled are dropped unanswered, so the sender will resend them. Idempotent.
  void stop();

  // The bound port (useful with port 0). 0 before start().
  std::uint16_t port() const;
  bool running() const;
  MllpListenerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace explainer::transport

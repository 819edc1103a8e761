#include "transport/mllp_connection.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Timespan.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <vector>

#include "transport/socket_wait.h"

namespace explainer::transport::detail {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kReadChunkBytes = 64 * 1024;

Poco::Timespan to_timespan(SteadyClock::duration duration) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
  return Poco::Timespan(std::max<Poco::Timespan::TimeDiff>(micros, 0));
}

std::string peer_of(const Poco::Net::StreamSocket& socket) {
  try {
    return socket.peerAddress().toString();
  } catch (...) {
    return "unknown";
  }
}

// Thrown inside serve() when the handler fails, so run() can tell it from socket errors.
struct HandlerFailed {};

}  // namespace

MllpListenerStats ListenerCounters::snapshot() const {
  MllpListenerStats s;
  s.connections_accepted = connections_accepted.load();
  s.connections_active = connections_active.load();
  s.connections_refused = connections_refused.load();
  s.frames_received = frames_received.load();
  s.responses_sent = responses_sent.load();
  s.garbage_bytes = garbage_bytes.load();
  s.oversize_frames = oversize_frames.load();
  s.abandoned_frames = abandoned_frames.load();
  s.read_timeouts = read_timeouts.load();
  s.idle_timeouts = idle_timeouts.load();
  s.handler_errors = handler_errors.load();
  s.io_errors = io_errors.load();
  s.tls_handshake_failures = tls_handshake_failures.load();
  return s;
}

void ListenerShared::register_socket(std::uint64_t id, const Poco::Net::StreamSocket& socket) {
  std::lock_guard<std::mutex> lock(open_sockets_mutex);
  open_sockets.emplace(id, socket);
}

void ListenerShared::close_and_unregister(std::uint64_t id, Poco::Net::StreamSocket& socket) {
  std::lock_guard<std::mutex> lock(open_sockets_mutex);
  open_sockets.erase(id);
  try {
    socket.close();
  } catch (...) {
  }
}

void ListenerShared::shut_down_open_sockets_for_reading() {
  std::lock_guard<std::mutex> lock(open_sockets_mutex);
  // On the descriptor itself: Poco's TLS sockets ignore half shutdowns, and an SSL object
  // must not be touched from a second thread.
  for (auto& [id, socket] : open_sockets) ::shutdown(socket.impl()->sockfd(), SHUT_RD);
}

std::size_t ListenerShared::open_socket_count() {
  std::lock_guard<std::mutex> lock(open_sockets_mutex);
  return open_sockets.size();
}

void ListenerShared::shut_down_open_sockets() {
  std::lock_guard<std::mutex> lock(open_sockets_mutex);
  for (auto& [id, socket] : open_sockets) ::shutdown(socket.impl()->sockfd(), SHUT_RDWR);
}

bool MllpAdmissionFilter::accept(const Poco::Net::StreamSocket& socket) {
  const std::size_t limit = shared_->config.max_connections;
  std::size_t current = shared_->admitted.load();
  while (!shared_->stopping.load()) {
    if (current >= limit) {
      shared_->counters.connections_refused.fetch_add(1);
      EXPLAINER_LOG(shared_->logger, warning)
          << "listener=" << shared_->config.name << " connection refused peer=" << peer_of(socket)
          << " reason=max_connections(" << limit << ") reached";
      return false;
    }
    if (shared_->admitted.compare_exchange_weak(current, current + 1)) {
      shared_->counters.connections_accepted.fetch_add(1);
      return true;
    }
  }
  return false;
}

MllpConnection::MllpConnection(const Poco::Net::StreamSocket& socket,
                               std::shared_ptr<ListenerShared> shared)
    : Poco::Net::TCPServerConnection(socket),
      shared_(std::move(shared)),
      connection_id_(shared_->next_connection_id.fetch_add(1)),
      peer_(peer_of(socket)) {}

MllpConnection::~MllpConnection() {
  shared_->admitted.fetch_sub(1);
}

void MllpConnection::run() {
  auto& counters = shared_->counters;
  counters.connections_active.fetch_add(1);
  EXPLAINER_LOG(shared_->logger, debug)
      << "listener=" << shared_->config.name << " connection=" << connection_id_
      << " open peer=" << peer_;
  shared_->register_socket(connection_id_, socket());
  std::string reason;
  try {
    reason = serve();
  } catch (const HandlerFailed&) {
    reason = "handler error";
  } catch (const Poco::Net::ConnectionResetException&) {
    reason = "reset by peer";
  } catch (const Poco::Net::SSLConnectionUnexpectedlyClosedException&) {
    reason = "closed by peer without TLS close_notify";
  } catch (const Poco::Exception& e) {
    if (shared_->stopping.load()) {
      reason = "listener stopping";  // stop() shut the socket down under a blocked call
    } else {
      counters.io_errors.fetch_add(1);
      reason = "socket error";
      EXPLAINER_LOG(shared_->logger, warning)
          << "listener=" << shared_->config.name << " connection=" << connection_id_
          << " socket error: " << e.displayText();
    }
  } catch (const std::exception& e) {
    counters.io_errors.fetch_add(1);
    reason = "error";
    EXPLAINER_LOG(shared_->logger, warning)
        << "listener=" << shared_->config.name << " connection=" << connection_id_
        << " error: " << e.what();
  } catch (...) {
    counters.io_errors.fetch_add(1);
    reason = "unknown error";
  }
  shared_->close_and_unregister(connection_id_, socket());
  counters.connections_active.fetch_sub(1);
  EXPLAINER_LOG(shared_->logger, debug)
      << "listener=" << shared_->config.name << " connection=" << connection_id_ << " closed ("
      << reason << ")";
}

std::string MllpConnection::serve() {
  const MllpListenerConfig& config = shared_->config;
  auto& counters = shared_->counters;
  Poco::Net::StreamSocket& sock = socket();
  sock.setSendTimeout(to_timespan(config.write_timeout));
  if (shared_->tls_context) {
    // A TLS read waiting for the rest of a record blocks for at most read_timeout.
    sock.setReceiveTimeout(to_timespan(config.read_timeout));
    if (!complete_tls_handshake()) return "TLS handshake failed";
  }

  MllpFrameDecoder decoder(config.max_frame_bytes);
  ConnectionContext context{connection_id_, peer_, config.name, 0};
  std::vector<char> buffer(kReadChunkBytes);
  auto last_activity = SteadyClock::now();
  auto frame_started_at = last_activity;
  std::uint64_t frames_started_seen = 0;

  for (;;) {
    if (shared_->stopping.load()) {
      if (decoder.in_frame()) counters.abandoned_frames.fetch_add(1);
      return "listener stopping";
    }
    const auto now = SteadyClock::now();
    SteadyClock::time_point deadline;
    if (decoder.in_frame()) {
      deadline = frame_started_at + config.read_timeout;
      if (now >= deadline) {
        counters.read_timeouts.fetch_add(1);
        counters.abandoned_frames.fetch_add(1);
        EXPLAINER_LOG(shared_->logger, warning)
            << "listener=" << config.name << " connection=" << connection_id_
            << " read timeout: frame incomplete after " << config.read_timeout.count() << " ms ("
            << decoder.partial_bytes() << " bytes dropped); closing";
        return "read timeout";
      }
    } else {
      deadline = last_activity + config.idle_timeout;
      if (now >= deadline) {
        counters.idle_timeouts.fetch_add(1);
        return "idle timeout";
      }
    }

    const auto wait = std::min<SteadyClock::duration>(deadline - now, config.poll_interval);
    // available(): bytes TLS has already decrypted but not handed out are not seen by poll(2).
    const bool buffered = sock.secure() && sock.available() > 0;
    if (!buffered && !wait_readable(sock, to_timespan(wait))) continue;
    if (shared_->stopping.load()) continue;  // woken by stop()'s shutdown: not the peer's doing

    const int received = sock.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
    if (received <= 0) {
      if (decoder.in_frame()) {
        counters.abandoned_frames.fetch_add(1);
        EXPLAINER_LOG(shared_->logger, warning)
            << "listener=" << config.name << " connection=" << connection_id_
            << " peer closed inside a frame (" << decoder.partial_bytes() << " bytes dropped)";
      }
      return "closed by peer";
    }
    last_activity = SteadyClock::now();
    decoder.feed(std::string_view(buffer.data(), static_cast<std::size_t>(received)));
    if (decoder.in_frame() && decoder.frames_started() != frames_started_seen) {
      frame_started_at = last_activity;
    }
    frames_started_seen = decoder.frames_started();
    publish_decoder_stats(decoder);

    if (!dispatch_events(decoder, context)) return "listener stopping";
    last_activity = SteadyClock::now();
  }
}

bool MllpConnection::complete_tls_handshake() {
  const MllpListenerConfig& config = shared_->config;
  auto refuse = [&](const std::string& why) {
    shared_->counters.tls_handshake_failures.fetch_add(1);
    if (!shared_->stopping.load()) {
      EXPLAINER_LOG(shared_->logger, warning)
          << "listener=" << config.name << " connection=" << connection_id_ << " peer=" << peer_
          << " TLS connection refused: " << why;
    }
    return false;
  };
  take_verification_error();
  try {
    Poco::Net::SecureStreamSocket secure(socket());
    if (secure.completeHandshake() <= 0) return refuse("handshake did not complete");
    if (config.tls->verify_client == ClientVerification::kNone) return true;
    if (!secure.havePeerCertificate()) {
      if (config.tls->allowed_client_cns.empty()) return true;
      return refuse("no client certificate, and tls.allowed_client_cns is set");
    }
    const std::string cn = secure.peerCertificate().commonName();
    if (!client_certificate_allowed(*config.tls, cn)) {
      return refuse("client certificate CN '" + cn + "' is not in tls.allowed_client_cns");
    }
    return true;
  } catch (const Poco::Exception& e) {
    return refuse(describe_tls_failure(e.displayText()));
  } catch (const std::exception& e) {
    return refuse(describe_tls_failure(e.what()));
  }
}

bool MllpConnection::dispatch_events(MllpFrameDecoder& decoder, ConnectionContext& context) {
  auto& counters = shared_->counters;
  while (auto event = decoder.next()) {
    if (shared_->stopping.load()) return false;
    ++context.frame_index;
    std::string response;
    try {
      if (event->type == MllpEventType::kFrame) {
        counters.frames_received.fetch_add(1);
        response = shared_->handler->on_frame(event->payload, context);
      } else {
        counters.oversize_frames.fetch_add(1);
        EXPLAINER_LOG(shared_->logger, warning)
            << "listener=" << context.listener_name << " connection=" << connection_id_
            << " oversize frame skipped: " << event->payload_bytes << " bytes > limit "
            << shared_->config.max_frame_bytes;
        response = shared_->handler->on_oversize(event->payload_bytes, event->payload, context);
      }
    } catch (const std::exception& e) {
      counters.handler_errors.fetch_add(1);
      EXPLAINER_LOG(shared_->logger, warning)
          << "listener=" << context.listener_name << " connection=" << connection_id_
          << " frame=" << context.frame_index << " handler threw; closing connection";
      // The message may quote the payload: keep it out of the levels above debug.
      EXPLAINER_LOG(shared_->logger, debug)
          << "listener=" << context.listener_name << " connection=" << connection_id_
          << " handler exception: " << e.what();
      throw HandlerFailed{};
    } catch (...) {
      counters.handler_errors.fetch_add(1);
      EXPLAINER_LOG(shared_->logger, warning)
          << "listener=" << context.listener_name << " connection=" << connection_id_
          << " frame=" << context.frame_index << " handler threw a non-standard exception; "
          << "closing connection";
      throw HandlerFailed{};
    }
    if (!response.empty()) {
      send_all(mllp_encode(response));
      counters.responses_sent.fetch_add(1);
    }
  }
  return true;
}

void MllpConnection::send_all(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const int n = socket().sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    if (n <= 0) throw Poco::Net::NetException("send returned no progress");
    sent += static_cast<std::size_t>(n);
  }
}

void MllpConnection::publish_decoder_stats(const MllpFrameDecoder& decoder) {
  const MllpDecoderStats& now = decoder.stats();
  auto& counters = shared_->counters;
  counters.garbage_bytes.fetch_add(now.garbage_bytes - published_.garbage_bytes);
  counters.abandoned_frames.fetch_add(now.abandoned_frames - published_.abandoned_frames);
  published_ = now;
}

}  // namespace explainer::transport::detail

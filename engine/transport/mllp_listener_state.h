// Internal to the MLLP listener: state shared by the listener, its admission filter and its
// connections. Not part of the public API.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "core/log.h"
#include "transport/mllp_handler.h"
#include "transport/mllp_listener.h"

namespace explainer::transport::detail {

struct ListenerCounters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_active{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> frames_received{0};
  std::atomic<std::uint64_t> responses_sent{0};
  std::atomic<std::uint64_t> garbage_bytes{0};
  std::atomic<std::uint64_t> oversize_frames{0};
  std::atomic<std::uint64_t> abandoned_frames{0};
  std::atomic<std::uint64_t> read_timeouts{0};
  std::atomic<std::uint64_t> idle_timeouts{0};
  std::atomic<std::uint64_t> handler_errors{0};
  std::atomic<std::uint64_t> io_errors{0};
  std::atomic<std::uint64_t> tls_handshake_failures{0};

  MllpListenerStats snapshot() const;
};

// Owned jointly (shared_ptr) by the listener and every connection object, so a connection
// never outlives what it points to. The handler is shared the same way.
struct ListenerShared {
  ListenerShared(MllpListenerConfig c, std::shared_ptr<MllpHandler> h)
      : config(std::move(c)),
        handler(std::move(h)),
        tls_context(config.tls ? make_server_context(*config.tls) : nullptr),
        logger(core::make_logger("transport.mllp")) {}

  const MllpListenerConfig config;
  const std::shared_ptr<MllpHandler> handler;
  const Poco::Net::Context::Ptr tls_context;  // null: plain TCP
  ListenerCounters counters;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_connection_id{1};
  // Connections admitted by the filter and not yet destroyed; bounded by max_connections.
  std::atomic<std::size_t> admitted{0};
  core::Logger logger;  // severity_channel_logger_mt: safe to share between threads

  // Sockets of connections being served, so stop() can shut them down and wake a thread
  // blocked writing to a peer that does not read. A connection unregisters before it closes
  // its socket, both under the mutex, so stop() never touches a closed descriptor.
  std::mutex open_sockets_mutex;
  std::map<std::uint64_t, Poco::Net::StreamSocket> open_sockets;

  void register_socket(std::uint64_t id, const Poco::Net::StreamSocket& socket);
  void close_and_unregister(std::uint64_t id, Poco::Net::StreamSocket& socket);
  // Stop reading on every open connection: threads blocked in a read wake at once, while a
  // handler call in progress can still write its ACK.
  void shut_down_open_sockets_for_reading();
  // Both directions: also wakes a thread blocked writing to a peer that does not read.
  void shut_down_open_sockets();
  std::size_t open_socket_count();
};

}  // namespace explainer::transport::detail

#include "transport/mllp_listener.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "transport/mllp_connection.h"

namespace explainer::transport {

namespace {
// Extra pool threads beyond max_connections: a Poco dispatcher thread that has just finished a
// connection may still hold its pool thread for a moment while a new connection is admitted.
constexpr int kPoolSlack = 4;
constexpr int kPoolIdleSeconds = 60;
}  // namespace

struct MllpListener::Impl {
  Impl(MllpListenerConfig config, std::shared_ptr<MllpHandler> handler)
      : shared(std::make_shared<detail::ListenerShared>(std::move(config), std::move(handler))) {}

  std::shared_ptr<detail::ListenerShared> shared;
  std::mutex lifecycle;  // serialises start()/stop()
  bool started = false;
  bool stopped = false;
  std::atomic<std::uint16_t> bound_port{0};
  // Declared before the server: the pool must outlive it.
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::TCPServer> server;
};

MllpListener::MllpListener(MllpListenerConfig config, std::shared_ptr<MllpHandler> handler) {
  if (!handler) throw std::invalid_argument("MllpListener needs a handler");
  if (config.max_connections == 0) throw std::invalid_argument("max_connections must be > 0");
  if (config.max_frame_bytes == 0) throw std::invalid_argument("max_frame_bytes must be > 0");
  const auto zero = std::chrono::milliseconds::zero();
  if (config.read_timeout <= zero || config.idle_timeout <= zero || config.write_timeout <= zero ||
      config.poll_interval <= zero) {
    throw std::invalid_argument("MLLP listener timeouts and poll_interval must be > 0");
  }
  impl_ = std::make_unique<Impl>(std::move(config), std::move(handler));
}

MllpListener::~MllpListener() {
  try {
    stop();
  } catch (...) {
  }
}

void MllpListener::start() {
  std::lock_guard<std::mutex> lock(impl_->lifecycle);
  if (impl_->started) throw std::logic_error("MllpListener::start called twice");
  const MllpListenerConfig& config = impl_->shared->config;
  const int max_connections = static_cast<int>(config.max_connections);

  Poco::Net::ServerSocket socket = impl_->shared->tls_context
                                       ? Poco::Net::SecureServerSocket(impl_->shared->tls_context)
                                       : Poco::Net::ServerSocket();
  try {
    // SO_REUSEADDR (restart despite TIME_WAIT) but not SO_REUSEPORT (never share a port).
    socket.bind(Poco::Net::SocketAddress(config.bind_address, config.port), /*reuseAddress=*/true,
                /*reusePort=*/false);
    socket.listen(config.listen_backlog);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen for MLLP on " + config.bind_address + ":" +
                             std::to_string(config.port) + ": " + e.displayText());
  }

  auto params = new Poco::Net::TCPServerParams;  // owned by the server (Poco AutoPtr)
  params->setMaxThreads(max_connections);
  params->setMaxQueued(max_connections);
  params->setThreadIdleTime(Poco::Timespan(kPoolIdleSeconds, 0));

  impl_->pool = std::make_unique<Poco::ThreadPool>("mllp-" + config.name, 1,
                                                   max_connections + kPoolSlack, kPoolIdleSeconds);
  impl_->server = std::make_unique<Poco::Net::TCPServer>(
      new detail::MllpConnectionFactory(impl_->shared), *impl_->pool, socket, params);
  impl_->server->setConnectionFilter(new detail::MllpAdmissionFilter(impl_->shared));
  impl_->bound_port = socket.address().port();
  impl_->server->start();
  impl_->started = true;
  EXPLAINER_LOG(impl_->shared->logger, info)
      << "listener=" << config.name << " listening on " << config.bind_address << ":"
      << impl_->bound_port << " max_connections=" << config.max_connections
      << " max_frame_bytes=" << config.max_frame_bytes << " tls="
      << (config.tls ? std::string("on min_version=") + to_string(config.tls->min_version) +
                           " verify_client=" + to_string(config.tls->verify_client)
                     : std::string("off"));
}

void MllpListener::stop() {
  std::lock_guard<std::mutex> lock(impl_->lifecycle);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->shared->stopping.store(true);
  impl_->server->stop();  // stops accepting; joins the accept thread; drops queued sockets
  // Graceful first: stop reading, so idle connections close at once while a message being
  // committed still gets its ACK written. Then, for threads still blocked (e.g. writing to a
  // peer that does not read), shut the sockets down completely.
  impl_->shared->shut_down_open_sockets_for_reading();
  const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->shared->open_socket_count() > 0 && std::chrono::steady_clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->shared->shut_down_open_sockets();
  impl_->pool->joinAll();  // connection threads see `stopping` within poll_interval
  impl_->server.reset();
  impl_->pool.reset();
  EXPLAINER_LOG(impl_->shared->logger, info)
      << "listener=" << impl_->shared->config.name << " stopped";
}

std::uint16_t MllpListener::port() const {
  return impl_->bound_port;
}

bool MllpListener::running() const {
  std::lock_guard<std::mutex> lock(impl_->lifecycle);
  return impl_->started && !impl_->stopped;
}

MllpListenerStats MllpListener::stats() const {
  return impl_->shared->counters.snapshot();
}

}  // namespace explainer::transport

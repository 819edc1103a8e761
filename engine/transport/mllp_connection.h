// Internal to the MLLP listener: the Poco connection object serving one socket, its factory
// and the admission filter that enforces max_connections. Not part of the public API.
#pragma once

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <memory>
#include <string>

#include "transport/mllp_frame.h"
#include "transport/mllp_listener_state.h"

namespace explainer::transport::detail {

// Serves one connection until the peer closes, a timeout fires, the handler throws or the
// listener stops. run() never lets an exception escape.
class MllpConnection final : public Poco::Net::TCPServerConnection {
 public:
  MllpConnection(const Poco::Net::StreamSocket& socket, std::shared_ptr<ListenerShared> shared);
  ~MllpConnection() override;  // releases the admission slot

  void run() override;

 private:
  // Returns the reason the connection ends (for the debug log).
  std::string serve();
  // TLS only: runs the handshake and checks the client certificate's CN. False: close now
  // (counted and logged).
  bool complete_tls_handshake();
  // Passes every decoded event to the handler and writes its answers. False: close now.
  bool dispatch_events(MllpFrameDecoder& decoder, ConnectionContext& context);
  void send_all(const std::string& bytes);
  void publish_decoder_stats(const MllpFrameDecoder& decoder);

  std::shared_ptr<ListenerShared> shared_;
  MllpDecoderStats published_;  // decoder totals already added to the shared counters
  std::uint64_t connection_id_;
  std::string peer_;
};

class MllpConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit MllpConnectionFactory(std::shared_ptr<ListenerShared> shared)
      : shared_(std::move(shared)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new MllpConnection(socket, shared_);
  }

 private:
  std::shared_ptr<ListenerShared> shared_;
};

// Runs on Poco's accept thread before a pool thread is spent: refuses (closes) a connection
// when max_connections are already admitted or the listener is stopping.
class MllpAdmissionFilter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit MllpAdmissionFilter(std::shared_ptr<ListenerShared> shared)
      : shared_(std::move(shared)) {}
  bool accept(const Poco::Net::StreamSocket& socket) override;

 private:
  std::shared_ptr<ListenerShared> shared_;
};

}  // namespace explainer::transport::detail

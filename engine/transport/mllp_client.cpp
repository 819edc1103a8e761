#include "transport/mllp_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "transport/socket_wait.h"

namespace explainer::transport {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t kReadChunkBytes = 64 * 1024;

Poco::Timespan to_timespan(SteadyClock::duration duration) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
  return Poco::Timespan(std::max<Poco::Timespan::TimeDiff>(micros, 1));
}

}  // namespace

const char* to_string(MllpSendStatus status) {
  switch (status) {
    case MllpSendStatus::kOk:
      return "ok";
    case MllpSendStatus::kConnectFailed:
      return "connect_failed";
    case MllpSendStatus::kTimeout:
      return "timeout";
    case MllpSendStatus::kIoError:
      return "io_error";
    case MllpSendStatus::kProtocolError:
      return "protocol_error";
  }
  return "unknown";
}

MllpClient::MllpClient(MllpClientConfig config)
    : config_(std::move(config)),
      tls_context_(config_.tls ? make_client_context(*config_.tls, config_.host) : nullptr) {}

MllpClient::~MllpClient() {
  disconnect();
}

void MllpClient::disconnect() {
  if (!socket_) return;
  try {
    socket_->close();
  } catch (...) {
  }
  socket_.reset();
}

bool MllpClient::connect(std::string& error) {
  try {
    std::unique_ptr<Poco::Net::StreamSocket> socket;
    const Poco::Net::SocketAddress address(config_.host, config_.port);
    if (tls_context_) {
      take_verification_error();
      auto secure = std::make_unique<Poco::Net::SecureStreamSocket>(tls_context_);
      secure->setPeerHostName(config_.host);                           // SNI
      secure->connect(address, to_timespan(config_.connect_timeout));  // includes the handshake
      socket = std::move(secure);
    } else {
      socket = std::make_unique<Poco::Net::StreamSocket>();
      socket->connect(address, to_timespan(config_.connect_timeout));
    }
    socket->setNoDelay(true);
    socket_ = std::move(socket);
    return true;
  } catch (const Poco::Net::SSLException& e) {
    error = "cannot connect to " + config_.host + ":" + std::to_string(config_.port) + ": " +
            describe_tls_failure(e.displayText());
  } catch (const Poco::Exception& e) {
    error = "cannot connect to " + config_.host + ":" + std::to_string(config_.port) + ": " +
            (tls_context_ ? describe_tls_failure(e.displayText()) : e.displayText());
  } catch (const std::exception& e) {
    error =
        "cannot connect to " + config_.host + ":" + std::to_string(config_.port) + ": " + e.what();
  }
  return false;
}

// An idle MLLP connection must have nothing to read: readable means the peer closed it (EOF),
// reset it, or sent something nobody asked for. None of these leaves it usable.
// Over TLS, readable may also mean TLS-level records only (a TLS 1.3 server's session
// tickets): a short read tells them apart, as it consumes those and times out without data.
bool MllpClient::connection_is_reusable() {
  try {
    const bool readable = wait_readable(*socket_, Poco::Timespan(0));
    if (!readable) return true;
    if (!tls_context_) return false;
    socket_->setReceiveTimeout(Poco::Timespan(0, 1000));
    char probe = 0;
    socket_->receiveBytes(&probe, 1);
    return false;  // application data nobody asked for, or the peer closed
  } catch (const Poco::TimeoutException&) {
    return true;
  } catch (...) {
    return false;
  }
}

MllpSendResult MllpClient::fail(MllpSendStatus status, std::string message, std::string response) {
  disconnect();
  return MllpSendResult{status, std::move(response), std::move(message)};
}

MllpSendResult MllpClient::send(std::string_view payload, std::chrono::milliseconds ack_timeout) {
  if (socket_ && !connection_is_reusable()) disconnect();
  if (!socket_) {
    std::string error;
    if (!connect(error)) return fail(MllpSendStatus::kConnectFailed, std::move(error));
  }
  const auto deadline = SteadyClock::now() + ack_timeout;

  try {
    const std::string framed = mllp_encode(payload);
    std::size_t sent = 0;
    while (sent < framed.size()) {
      const auto remaining = deadline - SteadyClock::now();
      if (remaining <= SteadyClock::duration::zero()) {
        return fail(MllpSendStatus::kTimeout, "timed out writing the message");
      }
      socket_->setSendTimeout(to_timespan(remaining));
      const int n =
          socket_->sendBytes(framed.data() + sent, static_cast<int>(framed.size() - sent));
      if (n <= 0) return fail(MllpSendStatus::kIoError, "write made no progress");
      sent += static_cast<std::size_t>(n);
    }

    MllpFrameDecoder decoder(config_.max_response_bytes);
    // Not zero-filled: only the bytes receiveBytes() reports are read (zeroing 64 KB per message
    // was a visible share of a delivery).
    const auto buffer = std::make_unique_for_overwrite<char[]>(kReadChunkBytes);
    for (;;) {
      const auto remaining = deadline - SteadyClock::now();
      if (remaining <= SteadyClock::duration::zero()) {
        return fail(MllpSendStatus::kTimeout,
                    "no response within " + std::to_string(ack_timeout.count()) + " ms");
      }
      // available(): bytes TLS has already decrypted are not seen by poll(2).
      const bool buffered = tls_context_ && socket_->available() > 0;
      if (!buffered && !wait_readable(*socket_, to_timespan(remaining))) continue;
      socket_->setReceiveTimeout(to_timespan(deadline - SteadyClock::now()));  // TLS record reads
      const int n = socket_->receiveBytes(buffer.get(), static_cast<int>(kReadChunkBytes));
      if (n <= 0) {
        return fail(MllpSendStatus::kIoError, "connection closed by peer before a response");
      }
      decoder.feed(std::string_view(buffer.get(), static_cast<std::size_t>(n)));
      auto event = decoder.next();
      if (!event) continue;
      if (event->type == MllpEventType::kOversize) {
        return fail(MllpSendStatus::kProtocolError, "response of " +
                                                        std::to_string(event->payload_bytes) +
                                                        " bytes exceeds max_response_bytes");
      }
      if (decoder.has_event() || decoder.in_frame()) {
        return fail(MllpSendStatus::kProtocolError,
                    "peer sent more than one response frame for one message",
                    std::move(event->payload));
      }
      return MllpSendResult{MllpSendStatus::kOk, std::move(event->payload), {}};
    }
  } catch (const Poco::TimeoutException&) {
    return fail(MllpSendStatus::kTimeout, "timed out writing the message or reading the response");
  } catch (const Poco::Exception& e) {
    return fail(MllpSendStatus::kIoError, e.displayText());
  } catch (const std::exception& e) {
    return fail(MllpSendStatus::kIoError, e.what());
  }
}

}  // namespace explainer::transport

// MLLP sender: frames a payload, writes it, and waits for exactly one response frame.
//
// It does not interpret the response (the caller checks MSA-1/MSA-2 of the HL7 ACK).
// Thread safety: none; use one client per sending thread (e.g. per delivery worker).
#pragma once

#include <Poco/Net/Context.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "transport/mllp_frame.h"
#include "transport/tls.h"

namespace Poco::Net {
class StreamSocket;
}

namespace explainer::transport {

struct MllpClientConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2575;
  std::chrono::milliseconds connect_timeout{5'000};
  std::size_t max_response_bytes = 16u * 1024u * 1024u;
  // Set: MLLP over TLS. The handshake is part of connecting (bounded by connect_timeout); a
  // refused certificate is kConnectFailed with "certificate verification failed: <why>".
  std::optional<TlsClientOptions> tls = std::nullopt;
};

enum class MllpSendStatus {
  kOk,             // one response frame arrived; response holds it
  kConnectFailed,  // could not resolve/connect; nothing was sent
  kTimeout,        // no complete response within ack_timeout (the message may have arrived)
  kIoError,        // write/read failed or the peer closed before answering
  kProtocolError,  // the peer answered with an oversize frame or with more than one frame
};

const char* to_string(MllpSendStatus status);

struct MllpSendResult {
  MllpSendStatus status = MllpSendStatus::kIoError;
  std::string response;  // the response payload (kOk; for kProtocolError the first frame, if any)
  std::string message;   // why it failed, for logs; never contains payload bytes

  bool ok() const { return status == MllpSendStatus::kOk; }
};

// Connection policy:
//  * Connects lazily on the first send and keeps the connection open between sends.
//  * Before reusing an open connection it checks that the peer has not closed it and has not
//    sent anything unasked; if it has, it reconnects first (a restarted server is transparent).
//  * After any failure (timeout, I/O or protocol error) the connection is closed, so a late or
//    extra answer can never be taken for the answer to the next message; the next send
//    reconnects. send() never resends by itself: whether to retry is the caller's decision
//    (after kTimeout/kIoError the peer may or may not have received the message).
class MllpClient {
 public:
  explicit MllpClient(MllpClientConfig config);
  ~MllpClient();
  MllpClient(const MllpClient&) = delete;
  MllpClient& operator=(const MllpClient&) = delete;

  // Throws TlsSetupError when the TLS options cannot be loaded.
  // Frames and writes payload, then waits for one response frame. ack_timeout bounds the write
  // and the wait together (the connect has its own connect_timeout).
  MllpSendResult send(std::string_view payload, std::chrono::milliseconds ack_timeout);

  void disconnect();
  bool connected() const { return socket_ != nullptr; }
  const MllpClientConfig& config() const { return config_; }

 private:
  bool connect(std::string& error);
  bool connection_is_reusable();
  MllpSendResult fail(MllpSendStatus status, std::string message, std::string response = {});

  MllpClientConfig config_;
  Poco::Net::Context::Ptr tls_context_;  // null: plain TCP
  std::unique_ptr<Poco::Net::StreamSocket> socket_;
};

}  // namespace explainer::transport

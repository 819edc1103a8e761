// Test-only helpers: a raw TCP peer that writes arbitrary bytes and reads MLLP frames, and a
// deterministic handler that answers "ACK:" + payload.
#pragma once

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "transport/mllp_frame.h"
#include "transport/mllp_handler.h"

namespace explainer::transport::test_support {

// Answers "ACK:<payload>" to frames and "OVERSIZE:<bytes>" to oversize ones; throws for the
// payload "boom" and, quoting the payload in what(), for "leak:..."; answers nothing for the
// payload "silence"; answers 32 MiB to "huge".
class EchoHandler : public MllpHandler {
 public:
  std::string on_frame(std::string_view payload, const ConnectionContext&) override {
    calls.fetch_add(1);
    if (payload == "boom") throw std::runtime_error("handler failure for a test");
    if (payload.starts_with("leak:")) {
      throw std::runtime_error("cannot parse " + std::string(payload));  // quotes the payload
    }
    if (payload == "silence") return {};
    if (payload == "huge") return std::string(32u * 1024u * 1024u, 'h');  // outgrows socket buffers
    return "ACK:" + std::string(payload);
  }
  std::string on_oversize(std::size_t bytes, std::string_view, const ConnectionContext&) override {
    return "OVERSIZE:" + std::to_string(bytes);
  }
  std::atomic<int> calls{0};
};

class RawPeer {
 public:
  explicit RawPeer(std::uint16_t port) {
    socket_.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
    socket_.setNoDelay(true);
  }

  void write(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      sent += static_cast<std::size_t>(
          socket_.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
    }
  }

  // Next response frame, or nullopt on EOF / timeout (generous: a failure, not a pace).
  std::optional<std::string> read_frame(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (auto event = decoder_.next()) return event->payload;
      if (eof_ || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      read_some(deadline);
    }
  }

  // Half-closes, then reads until the server closes; returns every frame still received.
  std::vector<std::string> finish_and_read_rest() {
    socket_.shutdownSend();
    return read_until_closed();
  }

  // Reads until EOF (bounded by a generous timeout); returns the frames received meanwhile.
  std::vector<std::string> read_until_closed(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_ && std::chrono::steady_clock::now() < deadline) read_some(deadline);
    std::vector<std::string> frames;
    while (auto event = decoder_.next()) frames.push_back(event->payload);
    return frames;
  }

  bool closed_by_server() const { return eof_; }

 private:
  void read_some(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    if (!socket_.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ)) return;
    char buffer[4096];
    int n = 0;
    try {
      n = socket_.receiveBytes(buffer, sizeof buffer);
    } catch (...) {
      n = 0;  // reset counts as closed
    }
    if (n <= 0) {
      eof_ = true;
      return;
    }
    decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  }

  Poco::Net::StreamSocket socket_;
  MllpFrameDecoder decoder_;
  bool eof_ = false;
};

}  // namespace explainer::transport::test_support

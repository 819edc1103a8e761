// Test support: a downstream MLLP peer that records what it receives and answers with an
// HL7 ACK whose code the test chooses (AA by default). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hl7v2/ack.h"
#include "hl7v2/message.h"
#include "transport/mllp_listener.h"

namespace explainer::test_support {

class DownstreamPeer {
 public:
  // With `tls`: an MLLP-over-TLS peer.
  explicit DownstreamPeer(std::uint16_t port = 0,
                          std::optional<transport::TlsServerOptions> tls = std::nullopt) {
    transport::MllpListenerConfig config;
    config.name = "downstream";
    config.bind_address = "127.0.0.1";
    config.port = port;
    config.tls = std::move(tls);
    handler_ = std::make_shared<Handler>();
    listener_ = std::make_unique<transport::MllpListener>(config, handler_);
    listener_->start();
  }
  ~DownstreamPeer() { listener_->stop(); }

  std::uint16_t port() const { return listener_->port(); }
  // "AA", "AE" or "AR" for the messages that follow.
  void answer_with(const std::string& code) {
    std::lock_guard<std::mutex> lock(handler_->mu);
    handler_->code = code;
  }
  std::vector<std::string> received() const {
    std::lock_guard<std::mutex> lock(handler_->mu);
    return handler_->frames;
  }
  // Waits until at least `count` frames arrived; false on timeout.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    std::unique_lock<std::mutex> lock(handler_->mu);
    return handler_->cv.wait_for(lock, timeout, [&] { return handler_->frames.size() >= count; });
  }

 private:
  struct Handler : transport::MllpHandler {
    std::string on_frame(std::string_view payload, const transport::ConnectionContext&) override {
      const auto parsed = hl7v2::parse(payload);
      std::string reply_code;
      {
        std::lock_guard<std::mutex> lock(mu);
        reply_code = code;
        if (reply_code == "AA") frames.emplace_back(payload);
        else refused.emplace_back(payload);
      }
      cv.notify_all();
      hl7v2::AckRequest request;
      request.status = reply_code == "AA"   ? hl7v2::AckStatus::kAccept
                       : reply_code == "AE" ? hl7v2::AckStatus::kError
                                            : hl7v2::AckStatus::kReject;
      if (request.status != hl7v2::AckStatus::kAccept) {
        request.errors.push_back({hl7v2::error_code::kApplicationInternalError, {},
                                  hl7v2::Severity::kError, "refused by the test peer"});
      }
      return parsed.ok() ? hl7v2::build_ack(*parsed.message, request)
                         : hl7v2::build_ack_for_unparsed(payload, request);
    }
    std::string on_oversize(std::size_t, std::string_view, const transport::ConnectionContext&) override {
      return {};
    }

    mutable std::mutex mu;
    std::condition_variable cv;
    std::string code = "AA";
    std::vector<std::string> frames;   // accepted (AA) frames
    std::vector<std::string> refused;  // frames answered AE/AR
  };

  std::shared_ptr<Handler> handler_;
  std::unique_ptr<transport::MllpListener> listener_;
};

}  // namespace explainer::test_support

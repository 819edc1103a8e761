#include "transport/mllp_listener.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <latch>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "core/log.h"
#include "transport/mllp_client.h"
#include "transport/mllp_test_peer.h"

namespace explainer::transport {
namespace {

using namespace std::chrono_literals;
using test_support::EchoHandler;
using test_support::RawPeer;

MllpListenerConfig loopback_config() {
  MllpListenerConfig config;
  config.name = "test";
  config.bind_address = "127.0.0.1";
  config.port = 0;
  config.poll_interval = 20ms;
  return config;
}

// Polls a condition that another thread makes true; a generous bound turns a hang into a
// failure, it is not a speed assertion.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds bound = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

class MllpListenerTest : public ::testing::Test {
 protected:
  void start(MllpListenerConfig config = loopback_config()) {
    listener = std::make_unique<MllpListener>(config, handler);
    listener->start();
    ASSERT_NE(listener->port(), 0);
  }
  std::shared_ptr<EchoHandler> handler = std::make_shared<EchoHandler>();
  std::unique_ptr<MllpListener> listener;
};

TEST_F(MllpListenerTest, FrameSplitByteByByteIsAnswered) {
  start();
  RawPeer peer(listener->port());
  for (char c : mllp_encode("MSH|split\r")) peer.write(std::string_view(&c, 1));
  EXPECT_EQ(peer.read_frame(), "ACK:MSH|split\r");
}

TEST_F(MllpListenerTest, TwoFramesInOneWriteGetTwoAnswersInOrder) {
  start();
  RawPeer peer(listener->port());
  peer.write(mllp_encode("one") + mllp_encode("two"));
  EXPECT_EQ(peer.finish_and_read_rest(), (std::vector<std::string>{"ACK:one", "ACK:two"}));
  EXPECT_EQ(listener->stats().frames_received, 2u);
}

TEST_F(MllpListenerTest, ReusedConnectionGetsExactlyOneAnswerPerMessage) {
  start();
  RawPeer peer(listener->port());
  for (const std::string message : {"m1", "m2", "m3"}) {
    peer.write(mllp_encode(message));
    EXPECT_EQ(peer.read_frame(), "ACK:" + message);
  }
  // Nothing else may arrive: no earlier message is answered again.
  EXPECT_TRUE(peer.finish_and_read_rest().empty());
  EXPECT_TRUE(peer.closed_by_server());
  EXPECT_EQ(listener->stats().responses_sent, 3u);
}

TEST_F(MllpListenerTest, GarbageBeforeAndBetweenFramesIsSkippedAndCounted) {
  start();
  RawPeer peer(listener->port());
  peer.write("noise" + mllp_encode("a") + "\n\n\n" + mllp_encode("b"));
  EXPECT_EQ(peer.finish_and_read_rest(), (std::vector<std::string>{"ACK:a", "ACK:b"}));
  EXPECT_EQ(listener->stats().garbage_bytes, 8u);
}

TEST_F(MllpListenerTest, OversizeFrameIsAnsweredAndTheConnectionStaysUsable) {
  auto config = loopback_config();
  config.max_frame_bytes = 100;
  start(config);
  RawPeer peer(listener->port());
  peer.write(mllp_encode(std::string(5000, 'x')));
  EXPECT_EQ(peer.read_frame(), "OVERSIZE:5000");
  peer.write(mllp_encode("small"));
  EXPECT_EQ(peer.read_frame(), "ACK:small");
  const auto stats = listener->stats();
  EXPECT_EQ(stats.oversize_frames, 1u);
  EXPECT_EQ(stats.frames_received, 1u);
  EXPECT_EQ(handler->calls.load(), 1);
}

TEST_F(MllpListenerTest, SixtyFourConcurrentPersistentConnectionsAreAllServed) {
  constexpr int kConnections = 64;
  constexpr int kRoundTrips = 4;
  auto config = loopback_config();
  config.max_connections = kConnections;
  start(config);

  std::latch all_connected(kConnections);
  std::vector<std::future<int>> results;
  for (int c = 0; c < kConnections; ++c) {
    results.push_back(std::async(std::launch::async, [&, c] {
      MllpClient client({"127.0.0.1", listener->port()});
      int good = 0;
      for (int m = 0; m < kRoundTrips; ++m) {
        const std::string payload = "c" + std::to_string(c) + "-m" + std::to_string(m);
        const auto result = client.send(payload, 20s);
        if (result.ok() && result.response == "ACK:" + payload) ++good;
        // Every connection is open and has been answered before any sends its second message.
        if (m == 0) all_connected.arrive_and_wait();
      }
      return good;
    }));
  }
  for (int c = 0; c < kConnections; ++c)
    EXPECT_EQ(results[c].get(), kRoundTrips) << "connection " << c;
  EXPECT_EQ(listener->stats().connections_accepted, static_cast<std::uint64_t>(kConnections));
  EXPECT_EQ(listener->stats().connections_refused, 0u);
}

TEST_F(MllpListenerTest, ConnectionsBeyondTheLimitAreRefused) {
  auto config = loopback_config();
  config.max_connections = 2;
  start(config);
  RawPeer first(listener->port());
  RawPeer second(listener->port());
  first.write(mllp_encode("1"));
  second.write(mllp_encode("2"));
  ASSERT_EQ(first.read_frame(), "ACK:1");
  ASSERT_EQ(second.read_frame(), "ACK:2");

  RawPeer third(listener->port());
  EXPECT_TRUE(third.read_until_closed().empty());
  EXPECT_TRUE(third.closed_by_server());
  EXPECT_EQ(listener->stats().connections_refused, 1u);
  // The admitted ones still work.
  first.write(mllp_encode("again"));
  EXPECT_EQ(first.read_frame(), "ACK:again");
}

TEST_F(MllpListenerTest, IdleTimeoutClosesTheConnection) {
  auto config = loopback_config();
  config.idle_timeout = 200ms;
  start(config);
  RawPeer peer(listener->port());
  peer.write(mllp_encode("hello"));
  EXPECT_EQ(peer.read_frame(), "ACK:hello");
  EXPECT_TRUE(peer.read_until_closed().empty());
  EXPECT_TRUE(peer.closed_by_server());
  EXPECT_EQ(listener->stats().idle_timeouts, 1u);
  EXPECT_EQ(listener->stats().read_timeouts, 0u);
}

TEST_F(MllpListenerTest, IncompleteFrameIsDroppedAfterTheReadTimeout) {
  auto config = loopback_config();
  config.read_timeout = 200ms;
  start(config);
  RawPeer peer(listener->port());
  peer.write("\x0bMSH|never finished");
  EXPECT_TRUE(peer.read_until_closed().empty());
  EXPECT_TRUE(peer.closed_by_server());
  const auto stats = listener->stats();
  EXPECT_EQ(stats.read_timeouts, 1u);
  EXPECT_EQ(stats.idle_timeouts, 0u);
  EXPECT_EQ(stats.abandoned_frames, 1u);
  EXPECT_EQ(handler->calls.load(), 0);
}

TEST_F(MllpListenerTest, StopReturnsWhileIdleConnectionsAreOpen) {
  auto config = loopback_config();
  config.idle_timeout = 1h;
  start(config);
  std::vector<std::unique_ptr<RawPeer>> peers;
  for (int i = 0; i < 5; ++i) {
    peers.push_back(std::make_unique<RawPeer>(listener->port()));
    peers.back()->write(mllp_encode("p" + std::to_string(i)));
    ASSERT_EQ(peers.back()->read_frame(), "ACK:p" + std::to_string(i));
  }
  ASSERT_EQ(listener->stats().connections_active, 5u);
  auto stopped = std::async(std::launch::async, [&] { listener->stop(); });
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(listener->running());
  EXPECT_EQ(listener->stats().connections_active, 0u);
  for (auto& peer : peers) {
    peer->read_until_closed();
    EXPECT_TRUE(peer->closed_by_server());
  }
}

TEST_F(MllpListenerTest, StopReturnsWhileAConnectionIsBlockedWritingToAPeerThatDoesNotRead) {
  auto config = loopback_config();
  config.write_timeout = 1h;
  start(config);
  RawPeer peer(listener->port());
  peer.write(mllp_encode("huge"));  // and never read the answer
  ASSERT_TRUE(eventually([&] { return handler->calls.load() == 1; }));
  auto stopped = std::async(std::launch::async, [&] { listener->stop(); });
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(listener->stats().connections_active, 0u);
  EXPECT_EQ(listener->stats().io_errors, 0u);  // a stop is not an I/O error
}

TEST_F(MllpListenerTest, HandlerExceptionClosesOnlyThatConnection) {
  start();
  RawPeer healthy(listener->port());
  RawPeer failing(listener->port());
  healthy.write(mllp_encode("before"));
  ASSERT_EQ(healthy.read_frame(), "ACK:before");

  failing.write(mllp_encode("boom") + mllp_encode("never handled"));
  EXPECT_TRUE(failing.read_until_closed().empty());
  EXPECT_TRUE(failing.closed_by_server());
  EXPECT_EQ(listener->stats().handler_errors, 1u);

  healthy.write(mllp_encode("after"));
  EXPECT_EQ(healthy.read_frame(), "ACK:after");
  EXPECT_TRUE(listener->running());
}

TEST_F(MllpListenerTest, HandlerExceptionIsLoggedWithoutThePayloadAboveDebug) {
  const std::string path = ::testing::TempDir() + "explainer_mllp_listener_log_test.log";
  std::remove(path.c_str());
  core::init_logging({core::Severity::info, path});
  start();
  {
    RawPeer peer(listener->port());
    peer.write(mllp_encode("leak:PID|1||MRN-4711^^^H||DOE^JANE"));
    peer.read_until_closed();
    EXPECT_TRUE(peer.closed_by_server());
  }
  listener->stop();
  core::init_logging({core::Severity::info, ""});  // detach (and flush) the file sink
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("handler threw"), std::string::npos);
  EXPECT_EQ(text.str().find("MRN-4711"), std::string::npos);
  EXPECT_EQ(text.str().find("DOE^JANE"), std::string::npos);
}

TEST_F(MllpListenerTest, EmptyAnswerSendsNothingAndTheNextFrameIsStillAnswered) {
  start();
  RawPeer peer(listener->port());
  peer.write(mllp_encode("silence") + mllp_encode("next"));
  EXPECT_EQ(peer.finish_and_read_rest(), std::vector<std::string>{"ACK:next"});
  EXPECT_EQ(listener->stats().frames_received, 2u);
  EXPECT_EQ(listener->stats().responses_sent, 1u);
}

TEST_F(MllpListenerTest, ConnectionCountersFollowOpenAndClose) {
  start();
  {
    RawPeer peer(listener->port());
    peer.write(mllp_encode("x"));
    ASSERT_EQ(peer.read_frame(), "ACK:x");
    EXPECT_EQ(listener->stats().connections_active, 1u);
  }
  EXPECT_TRUE(eventually([&] { return listener->stats().connections_active == 0; }));
  EXPECT_EQ(listener->stats().connections_accepted, 1u);
}

TEST(MllpListener, BindingAPortInUseThrows) {
  auto handler = std::make_shared<EchoHandler>();
  MllpListener first(loopback_config(), handler);
  first.start();
  auto config = loopback_config();
  config.port = first.port();
  MllpListener second(config, handler);
  EXPECT_THROW(second.start(), std::runtime_error);
}

TEST(MllpListener, RejectsConfigurationsThatCannotWork) {
  auto handler = std::make_shared<EchoHandler>();
  auto config = loopback_config();
  config.max_connections = 0;
  EXPECT_THROW(MllpListener(config, handler), std::invalid_argument);
  config = loopback_config();
  config.poll_interval = std::chrono::milliseconds(0);
  EXPECT_THROW(MllpListener(config, handler), std::invalid_argument);
  EXPECT_THROW(MllpListener(loopback_config(), nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace explainer::transport

#include "transport/mllp_client.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <thread>

#include "transport/mllp_listener.h"
#include "transport/mllp_test_peer.h"

namespace explainer::transport {
namespace {

using namespace std::chrono_literals;
using test_support::EchoHandler;

MllpListenerConfig loopback_config(std::uint16_t port = 0) {
  MllpListenerConfig config;
  config.name = "client-test";
  config.bind_address = "127.0.0.1";
  config.port = port;
  config.poll_interval = 20ms;
  return config;
}

// A hand-written server for answers the listener would never give: it reads one frame and
// writes back the given raw bytes, then waits for the client to close.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string reply)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        done_(std::async(std::launch::async, [this, reply = std::move(reply)] { serve(reply); })) {}
  ~ScriptedServer() { done_.wait(); }
  std::uint16_t port() const { return socket_.address().port(); }

 private:
  void serve(const std::string& reply) {
    if (!socket_.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ)) return;
    Poco::Net::StreamSocket peer = socket_.acceptConnection();
    MllpFrameDecoder decoder;
    char buffer[1024];
    while (!decoder.has_event()) {
      if (!peer.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ)) return;
      const int n = peer.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) return;
      decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    peer.sendBytes(reply.data(), static_cast<int>(reply.size()));
    // Wait for the client to hang up so the reply is not cut by our close.
    while (peer.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ)) {
      if (peer.receiveBytes(buffer, sizeof buffer) <= 0) return;
    }
  }

  Poco::Net::ServerSocket socket_;
  std::future<void> done_;
};

TEST(MllpClient, SendsAndReceivesTheAnswerOnOneKeptConnection) {
  auto handler = std::make_shared<EchoHandler>();
  MllpListener listener(loopback_config(), handler);
  listener.start();
  MllpClient client({"127.0.0.1", listener.port()});
  for (const std::string message : {"a", "b", "c"}) {
    const auto result = client.send(message, 5s);
    ASSERT_TRUE(result.ok()) << to_string(result.status) << ": " << result.message;
    EXPECT_EQ(result.response, "ACK:" + message);
    EXPECT_TRUE(client.connected());
  }
  EXPECT_EQ(listener.stats().connections_accepted, 1u);
}

TEST(MllpClient, ConnectFailureIsReportedAsAValue) {
  // Bind a port, then free it: nothing listens there any more.
  std::uint16_t port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  MllpClient client({"127.0.0.1", port, 2s});
  const auto result = client.send("x", 1s);
  EXPECT_EQ(result.status, MllpSendStatus::kConnectFailed);
  EXPECT_FALSE(result.message.empty());
  EXPECT_FALSE(client.connected());
}

TEST(MllpClient, TimesOutWhenTheServerNeverAnswersAndThenReconnects) {
  auto handler = std::make_shared<EchoHandler>();
  MllpListener listener(loopback_config(), handler);
  listener.start();
  MllpClient client({"127.0.0.1", listener.port()});
  const auto silent = client.send("silence", 200ms);
  EXPECT_EQ(silent.status, MllpSendStatus::kTimeout);
  EXPECT_FALSE(client.connected());  // a late answer can never be taken for the next one

  const auto next = client.send("next", 5s);
  ASSERT_TRUE(next.ok()) << next.message;
  EXPECT_EQ(next.response, "ACK:next");
  EXPECT_EQ(listener.stats().connections_accepted, 2u);
}

TEST(MllpClient, ReconnectsAfterTheServerRestartsOnTheSamePort) {
  auto handler = std::make_shared<EchoHandler>();
  auto first = std::make_unique<MllpListener>(loopback_config(), handler);
  first->start();
  const std::uint16_t port = first->port();
  MllpClient client({"127.0.0.1", port});
  ASSERT_TRUE(client.send("before", 5s).ok());
  first->stop();
  first.reset();

  MllpListener second(loopback_config(port), handler);
  second.start();
  const auto result = client.send("after", 5s);
  ASSERT_TRUE(result.ok()) << to_string(result.status) << ": " << result.message;
  EXPECT_EQ(result.response, "ACK:after");
  EXPECT_EQ(second.stats().frames_received, 1u);
}

TEST(MllpClient, PeerClosingWithoutAnswerIsAnIoError) {
  auto handler = std::make_shared<EchoHandler>();
  MllpListener listener(loopback_config(), handler);
  listener.start();
  MllpClient client({"127.0.0.1", listener.port()});
  const auto result = client.send("boom", 5s);  // the handler throws: the listener hangs up
  EXPECT_EQ(result.status, MllpSendStatus::kIoError);
  EXPECT_FALSE(client.connected());
}

TEST(MllpClient, TwoAnswersToOneMessageAreAProtocolError) {
  ScriptedServer server(mllp_encode("ACK:old") + mllp_encode("ACK:new"));
  MllpClient client({"127.0.0.1", server.port()});
  const auto result = client.send("msg", 5s);
  EXPECT_EQ(result.status, MllpSendStatus::kProtocolError);
  EXPECT_EQ(result.response, "ACK:old");
  EXPECT_FALSE(client.connected());
}

TEST(MllpClient, OversizeAnswerIsAProtocolError) {
  ScriptedServer server(mllp_encode(std::string(300, 'a')));
  MllpClientConfig config{"127.0.0.1", server.port()};
  config.max_response_bytes = 100;
  MllpClient client(config);
  const auto result = client.send("msg", 5s);
  EXPECT_EQ(result.status, MllpSendStatus::kProtocolError);
  EXPECT_TRUE(result.response.empty());
}

TEST(MllpClient, GarbageBeforeTheAnswerIsSkipped) {
  ScriptedServer server("\r\n" + mllp_encode("ACK:fine"));
  MllpClient client({"127.0.0.1", server.port()});
  const auto result = client.send("msg", 5s);
  ASSERT_TRUE(result.ok()) << result.message;
  EXPECT_EQ(result.response, "ACK:fine");
}

}  // namespace
}  // namespace explainer::transport

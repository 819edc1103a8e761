#include "transport/socket_wait.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

namespace explainer::transport {
namespace {

// A connected loopback pair: `client` connected to `server_side`.
struct Pair {
  Poco::Net::ServerSocket listener{Poco::Net::SocketAddress("127.0.0.1", 0)};
  Poco::Net::StreamSocket client;
  Poco::Net::StreamSocket server_side;
  Pair() {
    client.connect(Poco::Net::SocketAddress("127.0.0.1", listener.address().port()));
    server_side = listener.acceptConnection();
  }
};

TEST(WaitReadable, IdleConnectionIsNotReadable) {
  Pair pair;
  EXPECT_FALSE(wait_readable(pair.client, Poco::Timespan(0)));
  EXPECT_FALSE(wait_readable(pair.client, Poco::Timespan(0, 20'000)));  // 20 ms
}

TEST(WaitReadable, DataMakesItReadableAsPocoPollSays) {
  Pair pair;
  pair.server_side.sendBytes("x", 1);
  EXPECT_TRUE(wait_readable(pair.client, Poco::Timespan(2, 0)));
  EXPECT_TRUE(pair.client.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ));
  char byte = 0;
  ASSERT_EQ(pair.client.receiveBytes(&byte, 1), 1);
  EXPECT_FALSE(wait_readable(pair.client, Poco::Timespan(0)));
}

TEST(WaitReadable, PeerCloseMakesItReadable) {
  Pair pair;
  pair.server_side.close();
  EXPECT_TRUE(wait_readable(pair.client, Poco::Timespan(2, 0)));
  char byte = 0;
  EXPECT_EQ(pair.client.receiveBytes(&byte, 1), 0);  // end of file
}

}  // namespace
}  // namespace explainer::transport

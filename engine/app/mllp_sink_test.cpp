#include "app/mllp_sink.h"

#include <gtest/gtest.h>

#include "support/downstream_peer.h"

namespace explainer::app {
namespace {

const char* kAck = "MSH|^~\\&|EHR|H|EXPLAINER|H|20250101||ACK^R01^ACK|A1|P|2.5.1\rMSA|%s|%s\r";

std::string ack(const std::string& code, const std::string& id, const std::string& err = {}) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, kAck, code.c_str(), id.c_str());
  return std::string(buffer) + err;
}

TEST(ClassifyAck, PositiveAckForTheSentMessageIsDelivered) {
  EXPECT_EQ(classify_ack(ack("AA", "M1"), "M1").status, core::DeliveryStatus::kDelivered);
  EXPECT_EQ(classify_ack(ack("CA", "M1"), "M1").status, core::DeliveryStatus::kDelivered);
}

TEST(ClassifyAck, AckForAnotherMessageIsNeverASuccess) {
  const auto outcome = classify_ack(ack("AA", "M0"), "M1");
  EXPECT_EQ(outcome.status, core::DeliveryStatus::kRetry);
  EXPECT_NE(outcome.detail.find("another message"), std::string::npos);
}

TEST(ClassifyAck, ErrorIsRetriedAndRejectIsPermanentWithTheReason) {
  EXPECT_EQ(classify_ack(ack("AE", "M1"), "M1").status, core::DeliveryStatus::kRetry);
  const auto rejected =
      classify_ack(ack("AR", "M1", "ERR||PID^1^5|101^Required field missing^HL70357|E\r"), "M1");
  EXPECT_EQ(rejected.status, core::DeliveryStatus::kPermanent);
  EXPECT_NE(rejected.detail.find("Required field missing"), std::string::npos) << rejected.detail;
  EXPECT_EQ(classify_ack(ack("CR", "M1"), "M1").status, core::DeliveryStatus::kPermanent);
}

TEST(ClassifyAck, GarbageAnswerIsRetried) {
  EXPECT_EQ(classify_ack("hello", "M1").status, core::DeliveryStatus::kRetry);
  EXPECT_EQ(classify_ack("MSH|^~\\&|A|B\r", "M1").status, core::DeliveryStatus::kRetry);
}

TEST(MllpSink, DeliversToARealPeerAndRetriesWhenNobodyListens) {
  const std::string message =
      "MSH|^~\\&|RIS|H|EHR|H|20250101||ORU^R01^ORU_R01|CTRL-7|P|2.5.1\rPID|1\rOBR|1\r";
  std::uint16_t port = 0;
  {
    test_support::DownstreamPeer peer;
    port = peer.port();
    transport::MllpClientConfig client;
    client.port = port;
    MllpSink sink(client, std::chrono::seconds(5));
    delivery::DeliveryItem item;
    item.payload = message;
    item.control_id = "CTRL-7";
    EXPECT_EQ(sink.deliver(item).status, core::DeliveryStatus::kDelivered);
    ASSERT_TRUE(peer.wait_for(1));
    EXPECT_EQ(peer.received().front(), message);
  }
  transport::MllpClientConfig client;
  client.port = port;
  client.connect_timeout = std::chrono::milliseconds(500);
  MllpSink sink(client, std::chrono::seconds(1));
  delivery::DeliveryItem item;
  item.payload = message;
  EXPECT_EQ(sink.deliver(item).status, core::DeliveryStatus::kRetry);
}

}  // namespace
}  // namespace explainer::app

// The HL7 v2 path end to end, in process: MLLP in -> explainerd's Engine -> downstream MLLP
// peer, with a real SQLite store in a temporary folder and real sockets on loopback.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/engine.h"
#include "hl7v2/message.h"
#include "store/sqlite/sqlite_store.h"
#include "support/downstream_peer.h"
#include "support/files.h"
#include "transport/mllp_client.h"

namespace explainer {
namespace {

using test_support::DownstreamPeer;
using test_support::read_fixture;
using test_support::TempDir;

struct Ack {
  std::string code;        // MSA-1
  std::string control_id;  // MSA-2
  std::string err_code;    // ERR-3.1 (v2.5+)
  std::string raw;
};

Ack read_ack(const std::string& bytes) {
  Ack ack;
  ack.raw = bytes;
  const auto parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) return ack;
  if (auto msa = parsed.message->find("MSA")) {
    ack.code = parsed.message->segment(*msa).text(1);
    ack.control_id = parsed.message->segment(*msa).text(2);
  }
  if (auto err = parsed.message->find("ERR")) ack.err_code = parsed.message->segment(*err).text(3, 1, 1);
  return ack;
}

std::string control_id_of(const std::string& message) {
  const auto parsed = hl7v2::parse(message);
  return parsed.ok() ? parsed.message->header().control_id : std::string();
}

class V2PipelineTest : public ::testing::Test {
 protected:
  // `enrich` false: the destination gets exactly the received bytes (transport/store tests).
  app::EngineConfig make_config(std::uint16_t downstream_port, bool enrich = true) {
    app::EngineConfig config;
    config.config_dir = dir_.str();
    config.store.sqlite_path = dir_.str("explainer.db");
    config.mappings_dir = std::string(EXPLAINER_SOURCE_DIR) + "/mappings";
    config.content_dir = std::string(EXPLAINER_SOURCE_DIR) + "/content";
    config.retry.initial_ms = 20;
    config.retry.max_ms = 200;
    app::MllpListenerConfig listener;
    listener.name = "ris";
    listener.port = 0;
    listener.max_frame_bytes = 64 * 1024;
    config.mllp_listeners.push_back(listener);
    app::DestinationConfig portal;
    portal.name = "portal";
    portal.type = "mllp";
    portal.host = "127.0.0.1";
    portal.port = downstream_port;
    portal.ack_timeout_s = 5;
    portal.enrich = enrich;
    config.destinations.push_back(portal);
    return config;
  }

  void start(app::EngineConfig config) {
    engine_ = std::make_unique<app::Engine>(std::move(config));
    std::string error;
    ASSERT_TRUE(engine_->open(false, &error)) << error;
    ASSERT_TRUE(engine_->start(&error)) << error;
    transport::MllpClientConfig client;
    client.port = engine_->listener_port("ris");
    client_ = std::make_unique<transport::MllpClient>(client);
  }

  Ack send(const std::string& message) {
    const auto result = client_->send(message, std::chrono::seconds(10));
    EXPECT_TRUE(result.ok()) << result.message;
    return read_ack(result.response);
  }

  TempDir dir_;
  std::unique_ptr<app::Engine> engine_;
  std::unique_ptr<transport::MllpClient> client_;
};

TEST_F(V2PipelineTest, RadiologyReportsArriveDownstreamByteForByteWhenEnrichmentIsOff) {
  DownstreamPeer peer;
  auto config = make_config(peer.port());
  config.destinations[0].enrich = false;
  start(config);
  const std::vector<std::string> fixtures = {
      "radiology/mri-lumbar-spine.hl7",   "radiology/mri-knee.hl7",
      "radiology/ct-chest.hl7",           "radiology/xr-chest-spanish.hl7",
      "radiology/us-abdomen-latin1.hl7",  "radiology/mri-brain-escapes.hl7",
      "radiology/two-reports.hl7",        "radiology/preliminary-report.hl7",
      "radiology/no-impression.hl7",      "radiology/mri-spine-metastasis.hl7",
  };
  std::vector<std::string> sent;
  for (const auto& f : fixtures) {
    const std::string message = read_fixture(f);
    const Ack ack = send(message);
    EXPECT_EQ(ack.code, "AA") << f << "\n" << ack.raw;
    EXPECT_EQ(ack.control_id, control_id_of(message)) << f;
    sent.push_back(message);
  }
  ASSERT_TRUE(peer.wait_for(sent.size()));
  const auto received = peer.received();
  ASSERT_EQ(received.size(), sent.size());
  // Enrichment is off for this destination: every byte must be as sent, in order.
  for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(received[i], sent[i]) << fixtures[i];
}

TEST_F(V2PipelineTest, PublicFixturesWithLfTerminatorsAndBomAreForwardedUnchanged) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  const std::vector<std::string> fixtures = {
      "hl7v2/ms_fhir_converter/ORU-R01-01.hl7",
      "hl7v2/ms_fhir_converter/LAB-ORU-1.hl7",
      "hl7v2/dcm4che_testdata/ORU_R01-SR.hl7",
  };
  for (const auto& f : fixtures) {
    const std::string message = read_fixture(f);
    const std::string code = send(message).code;
    EXPECT_TRUE(code == "AA" || code == "CA") << f << ": " << code;  // some ask for enhanced mode
  }
  ASSERT_TRUE(peer.wait_for(fixtures.size()));
  const auto received = peer.received();
  for (std::size_t i = 0; i < fixtures.size(); ++i) EXPECT_EQ(received[i], read_fixture(fixtures[i]));
}

TEST_F(V2PipelineTest, ReportsWithNothingToExplainArriveByteForByte) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  const std::vector<std::string> fixtures = {"radiology/preliminary-report.hl7", "radiology/no-impression.hl7",
                                             "hl7v2/ms_fhir_converter/ORU-R01-01.hl7"};
  for (const auto& f : fixtures) {
    const std::string code = send(read_fixture(f)).code;
    EXPECT_TRUE(code == "AA" || code == "CA") << f;
  }
  ASSERT_TRUE(peer.wait_for(fixtures.size()));
  const auto received = peer.received();
  for (std::size_t i = 0; i < fixtures.size(); ++i) EXPECT_EQ(received[i], read_fixture(fixtures[i])) << fixtures[i];
}

TEST_F(V2PipelineTest, ReleasedRadiologyReportArrivesEnrichedWithEveryOriginalSegmentIntact) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  const std::string sent = read_fixture("radiology/mri-lumbar-spine.hl7");
  EXPECT_EQ(send(sent).code, "AA");
  ASSERT_TRUE(peer.wait_for(1));
  const std::string got = peer.received().front();
  ASSERT_GT(got.size(), sent.size());
  // The original message is a prefix (its last segment is the group's last OBX); what follows
  // is only our OBX segments.
  EXPECT_EQ(got.substr(0, sent.size()), sent);
  std::string added = got.substr(sent.size());
  int obx = 0;
  for (std::size_t pos = 0; pos < added.size();) {
    const auto end = added.find('\r', pos);
    const std::string segment = added.substr(pos, end - pos);
    EXPECT_EQ(segment.rfind("OBX|", 0), 0u) << segment;
    EXPECT_NE(segment.find("^99EXPLAINER"), std::string::npos) << segment;
    ++obx;
    pos = end + 1;
  }
  EXPECT_GE(obx, 3);  // disc bulge, canal stenosis, disc protrusion
  EXPECT_EQ(got.find("EXPL-spinal_metastasis"), std::string::npos);  // "No evidence of ... metastatic disease"
  EXPECT_GE(engine_->intake_counters("ris").explanations_added, 3u);
}

TEST_F(V2PipelineTest, WrongMessageTypeIsRejectedWithErr200ByDefault) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  const Ack ack = send(read_fixture("radiology/adt-a01.hl7"));
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.err_code, "200");
  EXPECT_EQ(ack.control_id, "ADT20250324011");
  EXPECT_EQ(engine_->intake_counters("ris").rejected, 1u);
  EXPECT_FALSE(peer.wait_for(1, std::chrono::milliseconds(300)));
}

TEST_F(V2PipelineTest, WrongMessageTypeIsForwardedUntouchedWhenConfigured) {
  DownstreamPeer peer;
  auto config = make_config(peer.port());
  config.mllp_listeners[0].wrong_type = app::WrongTypePolicy::kForward;
  start(config);
  const std::string adt = read_fixture("radiology/adt-a01.hl7");
  EXPECT_EQ(send(adt).code, "AA");
  ASSERT_TRUE(peer.wait_for(1));
  EXPECT_EQ(peer.received().front(), adt);
  EXPECT_EQ(engine_->intake_counters("ris").forwarded_untouched, 1u);
}

TEST_F(V2PipelineTest, InputThatIsNotHl7GetsArAndTheConnectionStaysUsable) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  const Ack bad = send("this is not an HL7 message");
  EXPECT_EQ(bad.code, "AR") << bad.raw;
  EXPECT_FALSE(bad.err_code.empty());
  const std::string good = read_fixture("radiology/mri-knee.hl7");
  EXPECT_EQ(send(good).code, "AA");
  ASSERT_TRUE(peer.wait_for(1));
  EXPECT_EQ(peer.received().size(), 1u);
}

TEST_F(V2PipelineTest, MissingControlIdIsRejectedWithErr101) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  std::string message = read_fixture("radiology/mri-knee.hl7");
  const std::string id = control_id_of(message);
  message.replace(message.find(id), id.size(), "");
  const Ack ack = send(message);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.err_code, "101");
}

TEST_F(V2PipelineTest, OversizeFrameIsRefusedAndTheNextMessageStillFlows) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  std::string huge = read_fixture("radiology/mri-knee.hl7");
  huge += std::string(70 * 1024, 'x');
  const Ack ack = send(huge);
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.control_id, "RAD20250315002");  // echoed from the refused frame's MSH
  EXPECT_EQ(send(read_fixture("radiology/ct-chest.hl7")).code, "AA");
  ASSERT_TRUE(peer.wait_for(1));
}

TEST_F(V2PipelineTest, ARetransmissionIsAcknowledgedButDeliveredOnce) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  const std::string message = read_fixture("radiology/mri-lumbar-spine.hl7");
  EXPECT_EQ(send(message).code, "AA");
  EXPECT_EQ(send(message).code, "AA");
  ASSERT_TRUE(peer.wait_for(1));
  EXPECT_FALSE(peer.wait_for(2, std::chrono::milliseconds(500)));
  EXPECT_EQ(engine_->intake_counters("ris").duplicates, 1u);
}

TEST_F(V2PipelineTest, EnhancedModeGetsACommitAck) {
  DownstreamPeer peer;
  start(make_config(peer.port()));
  std::string message = read_fixture("radiology/mri-knee.hl7");
  // MSH-15 AL, MSH-16 NE: the sender wants a commit ACK (CA) only.
  const auto msh_end = message.find('\r');
  message.insert(msh_end, "|||AL|NE");
  const Ack ack = send(message);
  EXPECT_EQ(ack.code, "CA") << ack.raw;
  EXPECT_EQ(ack.control_id, control_id_of(message));
}

TEST_F(V2PipelineTest, DownstreamRejectionGoesToDeadLetterAndLaterMessagesFlow) {
  DownstreamPeer peer;
  peer.answer_with("AR");
  start(make_config(peer.port()));
  EXPECT_EQ(send(read_fixture("radiology/mri-knee.hl7")).code, "AA");
  // Wait for the dead-letter, then let the next message through.
  for (int i = 0; i < 200 && engine_->store()->list_dead().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto dead = engine_->store()->list_dead();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead.front().last_error.find("AR"), std::string::npos) << dead.front().last_error;
  peer.answer_with("AA");
  EXPECT_EQ(send(read_fixture("radiology/ct-chest.hl7")).code, "AA");
  ASSERT_TRUE(peer.wait_for(1));
  EXPECT_EQ(control_id_of(peer.received().front()), "RAD20250316003");
}

TEST_F(V2PipelineTest, DownstreamErrorIsRetriedUntilAccepted) {
  DownstreamPeer peer;
  peer.answer_with("AE");
  start(make_config(peer.port(), false));
  const std::string message = read_fixture("radiology/mri-knee.hl7");
  EXPECT_EQ(send(message).code, "AA");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(peer.received().empty());
  peer.answer_with("AA");
  ASSERT_TRUE(peer.wait_for(1));
  EXPECT_EQ(peer.received().front(), message);
  EXPECT_TRUE(engine_->store()->list_dead().empty());
}

TEST_F(V2PipelineTest, MessagesQueuedWhileDownstreamIsDownAreDeliveredInOrder) {
  std::uint16_t port = 0;
  {
    DownstreamPeer probe;  // find a free port, then close it: downstream is "down"
    port = probe.port();
  }
  start(make_config(port, false));
  std::vector<std::string> sent;
  for (const char* f : {"radiology/mri-knee.hl7", "radiology/ct-chest.hl7", "radiology/mri-lumbar-spine.hl7"}) {
    sent.push_back(read_fixture(f));
    EXPECT_EQ(send(sent.back()).code, "AA");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  DownstreamPeer peer(port);
  ASSERT_TRUE(peer.wait_for(sent.size()));
  EXPECT_EQ(peer.received(), sent);
}

TEST_F(V2PipelineTest, AStoreThatCannotCommitAnswersAr207AndStoresNothing) {
  // A database capped at its current size: accept() fails as on a full disk.
  DownstreamPeer peer;
  auto config = make_config(peer.port());
  {
    store::sqlite::SqliteStoreOptions options;
    options.path = config.store.sqlite_path;
    store::sqlite::SqliteStore::open(options);  // create the schema
  }
  store::sqlite::SqliteStoreOptions capped;
  capped.path = config.store.sqlite_path;
  capped.max_size_bytes = 1;
  auto store = store::sqlite::SqliteStore::open(capped);
  app::V2IntakeOptions options;
  options.listener_name = "ris";
  options.destinations.push_back({"portal", true, app::ObxFormat::kFormattedText});
  app::V2Intake intake(options, *store, nullptr);
  // Large enough to need new database pages, which the cap forbids.
  const std::string message = read_fixture("radiology/mri-knee.hl7") + "NTE|1||" + std::string(64 * 1024, 'x') + "\r";
  const Ack ack = read_ack(intake.on_frame(message, {}));
  EXPECT_EQ(ack.code, "AR");
  EXPECT_EQ(ack.err_code, "207");
  EXPECT_EQ(intake.counters().store_failures, 1u);
  EXPECT_EQ(store->queue_status(0).size(), 0u);
}

}  // namespace
}  // namespace explainer

// Held explanations end to end with the real binaries: a sensitive finding (metastatic spinal
// lesion) is held, `explainer review list` shows it, `review release` makes the running
// explainerd deliver an MDM^T02 carrying the accession to the downstream MLLP peer, releasing
// twice is refused, and `review discard` sends nothing.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>

#include "hl7v2/message.h"
#include "support/downstream_peer.h"
#include "support/files.h"
#include "support/process.h"

namespace explainer {
namespace {

using namespace test_support;

std::string write_review_config(const TempDir& dir, std::uint16_t listen_port,
                                std::uint16_t downstream_port) {
  const std::string path = dir.str("explainerd.properties");
  std::ofstream out(path);
  out << "log.level = info\n"
      << "log.file = " << dir.str("explainerd.log") << "\n"
      << "paths.data = " << dir.str("data") << "\n"
      << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
      << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
      << "policy.sensitive = hold\n"
      << "retry.initial_ms = 50\nretry.max_ms = 200\n"
      << "listeners = ris\n"
      << "listener.ris.port = " << listen_port << "\n"
      << "destinations = portal\n"
      << "destination.portal.type = mllp\n"
      << "destination.portal.host = 127.0.0.1\n"
      << "destination.portal.port = " << downstream_port << "\n"
      << "destination.portal.ack_timeout_s = 5\n";
  return path;
}

// The metastasis ORU with another MSH-10, written to a file (a new message, not a duplicate).
std::string metastasis_copy(const TempDir& dir, const std::string& control_id) {
  std::string message = read_fixture("radiology/mri-spine-metastasis.hl7");
  const std::string original = "RAD20250318005";
  message.replace(message.find(original), original.size(), control_id);
  const std::string path = dir.str(control_id + ".hl7");
  std::ofstream(path, std::ios::binary) << message;
  return path;
}

std::string segment_of(const std::string& message, const std::string& id) {
  std::size_t start = message.find(id + "|");
  while (start != std::string::npos && start != 0 && message[start - 1] != '\r') {
    start = message.find(id + "|", start + 1);
  }
  if (start == std::string::npos) return {};
  return message.substr(start, message.find('\r', start) - start);
}

class ReviewEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = write_review_config(dir_, listen_port_, peer_.port());
    daemon_ = std::make_unique<Daemon>(binary("explainerd"),
                                       std::vector<std::string>{"--config=" + config_});
    ASSERT_TRUE(wait_for_port(listen_port_));
  }
  RunResult send(const std::string& file) {
    return run(binary("explainer"),
               {"send", "--mllp", "127.0.0.1:" + std::to_string(listen_port_), file});
  }
  RunResult review(std::vector<std::string> args) {
    args.insert(args.begin(), "review");
    args.push_back("--config=" + config_);
    return run(binary("explainer"), args);
  }
  // Ids of the items `review list --json` shows.
  std::vector<std::int64_t> held_ids() {
    const auto r = review({"list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    std::vector<std::int64_t> ids;
    if (doc.HasParseError() || !doc.HasMember("held")) {
      ADD_FAILURE() << r.out;
      return ids;
    }
    for (const auto& item : doc["held"].GetArray()) ids.push_back(item["id"].GetInt64());
    return ids;
  }

  TempDir dir_;
  DownstreamPeer peer_;
  const std::uint16_t listen_port_ = free_port();
  std::string config_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(ReviewEndToEnd, HeldMetastasisIsListedReleasedOnceAsMdmT02AndDiscardSendsNothing) {
  // 1. The report goes downstream at once, without the held explanation.
  auto sent = send(fixture_path("radiology/mri-spine-metastasis.hl7"));
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  ASSERT_TRUE(peer_.wait_for(1));
  EXPECT_EQ(peer_.received()[0].find("EXPL-spinal_metastasis"), std::string::npos);

  // 2. review list shows it, with the accession (operator output).
  const auto list = review({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("spinal_metastasis"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("ACC100005"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("portal"), std::string::npos) << list.out;
  const auto ids = held_ids();
  ASSERT_EQ(ids.size(), 1u);

  // 3. release: the running daemon delivers an MDM^T02 with the accession and order numbers.
  const auto released = review({"release", std::to_string(ids[0]), "--by", "dr.test"});
  ASSERT_EQ(released.exit_code, 0) << released.out << released.err;
  EXPECT_NE(released.out.find("MDM^T02"), std::string::npos) << released.out;
  ASSERT_TRUE(peer_.wait_for(2)) << "follow-up not delivered";
  const std::string mdm = peer_.received()[1];
  const auto parsed = hl7v2::parse(mdm);
  ASSERT_TRUE(parsed.ok()) << mdm;
  EXPECT_EQ(parsed.message->header().message_type(), "MDM^T02");
  const std::string txa = segment_of(mdm, "TXA");
  EXPECT_NE(txa.find("|ACC100005|PLC100005^EHR|ACC100005^RIS|"), std::string::npos) << txa;
  EXPECT_EQ(segment_of(mdm, "PID"),
            segment_of(read_fixture("radiology/mri-spine-metastasis.hl7"), "PID"));
  EXPECT_NE(segment_of(mdm, "OBX").find("EXPL-spinal_metastasis"), std::string::npos) << mdm;
  EXPECT_TRUE(held_ids().empty());

  // 4. Releasing twice is refused and sends nothing.
  const auto again = review({"release", std::to_string(ids[0])});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already released by dr.test"), std::string::npos) << again.err;

  // 5. A second held item, discarded: gone from the list, nothing sent. The knee report sent
  //    afterwards is the next thing the peer sees (one FIFO), so nothing slipped in between.
  sent = send(metastasis_copy(dir_, "RAD20250318099"));
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_TRUE(peer_.wait_for(3));
  const auto second = held_ids();
  ASSERT_EQ(second.size(), 1u);
  const auto discarded = review(
      {"discard", std::to_string(second[0]), "--by", "dr.other", "--reason", "told in clinic"});
  ASSERT_EQ(discarded.exit_code, 0) << discarded.err;
  EXPECT_TRUE(held_ids().empty());
  EXPECT_EQ(review({"release", std::to_string(second[0])}).exit_code, 1);
  sent = send(fixture_path("radiology/mri-knee.hl7"));
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_TRUE(peer_.wait_for(4));
  const auto frames = peer_.received();
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_NE(frames[3].find("RAD20250315002"), std::string::npos)
      << "the knee report, not a follow-up";

  // 6. The audit trail: who decided what.
  const auto all = review({"list", "--all"});
  EXPECT_NE(all.out.find("released"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("dr.test"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("discarded"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("dr.other"), std::string::npos) << all.out;

  // 7. No accession or order number in the daemon's log.
  EXPECT_EQ(daemon_->terminate(), 0);
  const std::string log = read_bytes(dir_.str("explainerd.log"));
  EXPECT_NE(log.find(" held=1 "), std::string::npos) << "the log is the one we think";
  EXPECT_EQ(log.find("ACC100005"), std::string::npos);
  EXPECT_EQ(log.find("PLC100005"), std::string::npos);
}

TEST_F(ReviewEndToEnd, UsageAndUnknownIdsAreReportedWithExitCodes) {
  EXPECT_EQ(review({"release"}).exit_code, 2);
  EXPECT_EQ(review({"release", "abc"}).exit_code, 2);
  EXPECT_EQ(review({"frobnicate"}).exit_code, 2);
  const auto missing = review({"release", "999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no held explanation 999"), std::string::npos) << missing.err;
  const auto empty = review({"list"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_NE(empty.out.find("No explanations are held"), std::string::npos) << empty.out;
}

}  // namespace
}  // namespace explainer

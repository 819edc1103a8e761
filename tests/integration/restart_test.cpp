// The real explainerd binary: killed after acknowledging, restarted, still delivers; clean stop
// on SIGTERM; refuses a configuration with an unknown key. And the explainer CLI.
#include <gtest/gtest.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "hl7v2/message.h"
#include "transport/mllp_frame.h"
#include "support/downstream_peer.h"
#include "support/files.h"
#include "support/process.h"

namespace explainer {
namespace {

using namespace test_support;

std::string write_config(const TempDir& dir, std::uint16_t listen_port, std::uint16_t downstream_port,
                         const std::string& extra = {}) {
  const std::string path = dir.str("explainerd.properties");
  std::ofstream out(path);
  out << "log.level = info\n"
      << "paths.data = " << dir.str("data") << "\n"
      << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
      << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
      << "retry.initial_ms = 50\nretry.max_ms = 200\n"
      << "listeners = ris\n"
      << "listener.ris.port = " << listen_port << "\n"
      << "destinations = portal\n"
      << "destination.portal.type = mllp\n"
      << "destination.portal.host = 127.0.0.1\n"
      << "destination.portal.port = " << downstream_port << "\n"
      << "destination.portal.ack_timeout_s = 5\n"
      << "destination.portal.enrich = false\n"
      << extra;
  return path;
}

std::string control_id_of(const std::string& message) {
  const auto parsed = hl7v2::parse(message);
  return parsed.ok() ? parsed.message->header().control_id : std::string();
}

TEST(ExplainerdProcess, AcknowledgedMessagesSurviveAKillAndAreDeliveredAfterRestart) {
  TempDir dir;
  const std::uint16_t listen_port = free_port();
  const std::uint16_t downstream_port = free_port();
  const std::string config = write_config(dir, listen_port, downstream_port);
  const std::vector<std::string> files = {"radiology/mri-knee.hl7", "radiology/ct-chest.hl7",
                                          "radiology/mri-lumbar-spine.hl7"};
  {
    Daemon daemon(binary("explainerd"), {"--config=" + config});
    ASSERT_TRUE(wait_for_port(listen_port));
    // Downstream is down: the messages can only be acknowledged from the store.
    for (const auto& f : files) {
      const auto r = run(binary("explainer"), {"send", "--mllp", "127.0.0.1:" + std::to_string(listen_port),
                                               fixture_path(f)});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
      EXPECT_NE(r.out.find("MSA|AA|" + control_id_of(read_fixture(f))), std::string::npos) << r.out;
    }
    daemon.kill9();
  }
  DownstreamPeer peer(downstream_port);
  Daemon daemon(binary("explainerd"), {"--config=" + config});
  ASSERT_TRUE(peer.wait_for(files.size()));
  const auto received = peer.received();
  ASSERT_EQ(received.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) EXPECT_EQ(received[i], read_fixture(files[i]));
  EXPECT_EQ(daemon.terminate(), 0);
}

TEST(ExplainerdProcess, SigtermStopsPromptlyWithIdleConnectionsOpen) {
  TempDir dir;
  const std::uint16_t listen_port = free_port();
  DownstreamPeer peer;
  Daemon daemon(binary("explainerd"), {"--config=" + write_config(dir, listen_port, peer.port())});
  ASSERT_TRUE(wait_for_port(listen_port));
  std::vector<Poco::Net::StreamSocket> idle(5);
  for (auto& s : idle) s.connect(Poco::Net::SocketAddress("127.0.0.1", listen_port));
  EXPECT_EQ(daemon.terminate(std::chrono::seconds(10)), 0);
}

TEST(ExplainerdProcess, RefusesToStartOnAnUnknownKeyAndNamesIt) {
  TempDir dir;
  const std::string config = write_config(dir, free_port(), free_port(), "listener.ris.max_conections = 8\n");
  const auto r = run(binary("explainerd"), {"--config=" + config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("listener.ris.max_conections"), std::string::npos) << r.err;
}

TEST(ExplainerdProcess, CheckConfigValidatesWithoutStarting) {
  TempDir dir;
  const std::uint16_t port = free_port();
  const auto r = run(binary("explainerd"), {"--config=" + write_config(dir, port, free_port()), "--check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Poco::Net::StreamSocket s;
  EXPECT_THROW(s.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(0, 200'000)), Poco::Exception);
}

TEST(ExplainerCli, ParseJsonGivesOneReportPerObrGroupWithDecodedImpression) {
  const auto r = run(binary("explainer"), {"parse", "--json", fixture_path("radiology/two-reports.hl7")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"reports\":[{"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"accession\":\"ACC100009\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"accession\":\"ACC100010\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"released\":true"), std::string::npos);
}

TEST(ExplainerCli, ParseJsonDecodesLatin1AndEscapesToUtf8) {
  const auto r = run(binary("explainer"), {"parse", "--json", fixture_path("radiology/mri-brain-escapes.hl7")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\\T\\"), std::string::npos) << r.out;  // escapes resolved
  EXPECT_NE(r.out.find("&"), std::string::npos) << r.out;
  const auto pre = run(binary("explainer"), {"parse", "--json", fixture_path("radiology/preliminary-report.hl7")});
  EXPECT_NE(pre.out.find("\"status\":\"P\",\"released\":false"), std::string::npos) << pre.out;
}

TEST(ExplainerCli, ParseRejectsAFileThatIsNotHl7) {
  TempDir dir;
  std::ofstream(dir.str("junk.txt")) << "hello world\n";
  const auto r = run(binary("explainer"), {"parse", dir.str("junk.txt")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a readable HL7 v2 message"), std::string::npos) << r.err;
}

TEST(ExplainerCli, SendReportsANegativeAckWithExitCode1) {
  TempDir dir;
  const std::uint16_t port = free_port();
  Daemon receiver(binary("explainer"), {"receive", "--mllp", "127.0.0.1:" + std::to_string(port),
                                        "--out", dir.str("in"), "--ack", "AR"});
  ASSERT_TRUE(wait_for_port(port));
  const auto r = run(binary("explainer"), {"send", "--mllp", "127.0.0.1:" + std::to_string(port),
                                           fixture_path("radiology/mri-knee.hl7")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("MSA|AR|RAD20250315002"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace explainer

namespace explainer {
namespace {

using namespace test_support;

void copy_tree(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

bool wait_for_log(const std::string& path, const std::string& needle,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && read_bytes(path).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string config_with_data(const TempDir& dir, std::uint16_t listen_port, std::uint16_t downstream_port) {
  const std::string path = dir.str("explainerd.properties");
  std::ofstream out(path);
  out << "log.file = " << dir.str("explainerd.log") << "\n"
      << "paths.data = " << dir.str("data") << "\n"
      << "paths.mappings = " << dir.str("mappings") << "\n"
      << "paths.content = " << dir.str("content") << "\n"
      << "listeners = ris\nlistener.ris.port = " << listen_port << "\n"
      << "destinations = portal\ndestination.portal.type = mllp\n"
      << "destination.portal.host = 127.0.0.1\ndestination.portal.port = " << downstream_port << "\n";
  return path;
}

TEST(ExplainerdProcess, RefusesToStartOnAnInvalidRuleFileNamingFileAndLine) {
  TempDir dir;
  copy_tree(std::string(EXPLAINER_SOURCE_DIR) + "/mappings", dir.str("mappings"));
  copy_tree(std::string(EXPLAINER_SOURCE_DIR) + "/content", dir.str("content"));
  std::ofstream(dir.str("mappings/findings/knee.json"), std::ios::trunc) << "{\n  \"format_version\": 1,\n  \"findings\": [ oops ]\n}\n";
  const auto r = run(binary("explainerd"), {"--config=" + config_with_data(dir, free_port(), free_port())});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("knee.json:3"), std::string::npos) << r.err;
}

TEST(ExplainerdProcess, SighupReloadThatFailsKeepsThePreviousRulesAndMessagesKeepFlowing) {
  TempDir dir;
  copy_tree(std::string(EXPLAINER_SOURCE_DIR) + "/mappings", dir.str("mappings"));
  copy_tree(std::string(EXPLAINER_SOURCE_DIR) + "/content", dir.str("content"));
  DownstreamPeer peer;
  const std::uint16_t port = free_port();
  const std::string log = dir.str("explainerd.log");
  Daemon daemon(binary("explainerd"), {"--config=" + config_with_data(dir, port, peer.port())});
  ASSERT_TRUE(wait_for_port(port));

  std::ofstream(dir.str("mappings/findings/spine.json"), std::ios::trunc) << "{ not json";
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  ASSERT_TRUE(wait_for_log(log, "reload_failed keeping_previous=yes"));
  EXPECT_NE(read_bytes(log).find("spine.json"), std::string::npos);

  const auto sent = run(binary("explainer"), {"send", "--mllp", "127.0.0.1:" + std::to_string(port),
                                              fixture_path("radiology/mri-lumbar-spine.hl7")});
  EXPECT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  ASSERT_TRUE(peer.wait_for(1));
  // The previous rules are still in force: the spine findings are explained.
  EXPECT_NE(peer.received().front().find("EXPL-disc_bulge"), std::string::npos);

  std::filesystem::copy_file(std::string(EXPLAINER_SOURCE_DIR) + "/mappings/findings/spine.json",
                             dir.str("mappings/findings/spine.json"),
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  EXPECT_TRUE(wait_for_log(log, "reloaded mappings and content"));
  EXPECT_EQ(daemon.terminate(), 0);
}

}  // namespace
}  // namespace explainer

namespace explainer {
namespace {

using namespace test_support;

TEST(ExplainerdProcess, NoPatientDataInTheLogAtTheDefaultLevel) {
  TempDir dir;
  DownstreamPeer peer;
  const std::uint16_t port = free_port();
  const std::string log = dir.str("explainerd.log");
  const std::string config = write_config(dir, port, peer.port(), "log.file = " + log + "\n");
  Daemon daemon(binary("explainerd"), {"--config=" + config});
  ASSERT_TRUE(wait_for_port(port));
  const std::vector<std::string> files = {
      "radiology/mri-lumbar-spine.hl7", "radiology/mri-knee.hl7",        "radiology/ct-chest.hl7",
      "radiology/xr-chest-spanish.hl7", "radiology/us-abdomen-latin1.hl7", "radiology/mri-spine-metastasis.hl7",
      "radiology/two-reports.hl7",      "radiology/adt-a01.hl7"};
  for (const auto& f : files) {
    run(binary("explainer"), {"send", "--mllp", "127.0.0.1:" + std::to_string(port), fixture_path(f)});
  }
  run(binary("explainer"), {"send", "--mllp", "127.0.0.1:" + std::to_string(port), fixture_path("radiology/README.md")});
  ASSERT_TRUE(peer.wait_for(files.size() - 1));
  EXPECT_EQ(daemon.terminate(), 0);
  const std::string text = read_bytes(log);
  ASSERT_NE(text.find("message_accepted"), std::string::npos) << "the log must show the events";
  // Names, identifiers, birth dates and report wording from the fixtures.
  for (const char* secret : {"TESTPATIENT", "ALEX", "JORDAN", "MRN1000", "ACC1000", "PLC1000", "19700101",
                             "19851120", "EXAMPLE STREET", "broad-based", "paracentral", "meniscus",
                             "bibasilar", "osseous", "Testradiologist", "TESTDOCTOR"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "log contains '" << secret << "'";
  }
}

TEST(ExplainerdProcess, DaemonModeWritesAPidFileAndStopsOnSigterm) {
  TempDir dir;
  DownstreamPeer peer;
  const std::uint16_t port = free_port();
  const std::string pidfile = dir.str("explainerd.pid");
  const auto r = run(binary("explainerd"), {"--config=" + write_config(dir, port, peer.port(),
                                                                       "log.file = " + dir.str("d.log") + "\n"),
                                            "--daemon", "--pidfile=" + pidfile});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(wait_for_port(port));
  const pid_t pid = static_cast<pid_t>(std::stol(read_bytes(pidfile)));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), 0);
  EXPECT_EQ(::kill(pid, SIGTERM), 0);
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(::kill(pid, 0), 0) << "explainerd still running after SIGTERM";
}

}  // namespace
}  // namespace explainer

namespace explainer {
namespace {

using namespace test_support;

TEST(ExplainerdProcess, LayeredConfigurationLaterJsonFileOverridesProperties) {
  TempDir dir;
  DownstreamPeer peer;
  const std::uint16_t unused_port = free_port();
  const std::uint16_t json_port = free_port();
  const std::string properties = write_config(dir, unused_port, peer.port());
  const std::string json = dir.str("override.json");
  std::ofstream(json) << "{ \"listener\": { \"ris\": { \"port\": " << json_port << " } } }\n";
  Daemon daemon(binary("explainerd"), {"--config=" + properties, "--config=" + json});
  ASSERT_TRUE(wait_for_port(json_port));
  const auto r = run(binary("explainer"), {"send", "--mllp", "127.0.0.1:" + std::to_string(json_port),
                                           fixture_path("radiology/mri-knee.hl7")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(daemon.terminate(), 0);
}

// SIGHUP reloads while a sender keeps one MLLP connection busy: the connection stays open,
// every message gets its AA on it, and every one is delivered (enriched) downstream.
TEST(ExplainerdProcess, SighupReloadsDropNoConnectionAndNoMessage) {
  TempDir dir;
  copy_tree(std::string(EXPLAINER_SOURCE_DIR) + "/mappings", dir.str("mappings"));
  copy_tree(std::string(EXPLAINER_SOURCE_DIR) + "/content", dir.str("content"));
  DownstreamPeer peer;
  const std::uint16_t port = free_port();
  const std::string log = dir.str("explainerd.log");
  Daemon daemon(binary("explainerd"), {"--config=" + config_with_data(dir, port, peer.port())});
  ASSERT_TRUE(wait_for_port(port));

  const std::string original = read_fixture("radiology/mri-lumbar-spine.hl7");
  const std::size_t msh_end = original.find('\r');
  ASSERT_NE(msh_end, std::string::npos);
  // MSH-10 is the tenth |-separated field of the MSH segment (MSH-1 is the separator itself).
  std::size_t field_start = 0;
  for (int i = 0; i < 9; ++i) field_start = original.find('|', field_start) + 1;
  const std::size_t field_end = original.find('|', field_start);
  ASSERT_LT(field_end, msh_end);

  constexpr int kMessages = 60;
  std::atomic<bool> sending{true};
  std::thread reloader([&] {
    while (sending.load()) {
      ::kill(daemon.pid(), SIGHUP);
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  transport::MllpFrameDecoder decoder;
  std::set<std::string> sent_ids;
  int acknowledged = 0;
  for (int i = 0; i < kMessages; ++i) {
    const std::string id = "RELOAD" + std::to_string(i);
    std::string message = original;
    message.replace(field_start, field_end - field_start, id);
    const std::string framed = transport::mllp_encode(message);
    socket.sendBytes(framed.data(), static_cast<int>(framed.size()));
    std::optional<transport::MllpEvent> ack;
    char buffer[4096];
    while (!(ack = decoder.next())) {
      const int n = socket.receiveBytes(buffer, sizeof buffer);
      ASSERT_GT(n, 0) << "the connection was closed after " << i << " messages";
      decoder.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    EXPECT_NE(ack->payload.find("MSA|AA|" + id), std::string::npos) << ack->payload;
    acknowledged += ack->payload.find("MSA|AA|" + id) != std::string::npos ? 1 : 0;
    sent_ids.insert(id);
  }
  sending.store(false);
  reloader.join();
  EXPECT_EQ(acknowledged, kMessages);
  ASSERT_TRUE(peer.wait_for(kMessages));
  std::set<std::string> delivered;
  int enriched = 0;
  for (const auto& frame : peer.received()) {
    delivered.insert(control_id_of(frame));
    enriched += frame.find("EXPL-disc_bulge") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(delivered, sent_ids);
  EXPECT_EQ(enriched, kMessages) << "every message was enriched, whichever snapshot it met";
  EXPECT_TRUE(wait_for_log(log, "reloaded mappings and content"));
  EXPECT_EQ(daemon.terminate(), 0);
}

}  // namespace
}  // namespace explainer

// The admin endpoint of a real explainerd on loopback: /healthz, /readyz (503 once the store
// is gone), /metrics parsed as a scraper would, counters moving as messages flow, bearer
// token authentication; and the listener limits (max connections, a slow client, per-client
// request rate, size limits) answered and counted.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/downstream_peer.h"
#include "support/files.h"
#include "support/process.h"
#include "support/prometheus_text.h"

namespace explainer {
namespace {

using namespace test_support;
using namespace std::chrono_literals;

constexpr const char* kToken = "admin-token-for-tests";

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
};

Reply http(std::uint16_t port, const std::string& method, const std::string& path,
           const std::string& token = {}, const std::string& body = {},
           const std::string& content_type = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) request.set("Authorization", std::string("Bearer ") + token);
  if (!content_type.empty()) request.setContentType(content_type);
  if (!body.empty() || method == "POST")
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Reply reply;
  reply.status = static_cast<int>(response.getStatus());
  reply.content_type = response.getContentType();
  reply.retry_after = response.get("Retry-After", "");
  Poco::StreamCopier::copyToString(in, reply.body);
  return reply;
}

PromText scrape(std::uint16_t admin_port) {
  const Reply r = http(admin_port, "GET", "/metrics", kToken);
  EXPECT_EQ(r.status, 200);
  auto parsed = parse_prometheus_text(r.body);
  EXPECT_TRUE(parsed.ok()) << parsed.error;
  return parsed;
}

// Scrapes until `done` holds or the timeout passes; returns the last scrape.
template <class Pred>
PromText scrape_until(std::uint16_t admin_port, Pred done,
                      std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  PromText m = scrape(admin_port);
  while (!done(m) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    m = scrape(admin_port);
  }
  return m;
}

class AdminEndpointTest : public ::testing::Test {
 protected:
  void start(const std::string& extra) {
    admin_port_ = free_port();
    mllp_port_ = free_port();
    const std::string tokens = dir_.str("admin-tokens");
    std::ofstream(tokens) << "# operators\n" << kToken << "\n";
    config_ = dir_.str("explainerd.properties");
    std::ofstream out(config_);
    out << "log.file = " << dir_.str("explainerd.log") << "\n"
        << "paths.data = " << dir_.str("data") << "\n"
        << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
        << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
        << "retry.initial_ms = 50\nretry.max_ms = 200\n"
        << "admin.port = " << admin_port_ << "\nadmin.auth_tokens_file = " << tokens << "\n"
        << "listener.ris.port = " << mllp_port_ << "\n"
        << "destinations = portal\n"
        << "destination.portal.type = mllp\ndestination.portal.host = 127.0.0.1\n"
        << "destination.portal.port = " << peer_.port() << "\n"
        << extra;
    out.close();
    daemon_ = std::make_unique<Daemon>(binary("explainerd"),
                                       std::vector<std::string>{"--config=" + config_});
    ASSERT_TRUE(wait_for_port(admin_port_));
    ASSERT_TRUE(wait_for_port(mllp_port_));
  }

  void send(const std::string& fixture) {
    run(binary("explainer"), {"send", "--timeout", "5", "--mllp",
                              "127.0.0.1:" + std::to_string(mllp_port_), fixture_path(fixture)});
  }

  TempDir dir_;
  DownstreamPeer peer_;
  std::string config_;
  std::uint16_t admin_port_ = 0;
  std::uint16_t mllp_port_ = 0;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(AdminEndpointTest, CountersMoveAsMessagesFlowAndReadinessFollowsTheStore) {
  start("listeners = ris\n");
  const PromText before = scrape(admin_port_);
  for (const char* family :
       {"explainer_messages_received_total", "explainer_ack_latency_seconds",
        "explainer_queue_depth", "explainer_end_to_end_latency_seconds",
        "explainer_explanations_attached_total", "explainer_connections_refused_total"}) {
    EXPECT_EQ(before.families.count(family), 1u) << family << " is declared before any message";
  }
  for (const auto& [name, family] : before.families) {
    EXPECT_EQ(name.rfind("explainer_", 0), 0u) << name;
    EXPECT_FALSE(family.help.empty()) << name;
  }
  const std::map<std::string, std::string> ris{{"listener", "ris"}};
  EXPECT_EQ(before.sum("explainer_messages_received_total", ris), 0);

  send("radiology/mri-lumbar-spine.hl7");
  send("radiology/mri-knee.hl7");
  send("radiology/ct-chest.hl7");
  send("radiology/mri-knee.hl7");  // a repeat
  send("radiology/README.md");     // not HL7
  ASSERT_TRUE(peer_.wait_for(3));

  const std::map<std::string, std::string> portal{{"destination", "portal"}};
  const PromText m = scrape_until(admin_port_, [&](const PromText& t) {
    return t.sum("explainer_delivered_total", portal) >= 3;
  });
  EXPECT_EQ(m.sum("explainer_messages_received_total", ris), 5);
  EXPECT_EQ(m.sum("explainer_messages_accepted_total", ris), 3);
  EXPECT_EQ(m.sum("explainer_messages_duplicate_total", ris), 1);
  EXPECT_EQ(m.sum("explainer_messages_rejected_total", ris), 1);
  EXPECT_EQ(m.sum("explainer_ack_latency_seconds_count", ris), 5);
  EXPECT_EQ(m.sum("explainer_ack_latency_seconds_bucket", {{"listener", "ris"}, {"le", "+Inf"}}),
            5);
  EXPECT_EQ(m.sum("explainer_delivered_total", portal), 3);
  EXPECT_EQ(m.sum("explainer_delivery_attempts_total", portal), 3);
  EXPECT_EQ(m.sum("explainer_delivery_failures_total", portal), 0);
  EXPECT_EQ(m.sum("explainer_end_to_end_latency_seconds_count", portal), 3);
  EXPECT_EQ(m.sum("explainer_queue_depth", portal), 0);
  EXPECT_EQ(m.sum("explainer_queue_dead_letters", portal), 0);
  EXPECT_GE(m.sum("explainer_store_commits_total"), 1);
  // The lumbar spine report explains a disc bulge (see the v2 pipeline tests).
  EXPECT_GE(m.sum("explainer_explanations_attached_total",
                  {{"destination", "portal"}, {"finding", "disc_bulge"}}),
            1);
  EXPECT_GE(m.sum("explainer_explanations_attached_total"), 3);
  EXPECT_EQ(m.sum("explainer_connections_refused_total", ris), 0);
  EXPECT_EQ(m.sum("explainer_scrape_errors_total"), 0);

  EXPECT_EQ(m.sum("explainer_explanations_awaiting_review"), 0);

  // A sensitive finding is held (policy.sensitive = hold): counted, and waiting for review.
  send("radiology/mri-spine-metastasis.hl7");
  const PromText h = scrape_until(admin_port_, [&](const PromText& t) {
    return t.sum("explainer_delivered_total", portal) >= 4;
  });
  EXPECT_EQ(h.sum("explainer_explanations_held_total",
                  {{"destination", "portal"}, {"finding", "spinal_metastasis"}}),
            1);
  EXPECT_EQ(h.sum("explainer_explanations_awaiting_review"), 1);

  // Patient data never becomes a label value.
  const std::string text = http(admin_port_, "GET", "/metrics", kToken).body;
  for (const char* secret : {"TESTPATIENT", "MRN1000", "ACC1000", "19851120", "JORDAN"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }

  EXPECT_EQ(http(admin_port_, "GET", "/healthz", kToken).status, 200);
  const Reply ready = http(admin_port_, "GET", "/readyz", kToken);
  EXPECT_EQ(ready.status, 200) << ready.body;

  // The store's file disappears (a volume unmounted, a careless clean-up): not ready.
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(dir_.str("data/explainer.db") + suffix);
  }
  const Reply gone = http(admin_port_, "GET", "/readyz", kToken);
  EXPECT_EQ(gone.status, 503);
  EXPECT_EQ(gone.content_type, "application/json");
  EXPECT_NE(gone.body.find("\"status\":\"not_ready\""), std::string::npos) << gone.body;
  EXPECT_NE(gone.body.find("store unreachable"), std::string::npos) << gone.body;
  EXPECT_EQ(http(admin_port_, "GET", "/healthz", kToken).status, 200) << "the process is still up";
  daemon_->kill9();
}

TEST_F(AdminEndpointTest, ADestinationThatIsDownShowsFailuresAndDeadLetters) {
  // Nothing listens on the destination's port; three attempts, then dead-letter.
  const std::uint16_t closed_port = free_port();
  start(
      "listeners = ris\nretry.max_attempts = 3\n"
      "destinations = gone\ndestination.gone.type = mllp\ndestination.gone.host = 127.0.0.1\n"
      "destination.gone.port = " +
      std::to_string(closed_port) + "\ndestination.gone.connect_timeout_s = 1\n");
  send("radiology/mri-knee.hl7");
  const std::map<std::string, std::string> gone{{"destination", "gone"}};
  const PromText m = scrape_until(admin_port_, [&](const PromText& t) {
    return t.sum("explainer_queue_dead_letters", gone) >= 1;
  });
  EXPECT_EQ(m.sum("explainer_queue_dead_letters", gone), 1);
  EXPECT_EQ(m.sum("explainer_dead_letters_total", gone), 1);
  EXPECT_EQ(m.sum("explainer_queue_depth", gone), 0);
  EXPECT_EQ(m.sum("explainer_delivery_attempts_total", gone), 3);
  EXPECT_EQ(
      m.sum("explainer_delivery_failures_total", {{"destination", "gone"}, {"kind", "transient"}}),
      3);
  EXPECT_EQ(m.sum("explainer_delivered_total", gone), 0);
  EXPECT_EQ(m.sum("explainer_end_to_end_latency_seconds_count", gone), 0);
  EXPECT_EQ(daemon_->terminate(), 0);
}

TEST_F(AdminEndpointTest, EveryAdminPathNeedsTheBearerToken) {
  start("listeners = ris\n");
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    const Reply none = http(admin_port_, "GET", path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.content_type, "application/json") << path;
    EXPECT_NE(none.body.find("\"error\""), std::string::npos) << none.body;
    EXPECT_EQ(http(admin_port_, "GET", path, "not-the-token").status, 401) << path;
    EXPECT_EQ(http(admin_port_, "GET", path, kToken).status, 200) << path;
  }
  EXPECT_EQ(daemon_->terminate(), 0);
}

// Reads until the peer closes (true) or `timeout` passes (false).
bool closed_by_peer_within(Poco::Net::StreamSocket& socket, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    if (!socket.poll(Poco::Timespan(0, 50'000), Poco::Net::Socket::SELECT_READ)) continue;
    try {
      if (socket.receiveBytes(buffer, sizeof buffer) <= 0) return true;
    } catch (const Poco::Exception&) {
      return true;  // reset
    }
  }
  return false;
}

TEST_F(AdminEndpointTest, ListenerLimitsAreAnsweredAndCounted) {
  const std::uint16_t fhir_port = free_port();
  start(
      "listeners = ris, hook\n"
      "listener.ris.max_connections = 1\nlistener.ris.read_timeout_s = "
      "1\nlistener.ris.idle_timeout_s = 3\n"
      "listener.ris.max_frame_bytes = 1024\n"
      "listener.hook.type = fhir\nlistener.hook.port = " +
      std::to_string(fhir_port) +
      "\n"
      "listener.hook.max_body_bytes = 1024\n"
      "listener.hook.rate_limit_per_second = 0.01\nlistener.hook.rate_limit_burst = 3\n"
      "destinations = portal, drop\ndestination.drop.type = file\ndestination.drop.path = " +
      dir_.str("drop") + "\n");
  ASSERT_TRUE(wait_for_port(fhir_port));
  const Poco::Net::SocketAddress mllp("127.0.0.1", mllp_port_);

  // start()'s port probe must have left before the single slot is taken.
  const std::map<std::string, std::string> ris{{"listener", "ris"}};
  scrape_until(admin_port_, [&](const PromText& t) {
    return t.has("explainer_connections_active") && t.sum("explainer_connections_active", ris) == 0;
  });
  {
    // max_connections = 1: a second connection is closed at once; the first stays usable.
    Poco::Net::StreamSocket first(mllp);
    std::this_thread::sleep_for(300ms);
    Poco::Net::StreamSocket second(mllp);
    // (At once: well before idle_timeout_s would close it.)
    EXPECT_TRUE(closed_by_peer_within(second, 2s))
        << "the connection over the limit must be closed";
    // An oversize frame on the first connection is refused with an AR, and it stays open.
    const std::string frame = "\x0bMSH|^~\\&|RIS|H|EXPLAINER|H|20250101||ORU^R01|BIG1|P|2.5.1\r" +
                              std::string(2000, 'x') + "\x1c\r";
    first.sendBytes(frame.data(), static_cast<int>(frame.size()));
    std::string ack;
    char buffer[1024];
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (ack.find('\x1c') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      if (!first.poll(Poco::Timespan(0, 50'000), Poco::Net::Socket::SELECT_READ)) continue;
      const int n = first.receiveBytes(buffer, sizeof buffer);
      if (n <= 0) break;
      ack.append(buffer, static_cast<std::size_t>(n));
    }
    EXPECT_NE(ack.find("MSA|AR|BIG1"), std::string::npos) << ack;
    // Left idle, it is closed after idle_timeout_s.
    EXPECT_TRUE(closed_by_peer_within(first, 6s)) << "an idle connection must be closed";
  }
  {
    // A slow client: a frame begun and trickled a byte at a time is cut off after
    // read_timeout_s (1 s here; the same holds for one byte a minute).
    std::this_thread::sleep_for(200ms);  // the previous connection's slot is released
    Poco::Net::StreamSocket slow(mllp);
    const std::string start = "\x0bMSH|^~\\&|";
    slow.sendBytes(start.data(), static_cast<int>(start.size()));
    bool closed = false;
    const auto began = std::chrono::steady_clock::now();
    for (int i = 0; i < 20 && !closed; ++i) {
      try {
        slow.sendBytes("R", 1);
      } catch (const Poco::Exception&) {
        closed = true;
        break;
      }
      closed = closed_by_peer_within(slow, 400ms);
    }
    EXPECT_TRUE(closed) << "a trickling client must be disconnected";
    EXPECT_LT(std::chrono::steady_clock::now() - began, 6s);
  }

  // FHIR: over the size limit -> 413; over the request rate -> 429 with Retry-After.
  const Reply big =
      http(fhir_port, "POST", "/fhir/DiagnosticReport", {},
           R"({"resourceType":"DiagnosticReport","language":")" + std::string(2000, 'a') + "\"}",
           "application/fhir+json");
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(http(fhir_port, "GET", "/fhir/metadata").status, 200);
  EXPECT_EQ(http(fhir_port, "GET", "/fhir/metadata").status, 200);
  const Reply limited = http(fhir_port, "GET", "/fhir/metadata");
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("throttled"), std::string::npos) << limited.body;
  EXPECT_NE(limited.body.find("OperationOutcome"), std::string::npos) << limited.body;
  EXPECT_FALSE(limited.retry_after.empty());
  EXPECT_GE(std::stoi(limited.retry_after), 1);

  const std::map<std::string, std::string> hook{{"listener", "hook"}};
  const PromText m = scrape_until(admin_port_, [&](const PromText& t) {
    return t.sum("explainer_connection_timeouts_total", {{"listener", "ris"}, {"kind", "read"}}) >=
           1;
  });
  EXPECT_EQ(m.sum("explainer_connections_refused_total", ris), 1);
  EXPECT_EQ(m.sum("explainer_too_large_total", ris), 1);
  EXPECT_EQ(
      m.sum("explainer_messages_rejected_total", {{"listener", "ris"}, {"reason", "oversize"}}), 1);
  EXPECT_EQ(m.sum("explainer_connection_timeouts_total", {{"listener", "ris"}, {"kind", "idle"}}),
            1);
  EXPECT_EQ(m.sum("explainer_connection_timeouts_total", {{"listener", "ris"}, {"kind", "read"}}),
            1);
  EXPECT_EQ(m.sum("explainer_too_large_total", hook), 1);
  EXPECT_EQ(m.sum("explainer_rate_limited_total", hook), 1);
  EXPECT_EQ(m.sum("explainer_messages_rejected_total",
                  {{"listener", "hook"}, {"reason", "http_429_throttled"}}),
            1);
  EXPECT_EQ(m.sum("explainer_messages_rejected_total",
                  {{"listener", "hook"}, {"reason", "http_413_too-long"}}),
            1);
  EXPECT_EQ(daemon_->terminate(), 0);
}

}  // namespace
}  // namespace explainer

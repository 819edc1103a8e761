// The FHIR path end to end, in process: HTTP client -> Engine's FHIR endpoint -> SQLite store
// -> FhirSink -> a downstream FHIR server written here (Poco HTTPServer on loopback) that
// records what it receives. Real sockets, real SQLite files in a temporary folder.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "app/engine.h"
#include "app/fhir_intake.h"
#include "fhir/fhir.h"
#include "store/sqlite/sqlite_store.h"
#include "support/files.h"
#include "support/process.h"
#include "transport/http/fhir_server.h"

namespace explainer {
namespace {

using test_support::read_fixture;
using test_support::TempDir;

// ---------------------------------------------------------------------------------------
// Downstream FHIR server: records every request; answers from a script (default 201).

struct Recorded {
  std::string method;
  std::string uri;
  std::string content_type;
  std::string authorization;
  std::string body;
};

struct Scripted {
  int status = 201;
  std::string body;  // sent as application/fhir+json when non-empty
};

class DownstreamFhirServer {
 public:
  DownstreamFhirServer() {
    state_ = std::make_shared<State>();
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket, params);
    server_->start();
    port_ = socket.address().port();
  }
  ~DownstreamFhirServer() { server_->stopAll(true); }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/r4"; }
  void script(std::vector<Scripted> answers) {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->script.assign(answers.begin(), answers.end());
  }
  std::vector<Recorded> received() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->requests;
  }
  bool wait_for(std::size_t count,
                std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    std::unique_lock<std::mutex> lock(state_->mu);
    return state_->cv.wait_for(lock, timeout, [&] { return state_->requests.size() >= count; });
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Scripted> script;
    std::vector<Recorded> requests;
  };
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(std::shared_ptr<State> s) : state_(std::move(s)) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      Recorded r{
          req.getMethod(), req.getURI(), req.getContentType(), req.get("Authorization", ""), {}};
      Poco::StreamCopier::copyToString(req.stream(), r.body);
      Scripted answer;
      {
        std::lock_guard<std::mutex> lock(state_->mu);
        if (!state_->script.empty()) {
          answer = state_->script.front();
          state_->script.pop_front();
        }
        state_->requests.push_back(r);
      }
      state_->cv.notify_all();
      resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
      if (answer.body.empty()) {
        resp.setContentLength(0);
        resp.send();
      } else {
        resp.setContentType("application/fhir+json");
        resp.sendBuffer(answer.body.data(), answer.body.size());
      }
    }

   private:
    std::shared_ptr<State> state_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<State> s) : state_(std::move(s)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(state_);
    }

   private:
    std::shared_ptr<State> state_;
  };
  std::shared_ptr<State> state_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------
// Client side.

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string location;
  std::string etag;
};

Reply http_once(std::uint16_t port, const std::string& method, const std::string& uri,
                const std::string& body, const std::string& content_type,
                const std::vector<std::pair<std::string, std::string>>& headers);

// One request on a fresh connection; status -1 (and the reason in body) when the exchange failed.
Reply http(std::uint16_t port, const std::string& method, const std::string& uri,
           const std::string& body = {}, const std::string& content_type = "application/fhir+json",
           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  try {
    return http_once(port, method, uri, body, content_type, headers);
  } catch (const Poco::Exception& e) {
    Reply r;
    r.status = -1;
    r.body = "client error: " + e.displayText();
    return r;
  }
}

Reply http_once(std::uint16_t port, const std::string& method, const std::string& uri,
                const std::string& body, const std::string& content_type,
                const std::vector<std::pair<std::string, std::string>>& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) request.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    if (!content_type.empty()) request.setContentType(content_type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Reply r;
  r.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, r.body);
  r.content_type = response.getContentType();
  r.location = response.get("Location", "");
  r.etag = response.get("ETag", "");
  return r;
}

fhir::Element parse_any(const std::string& text) {
  auto parsed = text.find('<') < text.find('{') ? fhir::parse_xml(text) : fhir::parse_json(text);
  if (!parsed) throw std::runtime_error("unparseable: " + parsed.error().describe());
  return std::move(*parsed);
}

// The first issue's code of an OperationOutcome body; "" when it is not one.
std::string issue_code(const std::string& body) {
  try {
    const auto oo = parse_any(body);
    if (oo.resource_type != "OperationOutcome") return {};
    return oo.value_at("issue.code");
  } catch (const std::exception&) {
    return {};
  }
}

std::string json_report(const std::string& id, const std::string& version = {}) {
  std::string meta = version.empty() ? "" : R"("meta":{"versionId":")" + version + R"("},)";
  return R"({"resourceType":"DiagnosticReport","id":")" + id + R"(",)" + meta +
         R"("status":"final","code":{"text":"MRI lumbar spine"},"conclusion":"Mild disc bulge at L4-L5."})";
}

// ---------------------------------------------------------------------------------------

class FhirEndpointTest : public ::testing::Test {
 protected:
  app::EngineConfig make_config(const std::string& downstream_base) {
    app::EngineConfig config;
    config.config_dir = dir_.str();
    config.store.sqlite_path = dir_.str("explainer.db");
    config.mappings_dir = std::string(EXPLAINER_SOURCE_DIR) + "/mappings";
    config.content_dir = std::string(EXPLAINER_SOURCE_DIR) + "/content";
    config.retry.initial_ms = 20;
    config.retry.max_ms = 200;
    app::FhirListenerConfig listener;
    listener.name = "hook";
    listener.port = 0;
    listener.max_body_bytes = 256 * 1024;
    config.fhir_listeners.push_back(listener);
    app::DestinationConfig ehr;
    ehr.name = "ehr";
    ehr.type = "fhir";
    ehr.base_url = downstream_base;
    ehr.timeout_s = 5;
    ehr.enrich = false;  // transport tests: the report as received; enrichment has its own tests
    config.destinations.push_back(ehr);
    return config;
  }

  void start(app::EngineConfig config) {
    engine_ = std::make_unique<app::Engine>(std::move(config));
    std::string error;
    ASSERT_TRUE(engine_->open(false, &error)) << error;
    ASSERT_TRUE(engine_->start(&error)) << error;
    port_ = engine_->listener_port("hook");
    ASSERT_NE(port_, 0);
  }

  TempDir dir_;
  std::unique_ptr<app::Engine> engine_;
  std::uint16_t port_ = 0;
};

TEST_F(FhirEndpointTest, EverySpecExampleReportIsAcceptedAndDelivered) {
  DownstreamFhirServer downstream;
  auto config = make_config(downstream.base_url());
  config.destinations[0].enrich = true;  // enriched or not, every report must arrive
  config.fhir_listeners[0].max_body_bytes = 2 * 1024 * 1024;  // the largest example is 0.75 MB
  start(config);
  std::size_t created = 0;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(EXPLAINER_SOURCE_DIR) + "/tests/fixtures/fhir/spec_examples")) {
    const std::string path = entry.path().string();
    const bool xml = entry.path().extension() == ".xml";
    const std::string media = xml ? "application/fhir+xml" : "application/fhir+json";
    const std::string text = test_support::read_bytes(path);
    fhir::Element document = parse_any(text);
    ++files;
    if (document.resource_type == "DiagnosticReport") {
      const Reply r = http(port_, "POST", "/fhir/DiagnosticReport", text, media);
      ASSERT_TRUE(r.status == 201 || r.status == 200) << path << " " << r.status << "\n" << r.body;
      EXPECT_EQ(
          r.location.rfind("/fhir/DiagnosticReport/" + document.value_of("id") + "/_history/", 0),
          0u)
          << path << " " << r.location;
      created += r.status == 201;
      continue;
    }
    ASSERT_EQ(document.resource_type, "Bundle") << path;
    const std::string type = document.value_of("type");
    if (type == "transaction" || type == "batch") {
      const Reply r = http(port_, "POST", "/fhir", text, media);
      ASSERT_EQ(r.status, 200) << path << "\n" << r.body;
      const auto response = parse_any(r.body);
      EXPECT_EQ(response.value_of("type"), type + "-response");
      EXPECT_EQ(response.children_named("entry").size(), document.children_named("entry").size());
      created += response.value_at("entry.response.status") == "201 Created";
      continue;
    }
    // Other Bundles (collections): post each DiagnosticReport entry on its own.
    for (const auto& e : fhir::bundle_entries(document)) {
      if (!e.resource || e.resource->resource_type != "DiagnosticReport") continue;
      fhir::Element report = *e.resource;
      report.name.clear();
      auto body = xml ? fhir::write_xml(report) : fhir::write_json(report);
      ASSERT_TRUE(body) << path;
      const Reply r = http(port_, "POST", "/fhir/DiagnosticReport", *body, media);
      ASSERT_TRUE(r.status == 201 || r.status == 200) << path << " " << r.status << "\n" << r.body;
      if (!report.value_of("id").empty()) {
        EXPECT_EQ(
            r.location.rfind("/fhir/DiagnosticReport/" + report.value_of("id") + "/_history/", 0),
            0u)
            << path << " " << r.location;
      }
      created += r.status == 201;
    }
  }
  EXPECT_GE(files, 34);
  ASSERT_TRUE(downstream.wait_for(created, std::chrono::seconds(60)));
  const auto received = downstream.received();
  EXPECT_EQ(received.size(), created);
  for (const auto& r : received) {
    EXPECT_NO_THROW(parse_any(r.body)) << r.uri;
    const fhir::Element resource = parse_any(r.body);
    if (resource.resource_type == "Bundle") {
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.uri, "/r4");
    } else {
      // A single report travels as a PUT of that resource.
      EXPECT_EQ(r.method, "PUT");
      EXPECT_EQ(r.uri, "/r4/" + resource.resource_type + "/" + resource.value_of("id"));
    }
  }
}

TEST_F(FhirEndpointTest, BadRequestsGetOperationOutcomesWithTheRightStatus) {
  DownstreamFhirServer downstream;
  start(make_config(downstream.base_url()));
  Reply r = http(port_, "POST", "/fhir/DiagnosticReport", R"({"resourceType":"DiagnosticReport",)");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(issue_code(r.body), "structure") << r.body;

  r = http(port_, "POST", "/fhir/DiagnosticReport",
           "<DiagnosticReport xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/>",
           "application/fhir+xml");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(issue_code(r.body), "structure") << r.body;
  EXPECT_NE(r.content_type.find("application/fhir+xml"), std::string::npos)
      << "errors follow the request format";

  r = http(port_, "POST", "/fhir/DiagnosticReport", R"({"resourceType":"Patient","id":"p1"})");
  EXPECT_TRUE(r.status == 400 || r.status == 422) << r.status;
  EXPECT_EQ(issue_code(r.body), "invalid") << r.body;

  r = http(port_, "POST", "/fhir/DiagnosticReport", "IMPRESSION: normal", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(issue_code(r.body), "not-supported") << r.body;

  const std::string big =
      json_report("big").insert(1, R"("language":")" + std::string(300 * 1024, 'a') + R"(",)");
  r = http(port_, "POST", "/fhir/DiagnosticReport", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(issue_code(r.body), "too-long") << r.body;

  r = http(port_, "PUT", "/fhir/DiagnosticReport/other", json_report("r1"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(issue_code(r.body), "invalid") << r.body;

  r = http(port_, "POST", "/fhir/Patient", R"({"resourceType":"Patient"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(issue_code(r.body), "not-supported") << r.body;

  r = http(port_, "GET", "/fhir/DiagnosticReport/r1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(issue_code(r.body), "not-supported") << r.body;

  r = http(
      port_, "POST", "/fhir",
      R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}}]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(issue_code(r.body), "business-rule") << r.body;

  r = http(
      port_, "POST", "/fhir",
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}]})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(issue_code(r.body), "business-rule") << r.body;

  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("r1"), "application/fhir+json",
           {{"Accept", "text/html"}});
  EXPECT_EQ(r.status, 406);

  // Nothing of the above was stored or delivered; the endpoint still serves.
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("ok1", "1"));
  EXPECT_EQ(r.status, 201) << r.body;
  ASSERT_TRUE(downstream.wait_for(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(downstream.received().size(), 1u);
  const auto counters = engine_->intake_counters("hook");
  EXPECT_EQ(counters.received, 1u);
  EXPECT_EQ(counters.accepted, 1u);
}

TEST_F(FhirEndpointTest, BearerTokensAreRequiredWhenConfigured) {
  DownstreamFhirServer downstream;
  auto config = make_config(downstream.base_url());
  { std::ofstream(dir_.str("tokens")) << "# sender tokens\ngood-token\n"; }
  config.fhir_listeners[0].auth_tokens_file = dir_.str("tokens");
  start(config);
  Reply r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("a1"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(issue_code(r.body), "login") << r.body;
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("a1"), "application/fhir+json",
           {{"Authorization", "Bearer wrong"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(issue_code(r.body), "login") << r.body;
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("a1"), "application/fhir+json",
           {{"Authorization", "Bearer good-token"}});
  EXPECT_EQ(r.status, 201) << r.body;
  // The CapabilityStatement stays public and says how to authenticate.
  r = http(port_, "GET", "/fhir/metadata");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(parse_any(r.body).value_at("rest.security.description").find("Bearer"),
            std::string::npos);
}

TEST_F(FhirEndpointTest, RepeatedReportIsAnsweredOkAndNotDeliveredTwice) {
  DownstreamFhirServer downstream;
  start(make_config(downstream.base_url()));
  Reply r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("rep1", "3"));
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.location, "/fhir/DiagnosticReport/rep1/_history/3");
  EXPECT_EQ(r.etag, "W/\"3\"");
  r = http(port_, "PUT", "/fhir/DiagnosticReport/rep1", json_report("rep1", "3"));
  EXPECT_EQ(r.status, 200) << r.body;
  // If-None-Exist: the identifier is the idempotency key (no meta.versionId here).
  const std::vector<std::pair<std::string, std::string>> cond = {
      {"If-None-Exist", "identifier=http://acme.org/acc|A-77"}};
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("inx"), "application/fhir+json",
           cond);
  EXPECT_EQ(r.status, 201) << r.body;
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("inx"), "application/fhir+json",
           cond);
  EXPECT_EQ(r.status, 200) << r.body;
  // A new version is new.
  r = http(port_, "PUT", "/fhir/DiagnosticReport/rep1", json_report("rep1", "4"));
  EXPECT_EQ(r.status, 201) << r.body;
  // FIFO per destination: once the last one arrived, a second delivery would have too.
  ASSERT_TRUE(downstream.wait_for(3));
  const auto received = downstream.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(parse_any(received[0].body).value_at("meta.versionId"), "3");
  EXPECT_EQ(parse_any(received[1].body).value_of("id"), "inx");
  EXPECT_EQ(parse_any(received[2].body).value_at("meta.versionId"), "4");
  EXPECT_EQ(engine_->intake_counters("hook").duplicates, 2u);
}

TEST_F(FhirEndpointTest, PreferAndFormatNegotiation) {
  DownstreamFhirServer downstream;
  start(make_config(downstream.base_url()));
  const std::string body = json_report("pref1", "1");
  Reply r = http(port_, "POST", "/fhir/DiagnosticReport", body, "application/fhir+json",
                 {{"Prefer", "return=minimal"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.location.empty());
  r = http(port_, "POST", "/fhir/DiagnosticReport", body, "application/fhir+json",
           {{"Prefer", "return=OperationOutcome"}});
  EXPECT_EQ(r.status, 200);  // a repeat
  EXPECT_EQ(issue_code(r.body), "informational") << r.body;
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("pref2", "1"),
           "application/fhir+json", {{"Prefer", "return=representation"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, json_report("pref2", "1")) << "the resource as received";
  r = http(port_, "POST", "/fhir/DiagnosticReport?_format=xml", json_report("pref3", "1"));
  EXPECT_EQ(r.status, 201);
  EXPECT_NE(r.content_type.find("application/fhir+xml"), std::string::npos);
  EXPECT_EQ(parse_any(r.body).value_of("id"), "pref3");
  r = http(port_, "POST", "/fhir/DiagnosticReport", json_report("pref4", "1"), "application/json",
           {{"Accept", "application/fhir+xml"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_NE(r.content_type.find("application/fhir+xml"), std::string::npos);
}

TEST_F(FhirEndpointTest, CapabilityStatementDescribesWhatIsSupported) {
  DownstreamFhirServer downstream;
  start(make_config(downstream.base_url()));
  for (const std::string uri : {"/fhir/metadata", "/fhir/metadata?_format=xml"}) {
    const Reply r = http(port_, "GET", uri);
    ASSERT_EQ(r.status, 200) << r.body;
    const fhir::Element cs = parse_any(r.body);
    EXPECT_EQ(cs.resource_type, "CapabilityStatement");
    EXPECT_EQ(cs.value_of("fhirVersion"), "4.0.1");
    EXPECT_EQ(cs.value_of("kind"), "instance");
    const fhir::Element* rest = cs.child("rest");
    ASSERT_NE(rest, nullptr);
    EXPECT_EQ(rest->value_of("mode"), "server");
    EXPECT_EQ(rest->value_at("resource.type"), "DiagnosticReport");
    std::vector<std::string> interactions;
    for (const auto* i : rest->child("resource")->children_named("interaction"))
      interactions.push_back(i->value_of("code"));
    EXPECT_EQ(interactions, (std::vector<std::string>{"create", "update"}));
    std::vector<std::string> system;
    for (const auto* i : rest->children_named("interaction")) system.push_back(i->value_of("code"));
    EXPECT_EQ(system, (std::vector<std::string>{"transaction", "batch"}));
    EXPECT_EQ(rest->value_at("resource.conditionalCreate"), "true");
    EXPECT_EQ(rest->child("security"), nullptr) << "no auth configured";
  }
}

TEST_F(FhirEndpointTest, DownstreamErrorsAreRetriedOrDeadLettered) {
  DownstreamFhirServer downstream;
  downstream.script(
      {{500, {}},
       {201, {}},
       {400,
        R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"DiagnosticReport.code is not in the value set"}]})"}});
  auto config = make_config(downstream.base_url());
  config.destinations[0].bearer_token = "downstream-secret";
  start(config);
  EXPECT_EQ(http(port_, "POST", "/fhir/DiagnosticReport", json_report("retry1", "1")).status, 201);
  ASSERT_TRUE(downstream.wait_for(2));
  EXPECT_EQ(http(port_, "POST", "/fhir/DiagnosticReport", json_report("dead1", "1")).status, 201);
  ASSERT_TRUE(downstream.wait_for(3));
  const auto received = downstream.received();
  EXPECT_EQ(received[0].body, received[1].body) << "the same report was retried";
  EXPECT_EQ(received[0].authorization, "Bearer downstream-secret");
  EXPECT_EQ(received[0].content_type.rfind("application/fhir+json", 0), 0u);
  // The dead-letter row keeps the OperationOutcome's diagnostics.
  std::vector<store::OutboxItem> dead;
  for (int i = 0; i < 200 && dead.empty(); ++i) {
    dead = engine_->store()->list_dead("ehr");
    if (dead.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].last_error.find("HTTP 400"), std::string::npos) << dead[0].last_error;
  EXPECT_NE(dead[0].last_error.find("not in the value set"), std::string::npos)
      << dead[0].last_error;
}

TEST_F(FhirEndpointTest, XmlDestinationGetsXmlAndFileDestinationGetsTheReceivedBytes) {
  DownstreamFhirServer downstream;
  auto config = make_config(downstream.base_url());
  config.destinations[0].format = "xml";
  app::DestinationConfig archive;
  archive.name = "archive";
  archive.type = "file";
  archive.path = dir_.str("out");
  archive.enrich = false;
  config.destinations.push_back(archive);
  app::DestinationConfig mllp;  // not fed by a FHIR listener
  mllp.name = "portal";
  mllp.type = "mllp";
  mllp.host = "127.0.0.1";
  mllp.port = 9;
  config.destinations.push_back(mllp);
  start(config);
  const std::string body = json_report("x1", "1");
  EXPECT_EQ(http(port_, "POST", "/fhir/DiagnosticReport", body).status, 201);
  ASSERT_TRUE(downstream.wait_for(1));
  const auto received = downstream.received();
  EXPECT_EQ(received[0].content_type.rfind("application/fhir+xml", 0), 0u);
  EXPECT_EQ(parse_any(received[0].body), parse_any(body));
  std::string file_payload;
  for (int i = 0; i < 200 && file_payload.empty(); ++i) {
    if (std::filesystem::exists(dir_.str("out"))) {
      for (const auto& f : std::filesystem::directory_iterator(dir_.str("out"))) {
        if (f.path().filename().string().front() != '.')
          file_payload = test_support::read_bytes(f.path().string());
      }
    }
    if (file_payload.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(file_payload, body);
  EXPECT_TRUE(engine_->store()->queue_status(0).size() <= 2u)
      << "nothing queued for the mllp destination";
  for (const auto& q : engine_->store()->queue_status(0)) EXPECT_NE(q.destination, "portal");
}

TEST_F(FhirEndpointTest, EnrichedReportArrivesAsTransactionBundleOrWithContainedDocuments) {
  DownstreamFhirServer downstream;
  auto config = make_config(downstream.base_url());
  config.destinations[0].enrich = true;
  app::DestinationConfig contained = config.destinations[0];
  contained.name = "ehr-contained";
  contained.fhir_mode = app::FhirMode::kContained;
  contained.format = "xml";
  config.destinations.push_back(contained);
  start(config);
  const std::string body =
      R"({"resourceType":"DiagnosticReport","id":"enr1","meta":{"versionId":"1"},"status":"final",)"
      R"("code":{"text":"MRI lumbar spine"},"subject":{"reference":"Patient/p1"},"conclusion":"Disc bulge at L4-L5."})";
  EXPECT_EQ(http(port_, "POST", "/fhir/DiagnosticReport", body).status, 201);
  ASSERT_TRUE(downstream.wait_for(2));
  const auto received = downstream.received();
  const fhir::Element original = parse_any(body);
  int bundles = 0, puts = 0;
  for (const auto& r : received) {
    fhir::Element doc = parse_any(r.body);
    if (doc.resource_type == "Bundle") {
      ++bundles;
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(doc.value_of("type"), "transaction");
      bool has_document_reference = false;
      for (const auto& e : fhir::bundle_entries(doc)) {
        if (e.resource && e.resource->resource_type == "DocumentReference")
          has_document_reference = true;
        if (e.resource && e.resource->resource_type == "DiagnosticReport") {
          EXPECT_EQ(e.resource->value_of("conclusion"), original.value_of("conclusion"));
        }
      }
      EXPECT_TRUE(has_document_reference) << r.body;
    } else {
      ++puts;
      EXPECT_EQ(r.method, "PUT");
      EXPECT_EQ(r.uri, "/r4/DiagnosticReport/enr1");
      EXPECT_EQ(r.content_type.rfind("application/fhir+xml", 0), 0u);
      ASSERT_NE(doc.child("contained"), nullptr) << r.body;
      EXPECT_EQ(doc.child("contained")->resource_type, "DocumentReference");
      EXPECT_EQ(doc.value_of("conclusion"), original.value_of("conclusion"));
    }
  }
  EXPECT_EQ(bundles, 1);
  EXPECT_EQ(puts, 1);
  EXPECT_GE(engine_->intake_counters("hook").explanations_added, 2u);
}

TEST_F(FhirEndpointTest, StopIsPromptWithAnIdleKeepAliveConnectionOpen) {
  DownstreamFhirServer downstream;
  auto config = make_config(downstream.base_url());
  config.fhir_listeners[0].read_timeout_s =
      600;  // a stop that waited for it would hit the CTest timeout
  start(config);
  Poco::Net::HTTPClientSession session("127.0.0.1", port_);
  session.setKeepAlive(true);
  Poco::Net::HTTPRequest request("GET", "/fhir/metadata", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setKeepAlive(true);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  ASSERT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
  EXPECT_TRUE(response.getKeepAlive()) << "connections are reused";
  engine_->stop();  // must not wait for the idle connection's 600 s timeout
  engine_.reset();
  SUCCEED();
}

TEST(FhirExplainerdProcess, AcceptedReportsSurviveAKillAndAreDeliveredAfterRestart) {
  using namespace test_support;
  TempDir dir;
  const std::uint16_t port = free_port();
  DownstreamFhirServer downstream;
  downstream.script(std::vector<Scripted>(50, Scripted{503, {}}));  // down until the restart
  const std::string config = dir.str("explainerd.properties");
  {
    std::ofstream out(config);
    out << "paths.data = " << dir.str("data") << "\n"
        << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
        << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
        << "retry.initial_ms = 50\nretry.max_ms = 100\n"
        << "listeners = hook\nlistener.hook.type = fhir\nlistener.hook.port = " << port << "\n"
        << "destinations = ehr\ndestination.ehr.type = fhir\ndestination.ehr.base_url = "
        << downstream.base_url()
        << "\ndestination.ehr.enrich = false\ndestination.ehr.timeout_s = 5\n";
  }
  {
    Daemon daemon(binary("explainerd"), {"--config=" + config});
    ASSERT_TRUE(wait_for_port(port));
    for (const char* id : {"k1", "k2", "k3"}) {
      const Reply r =
          http(port, "PUT", std::string("/fhir/DiagnosticReport/") + id, json_report(id, "1"));
      ASSERT_EQ(r.status, 201) << r.body;
    }
    daemon.kill9();
  }
  downstream.script({});
  const std::size_t before = downstream.received().size();
  Daemon daemon(binary("explainerd"), {"--config=" + config});
  ASSERT_TRUE(wait_for_port(port));
  // Everything answered 201 before the kill is delivered after the restart, in order.
  std::vector<std::string> delivered;
  for (int i = 0; i < 1000 && delivered.size() < 3; ++i) {
    delivered.clear();
    const auto all = downstream.received();
    for (std::size_t j = before; j < all.size(); ++j) {
      const std::string id = parse_any(all[j].body).value_of("id");
      if (delivered.empty() || delivered.back() != id) delivered.push_back(id);
    }
    if (delivered.size() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(delivered, (std::vector<std::string>{"k1", "k2", "k3"}));
  // A repeat after the restart is still recognised.
  EXPECT_EQ(http(port, "PUT", "/fhir/DiagnosticReport/k1", json_report("k1", "1")).status, 200);
  EXPECT_EQ(daemon.terminate(), 0);
}

// ---------------------------------------------------------------------------------------
// The intake with an enricher plugged in (what fhir-enrich's adapter will do): enriched
// copies per destination, fail open when it throws.

class TestEnricher final : public app::FhirEnricher {
 public:
  explicit TestEnricher(bool fail) : fail_(fail) {}
  app::FhirEnrichmentOutcome enrich(const fhir::Element& document,
                                    const std::vector<extract::FhirReport>& reports,
                                    const app::FhirIntakeDestination& destination) override {
    if (fail_) throw std::runtime_error("enricher bug");
    app::FhirEnrichmentOutcome out;
    if (reports.empty()) {
      out.reason = "no_report";
      return out;
    }
    fhir::Element copy = document;
    fhir::insert_primitive(copy, "conclusion", "enriched for " + destination.name);
    out.document = std::move(copy);
    out.explanations = 1;
    return out;
  }

 private:
  bool fail_;
};

TEST(FhirIntake, EnrichedPerDestinationAndFailsOpen) {
  TempDir dir;
  store::sqlite::SqliteStoreOptions options;
  options.path = dir.str("s.db");
  auto store = store::sqlite::SqliteStore::open(options);
  for (const bool fail : {false, true}) {
    app::FhirIntakeOptions o;
    o.listener_name = fail ? "failing" : "working";
    o.destinations.push_back({"ehr", true, app::FhirMode::kBundle, transport::FhirFormat::kJson});
    o.destinations.push_back({"raw", false, app::FhirMode::kBundle, std::nullopt});
    auto intake =
        std::make_shared<app::FhirIntake>(o, *store, std::make_shared<TestEnricher>(fail));
    transport::FhirServerConfig sc;
    sc.name = o.listener_name;
    transport::FhirServer server(sc, intake);
    server.start();
    std::string body = R"({"resourceType":"DiagnosticReport","id":"e)" +
                       std::string(fail ? "2" : "1") +
                       R"(","status":"final","code":{"text":"CT head"}})";
    EXPECT_EQ(http(server.port(), "POST", "/fhir/DiagnosticReport", body).status, 201);
    server.stop();
    auto ehr = store->next_pending("ehr", std::numeric_limits<std::int64_t>::max());
    auto raw = store->next_pending("raw", std::numeric_limits<std::int64_t>::max());
    ASSERT_TRUE(ehr.item && raw.item);
    EXPECT_EQ(raw.item->payload, body);
    if (fail) {
      EXPECT_EQ(ehr.item->payload, body) << "fail open: the report as received";
      EXPECT_EQ(intake->counters().enrichment_errors, 1u);
    } else {
      EXPECT_EQ(parse_any(ehr.item->payload).value_of("conclusion"), "enriched for ehr");
      EXPECT_EQ(intake->counters().explanations_added, 1u);
    }
    store->mark_delivered(ehr.item->id);
    store->mark_delivered(raw.item->id);
  }
}

TEST(FhirIntake, DedupeKeys) {
  auto report = parse_any(json_report("r9", "2"));
  EXPECT_EQ(app::FhirIntake::dedupe_key(report, ""), "DiagnosticReport/r9|2");
  EXPECT_EQ(app::FhirIntake::dedupe_key(report, "sys|1"), "DiagnosticReport?identifier=sys|1");
  EXPECT_EQ(app::FhirIntake::dedupe_key(parse_any(json_report("r9")), ""), "");
}

}  // namespace
}  // namespace explainer

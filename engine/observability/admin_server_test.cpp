#include "observability/admin_server.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>

#include "observability/metrics.h"
#include "support/prometheus_text.h"

namespace explainer::observability {
namespace {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string www_authenticate;
};

HttpReply get(std::uint16_t port, const std::string& path, const std::string& token = {},
              const std::string& method = "GET") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) request.set("Authorization", "Bearer " + token);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpReply reply;
  reply.status = static_cast<int>(response.getStatus());
  reply.content_type = response.getContentType();
  reply.www_authenticate = response.get("WWW-Authenticate", "");
  Poco::StreamCopier::copyToString(in, reply.body);
  return reply;
}

TEST(AdminServer, ServesHealthReadinessAndMetricsOnLoopback) {
  Registry registry;
  registry.counter("explainer_test_total", "x").with({}).inc(5);
  std::atomic<bool> ready{true};
  AdminServer server({}, registry, [&] {
    return ready ? Readiness{} : Readiness{false, {"store unreachable: \"down\""}};
  });
  server.start();
  ASSERT_NE(server.port(), 0);

  const auto health = get(server.port(), "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "{\"status\":\"ok\"}\n");

  EXPECT_EQ(get(server.port(), "/readyz").status, 200);
  ready = false;
  const auto not_ready = get(server.port(), "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.content_type, "application/json");
  EXPECT_EQ(not_ready.body,
            "{\"status\":\"not_ready\",\"reasons\":[\"store unreachable: \\\"down\\\"\"]}\n");

  const auto metrics = get(server.port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  const auto parsed = test_support::parse_prometheus_text(metrics.body);
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(parsed.sum("explainer_test_total"), 5);

  EXPECT_EQ(get(server.port(), "/nothing").status, 404);
  EXPECT_EQ(get(server.port(), "/metrics", {}, "POST").status, 405);
  const auto head = get(server.port(), "/healthz", {}, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  server.stop();
}

TEST(AdminServer, WithTokensEveryPathNeedsAValidBearerToken) {
  Registry registry;
  AdminServerConfig config;
  config.bearer_tokens = {"s3cret-admin"};
  AdminServer server(config, registry, [] { return Readiness{}; });
  server.start();
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    const auto none = get(server.port(), path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.content_type, "application/json");
    EXPECT_NE(none.body.find("\"error\""), std::string::npos);
    EXPECT_NE(none.www_authenticate.find("Bearer"), std::string::npos);
    EXPECT_EQ(get(server.port(), path, "wrong").status, 401) << path;
    EXPECT_EQ(get(server.port(), path, "s3cret-admin").status, 200) << path;
  }
}

TEST(AdminServer, AProbeThatThrowsIsNotReadyRatherThanAnError) {
  Registry registry;
  AdminServer server({}, registry, []() -> Readiness { throw std::runtime_error("boom"); });
  server.start();
  const auto r = get(server.port(), "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("boom"), std::string::npos);
}

}  // namespace
}  // namespace explainer::observability

// AdminServer: the operator's HTTP endpoint (Poco HTTPServer), separate from the FHIR and
// MLLP listeners so it can be bound to loopback or a management network.
//
//   GET /healthz  200 {"status":"ok"}: the process is up and serving HTTP.
//   GET /readyz   200 {"status":"ready"}, or 503 {"status":"not_ready","reasons":[...]} when
//                 the readiness probe names a problem (store unreachable, mappings or content
//                 not loaded). The probe runs on every request: keep it cheap.
//   GET /metrics  the registry's Prometheus text exposition (format 0.0.4).
// Other paths 404, other methods 405 (HEAD is served like GET, without a body). Every error
// body is JSON {"error":"..."}.
//
// Authentication: when bearer tokens are configured, every path needs
// "Authorization: Bearer <token>"; otherwise 401 with WWW-Authenticate and a JSON body.
// Token file format: transport::load_bearer_tokens (the FHIR listener's).
//
// Thread safety: start()/stop() from one controlling thread; requests are served by a
// private pool of two threads, one request per connection (no keep-alive). The registry and the
// probe must outlive the server and be callable from those threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace explainer::observability {

class Registry;

struct Readiness {
  bool ready = true;
  std::vector<std::string> reasons;  // why not ready; operator text, no patient data
};

struct AdminServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;               // 0: any free port (see port())
  std::set<std::string> bearer_tokens;  // empty: no authentication
  int read_timeout_s = 10;
};

class AdminServer {
 public:
  AdminServer(AdminServerConfig config, Registry& registry, std::function<Readiness()> readiness);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. Throws (Poco::Exception) when it cannot bind.
  void start();
  void stop();
  std::uint16_t port() const { return bound_port_; }

 private:
  struct Shared;
  AdminServerConfig config_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace explainer::observability

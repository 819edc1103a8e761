// FhirServer: the FHIR R4 REST endpoint on Poco's HTTPServer.
//
// Interactions (relative to `base_path`, e.g. /fhir):
//   POST /DiagnosticReport           create  -> 201 (new) / 200 (repeat), Location + ETag
//   PUT  /DiagnosticReport/{id}      update  -> 201 (new) / 200 (repeat); body id must equal {id}
//   POST /                           transaction or batch Bundle -> 200 + *-response Bundle
//   GET  /metadata                   CapabilityStatement (no authentication needed)
// Content-Type selects the body parser (JSON or XML; others 415); `_format`, then Accept,
// then the request body's format (JSON when none) select the response format (406 when
// nothing acceptable). `Prefer: return=minimal|representation|OperationOutcome` is honoured
// for create/update (default: representation).
//
// Every error is an OperationOutcome with the matching status: 400 structure (malformed
// JSON/XML), 400 invalid (wrong resource type, id mismatch), 401 login (neither a known
// bearer token nor an accepted client certificate, when either is configured), 404/405
// not-supported, 413 too-long, 415 not-supported, 422 business-rule (Bundle without a
// DiagnosticReport), 503 no-store (the handler could not store it; resend), 500 exception (our own
// bug; logged). A request never crashes the process.
//
// Durability: 2xx only after FhirHandler::submit() returned kStored or kDuplicate.
//
// Limits: max_threads requests served at once, max_queued connections waiting; a connection
// beyond both is answered 503 (OperationOutcome transient, Retry-After) and closed, and
// counted (stats()). Request rate per client IP: see rate_limit_per_second.
//
// Thread safety: start()/stop()/port() from one controlling thread; stats() from any; requests
// are served by a private thread pool (max_threads). stop() stops accepting, lets requests in progress
// finish (so each is either stored and answered or not answered at all) and joins them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "transport/tls.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace explainer::transport {

class FhirHandler;

struct FhirServerConfig {
  std::string name = "fhir";  // listener name, for logs
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;           // 0: any free port (see port())
  std::string base_path = "/fhir";  // "" or "/" serves at the root
  std::size_t max_body_bytes = 16u * 1024u * 1024u;
  std::set<std::string> bearer_tokens;  // empty: no bearer authentication
  // Set: HTTPS. With tls->verify_client optional or required, a verified client certificate
  // (whose CN is in tls->allowed_client_cns, when that is not empty) authenticates a request
  // as an alternative to a bearer token. Neither tokens nor client certificates: open.
  std::optional<TlsServerOptions> tls = std::nullopt;
  int max_threads = 16;
  int max_queued = 64;
  std::chrono::seconds read_timeout{30};
  std::string software_version = "0.1";
  // Requests per second per client IP address (token bucket, burst rate_limit_burst); 0: no
  // limit. Over the limit: 429 OperationOutcome (throttled) with Retry-After in seconds.
  double rate_limit_per_second = 0;
  double rate_limit_burst = 0;  // 0: max(1, rate_limit_per_second)
  // Called for every error answer (status, OperationOutcome issue code), including 429 and
  // the 503 for a refused connection, from the request (or accept) thread. Must be quick,
  // thread-safe and must not throw. Optional.
  std::function<void(int status, std::string_view issue)> on_error;
};

// Counters of one endpoint since start().
struct FhirServerStats {
  std::uint64_t connections_active = 0;   // connections being served now
  std::uint64_t connections_refused = 0;  // over max_threads + max_queued: answered 503, closed
};

// Reads bearer tokens from `path`: one per line; blank lines and lines starting with '#'
// are ignored, surrounding whitespace trimmed. Throws std::runtime_error (naming the path,
// never a token) if the file cannot be read or holds no token.
std::set<std::string> load_bearer_tokens(const std::string& path);

class FhirServer {
 public:
  FhirServer(FhirServerConfig config, std::shared_ptr<FhirHandler> handler);
  ~FhirServer();  // stop()
  FhirServer(const FhirServer&) = delete;
  FhirServer& operator=(const FhirServer&) = delete;

  // Binds and starts serving. Throws (Poco::Exception / std::exception) when it cannot bind,
  // TlsSetupError when the TLS options cannot be loaded.
  void start();
  void stop();
  std::uint16_t port() const { return bound_port_; }
  const FhirServerConfig& config() const { return config_; }
  FhirServerStats stats() const;

 private:
  FhirServerConfig config_;
  std::shared_ptr<FhirHandler> handler_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t bound_port_ = 0;
  std::shared_ptr<std::atomic<std::uint64_t>> refused_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace explainer::transport

// Engine configuration: what explainerd and the CLI read from explainerd.properties / .json.
//
// Every key is listed in config/README.md. Unknown or misspelt keys are rejected at start-up,
// naming the key (see validate_keys). Values are checked here; the structs below are plain
// values handed to the components that app/ wires together.
#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "transport/tls.h"

namespace explainer::app {

// Thrown for an invalid configuration; the message names the key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class WrongTypePolicy { kReject, kForward };
enum class ObxFormat { kFormattedText, kEncapsulatedHtml };
// How a FHIR destination receives explanations: an enriched Bundle, or the resource with
// contained DocumentReferences.
enum class FhirMode { kBundle, kContained };

struct MllpListenerConfig {
  std::string name;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 2575;
  int max_connections = 64;
  int read_timeout_s = 30;
  int idle_timeout_s = 600;
  std::size_t max_frame_bytes = 16 * 1024 * 1024;
  WrongTypePolicy wrong_type = WrongTypePolicy::kReject;
  std::vector<std::string> destinations;  // empty: all destinations
  std::optional<transport::TlsServerOptions> tls;  // listener.<n>.tls.* (app/tls_config.h)
};

// A FHIR REST listener (listener.<name>.type = fhir). Feeds only fhir and file destinations.
struct FhirListenerConfig {
  std::string name;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string base_path = "/fhir";
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  std::string auth_tokens_file;  // absolute; empty: no authentication
  int max_connections = 16;      // concurrent requests served
  int read_timeout_s = 30;
  std::vector<std::string> destinations;  // empty: all fhir and file destinations
  std::optional<transport::TlsServerOptions> tls;  // HTTPS; listener.<n>.tls.*
  double rate_limit_per_second = 0;       // per client IP; 0: no limit
  double rate_limit_burst = 0;            // 0: max(1, rate_limit_per_second)
};

// The admin HTTP endpoint (/healthz, /readyz, /metrics); port 0: disabled.
struct AdminConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;
  std::string auth_tokens_file;  // absolute; empty: no authentication
};

struct DestinationConfig {
  std::string name;
  std::string type;  // "mllp", "fhir", "file" or "letter"
  // mllp
  std::string host;
  std::uint16_t port = 0;
  int connect_timeout_s = 10;
  int ack_timeout_s = 30;
  ObxFormat obx_format = ObxFormat::kFormattedText;
  bool enrich = true;
  // file, letter
  std::string path;
  // letter: Chromium binary to print a PDF next to each HTML letter ("" = HTML only)
  std::string chromium;
  int pdf_timeout_s = 120;
  // fhir (secrets are read from *_file keys at load time; never logged)
  std::string base_url;
  std::string bearer_token;
  std::string user;
  std::string password;
  int timeout_s = 30;
  FhirMode fhir_mode = FhirMode::kBundle;
  std::string format = "json";  // json | xml
  // mllp with tls.enabled, or fhir with an https:// base_url (destination.<n>.tls.*)
  std::optional<transport::TlsClientOptions> tls;
  // 1: strict FIFO (HL7 ordering). N > 1: up to N messages in flight, order not kept.
  int parallelism = 1;
};

// Which destination types a listener type may feed: mllp -> mllp, file, letter;
// fhir -> fhir, file.
bool listener_can_feed(const std::string& listener_type, const std::string& destination_type);

struct RetryConfig {
  int initial_ms = 500;
  int max_ms = 60'000;
  double multiplier = 2.0;
  int max_attempts = 0;  // 0: retry transient failures forever
};

// store.postgres.*: several explainerd instances on one PostgreSQL database.
struct PostgresStoreConfig {
  std::string connection;  // libpq key=value pairs, password included (from *_file keys)
  std::string schema;      // empty: the server's default (public)
  int pool_size = 8;
  int lease_seconds = 60;
  std::string instance_id;  // empty: "<hostname>:<pid>"
};

struct StoreConfig {
  std::string backend = "sqlite";
  std::string sqlite_path;
  std::string synchronous = "full";  // full | normal
  int retention_days = 30;  // payloads (patient data) of delivered messages are emptied after this
  // Delivered messages' rows (dedupe key, control id) are deleted after this many days, so a
  // resent old message is still recognised as a duplicate until then. >= retention_days.
  int dedupe_retention_days = 90;
  // store.backend = postgres (secrets never logged: describe() omits the connection).
  PostgresStoreConfig postgres;
};

struct EngineConfig {
  std::string config_dir;  // directory of the main config file; relative paths resolve here
  std::string log_level = "info";
  std::string log_file;
  std::string mappings_dir;
  std::string content_dir;
  std::string default_language = "en";
  bool require_approved = false;
  // Per finding sensitivity: "attach", "hold" or "skip".
  std::string policy_routine = "attach";
  std::string policy_follow_up = "attach";
  std::string policy_sensitive = "hold";
  std::vector<std::string> released_statuses{"F", "C"};  // HL7 v2 OBR-25
  // FHIR DiagnosticReport.status values that count as released.
  std::vector<std::string> fhir_released_statuses{"final", "amended", "corrected", "appended"};
  StoreConfig store;
  RetryConfig retry;
  std::vector<MllpListenerConfig> mllp_listeners;
  std::vector<FhirListenerConfig> fhir_listeners;
  std::vector<DestinationConfig> destinations;
  AdminConfig admin;
};

// Reads and checks the configuration. Throws ConfigError naming the offending key.
EngineConfig load_engine_config(const Poco::Util::AbstractConfiguration& config,
                                const std::string& config_dir);

// Returns the keys in `config` (flattened, dotted) that Explainer does not know.
std::vector<std::string> unknown_keys(const Poco::Util::AbstractConfiguration& config);

// Makes `path` absolute against `base_dir` unless it already is.
std::string resolve_path(const std::string& base_dir, const std::string& path);

}  // namespace explainer::app

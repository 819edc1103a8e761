#include "app/config.h"

#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>

#include "app/tls_config.h"
#include "transport/http/fhir_server.h"

namespace explainer::app {

namespace {

using Poco::Util::AbstractConfiguration;

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  Poco::StringTokenizer tokens(value, ",",
                               Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& t : tokens) out.push_back(t);
  return out;
}

int get_int(const AbstractConfiguration& c, const std::string& key, int def, int min, int max) {
  if (!c.hasProperty(key)) return def;
  int v = 0;
  try {
    v = c.getInt(key);
  } catch (const std::exception&) {
    throw ConfigError("configuration key '" + key + "': expected an integer, got '" +
                      c.getString(key) + "'");
  }
  if (v < min || v > max) {
    throw ConfigError("configuration key '" + key + "': " + std::to_string(v) +
                      " is outside " + std::to_string(min) + ".." + std::to_string(max));
  }
  return v;
}

double get_double(const AbstractConfiguration& c, const std::string& key, double def) {
  if (!c.hasProperty(key)) return def;
  try {
    return c.getDouble(key);
  } catch (const std::exception&) {
    throw ConfigError("configuration key '" + key + "': expected a number");
  }
}

bool get_bool(const AbstractConfiguration& c, const std::string& key, bool def) {
  if (!c.hasProperty(key)) return def;
  try {
    return c.getBool(key);
  } catch (const std::exception&) {
    throw ConfigError("configuration key '" + key + "': expected true or false");
  }
}

std::string get_choice(const AbstractConfiguration& c, const std::string& key,
                       const std::string& def, std::initializer_list<const char*> allowed) {
  const std::string v = Poco::toLower(Poco::trim(c.getString(key, def)));
  for (const char* a : allowed) {
    if (v == a) return v;
  }
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw ConfigError("configuration key '" + key + "': '" + v + "' is not one of " + list);
}

std::string require(const AbstractConfiguration& c, const std::string& key) {
  if (!c.hasProperty(key) || Poco::trim(c.getString(key)).empty()) {
    throw ConfigError("configuration key '" + key + "' is required");
  }
  return Poco::trim(c.getString(key));
}

// Key patterns Explainer knows; <name> stands for a listener or destination name.
const std::vector<std::regex>& known_key_patterns() {
  static const std::vector<std::regex> patterns = [] {
    const char* raw[] = {
        R"(log\.(level|file))",
        R"(paths\.(mappings|content|data))",
        R"(content\.(default_language|require_approved))",
        R"(policy\.(routine|follow_up|sensitive))",
        R"(reports\.(released_statuses|fhir_released_statuses))",
        R"(store\.(backend|retention_days|dedupe_retention_days))",
        R"(store\.sqlite\.(path|synchronous))",
        R"(store\.postgres\.(connection|connection_file|password_file|schema|pool_size|lease_seconds|instance_id))",
        R"(retry\.(initial_ms|max_ms|multiplier|max_attempts))",
        R"(listeners)",
        R"(listener\.[A-Za-z0-9_-]+\.(type|bind|port|max_connections|read_timeout_s|idle_timeout_s|max_frame_bytes|wrong_message_type|destinations|base_path|max_body_bytes|auth_tokens_file|rate_limit_per_second|rate_limit_burst))",
        R"(admin\.(bind|port|auth_tokens_file))",
        R"(destinations)",
        R"(destination\.[A-Za-z0-9_-]+\.(type|host|port|connect_timeout_s|ack_timeout_s|obx_format|enrich|path|base_url|bearer_token|bearer_token_file|user|password|password_file|timeout_s|fhir_mode|format|chromium|pdf_timeout_s|parallelism))",
    };
    std::vector<std::regex> out;
    for (const char* r : raw) out.emplace_back(r);
    out.emplace_back(listener_tls_key_pattern());
    out.emplace_back(destination_tls_key_pattern());
    return out;
  }();
  return patterns;
}

void collect_keys(const AbstractConfiguration& c, const std::string& prefix,
                  std::vector<std::string>& out) {
  AbstractConfiguration::Keys keys;
  c.keys(prefix, keys);
  if (keys.empty()) {
    if (!prefix.empty()) out.push_back(prefix);
    return;
  }
  for (const auto& k : keys) {
    const std::string full = prefix.empty() ? k : prefix + "." + k;
    // Only leaves are checked: a JSON object is a "property" too, but its members are the keys.
    AbstractConfiguration::Keys sub;
    c.keys(full, sub);
    if (sub.empty()) {
      out.push_back(full);
    } else {
      collect_keys(c, full, out);
    }
  }
}

// Reads a secret from a file: the whole content, surrounding whitespace trimmed.
std::string read_secret_file(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("configuration key '" + key + "': cannot read " + path);
  std::ostringstream all;
  all << in.rdbuf();
  const std::string value = Poco::trim(all.str());
  if (value.empty()) throw ConfigError("configuration key '" + key + "': " + path + " is empty");
  return value;
}

// A secret given inline (`key`) or in a file (`key_file`); at most one of them.
std::string get_secret(const AbstractConfiguration& c, const std::string& key, const std::string& config_dir) {
  const bool inline_value = c.hasProperty(key);
  const bool file_value = c.hasProperty(key + "_file");
  if (inline_value && file_value) {
    throw ConfigError("configuration keys '" + key + "' and '" + key + "_file' exclude each other");
  }
  if (file_value) return read_secret_file(key + "_file", resolve_path(config_dir, c.getString(key + "_file")));
  return inline_value ? Poco::trim(c.getString(key)) : std::string();
}

void check_listener_destinations(const std::string& key, const std::string& listener_type,
                                 const std::vector<std::string>& names,
                                 const std::vector<DestinationConfig>& destinations) {
  for (const auto& n : names) {
    const auto it = std::find_if(destinations.begin(), destinations.end(),
                                 [&](const DestinationConfig& d) { return d.name == n; });
    if (it == destinations.end()) {
      throw ConfigError("configuration key '" + key + "' names unknown destination '" + n + "'");
    }
    if (!listener_can_feed(listener_type, it->type)) {
      throw ConfigError("configuration key '" + key + "': a " + listener_type +
                        " listener can feed only " +
                        (listener_type == "fhir" ? "fhir and file" : "mllp, file and letter") +
                        " destinations; '" + n + "' is of type " + it->type);
    }
  }
}

// store.postgres.*. The connection comes inline or from a file (it holds the password);
// store.postgres.password_file adds the password to an inline connection without one.
PostgresStoreConfig load_postgres_store_config(const AbstractConfiguration& c,
                                               const std::string& config_dir) {
  PostgresStoreConfig pg;
  pg.connection = get_secret(c, "store.postgres.connection", config_dir);
  if (pg.connection.empty()) {
    throw ConfigError(
        "configuration key 'store.postgres.connection' (or 'store.postgres.connection_file') is "
        "required when store.backend = postgres");
  }
  const bool has_password = pg.connection.find("password=") != std::string::npos;
  if (c.hasProperty("store.postgres.password_file")) {
    if (has_password) {
      throw ConfigError(
          "configuration key 'store.postgres.password_file': the connection already holds a "
          "password");
    }
    const std::string password =
        read_secret_file("store.postgres.password_file",
                         resolve_path(config_dir, c.getString("store.postgres.password_file")));
    // Poco splits the connection string at spaces and does not unquote values.
    if (password.find_first_of(" \t'\"\\") != std::string::npos) {
      throw ConfigError(
          "configuration key 'store.postgres.password_file': the password must not contain spaces, "
          "quotes or backslashes");
    }
    pg.connection += " password=" + password;
  }
  pg.schema = Poco::trim(c.getString("store.postgres.schema", ""));
  if (!std::all_of(pg.schema.begin(), pg.schema.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
      })) {
    throw ConfigError("configuration key 'store.postgres.schema': letters, digits and '_' only");
  }
  pg.pool_size = get_int(c, "store.postgres.pool_size", 8, 1, 256);
  pg.lease_seconds = get_int(c, "store.postgres.lease_seconds", 60, 1, 86'400);
  pg.instance_id = Poco::trim(c.getString("store.postgres.instance_id", ""));
  if (pg.instance_id.find_first_of(" \t\r\n") != std::string::npos) {
    throw ConfigError(
        "configuration key 'store.postgres.instance_id' must not contain white space");
  }
  return pg;
}

// A lease must outlast the longest delivery attempt, or a slow attempt overlaps with another
// instance taking the message over (it would be sent twice).
void check_lease_outlasts_attempts(const EngineConfig& cfg) {
  for (const auto& d : cfg.destinations) {
    const int longest = d.type == "mllp"   ? d.connect_timeout_s + d.ack_timeout_s
                        : d.type == "fhir" ? d.timeout_s
                        : d.type == "letter" && !d.chromium.empty() ? d.pdf_timeout_s
                                           : 0;
    if (cfg.store.postgres.lease_seconds <= longest) {
      throw ConfigError("configuration key 'store.postgres.lease_seconds': " +
                        std::to_string(cfg.store.postgres.lease_seconds) +
                        " must exceed the longest delivery attempt of destination '" + d.name +
                        "' (" + std::to_string(longest) + " s: its connect and answer timeouts)");
    }
  }
}

// admin.bind, admin.port (0 or absent: disabled), admin.auth_tokens_file.
void load_admin_config(const AbstractConfiguration& c, const std::string& config_dir, AdminConfig& admin) {
  admin.bind = Poco::trim(c.getString("admin.bind", "127.0.0.1"));
  admin.port = static_cast<std::uint16_t>(get_int(c, "admin.port", 0, 0, 65535));
  if (c.hasProperty("admin.auth_tokens_file")) {
    admin.auth_tokens_file = resolve_path(config_dir, require(c, "admin.auth_tokens_file"));
    try {
      transport::load_bearer_tokens(admin.auth_tokens_file);
    } catch (const std::exception& e) {
      throw ConfigError(std::string("configuration key 'admin.auth_tokens_file': ") + e.what());
    }
  }
}

}  // namespace

bool listener_can_feed(const std::string& listener_type, const std::string& destination_type) {
  if (destination_type == "file") return true;
  if (destination_type == "letter") return listener_type != "fhir";  // letters read HL7 v2
  if (listener_type == "fhir") return destination_type == "fhir";
  return destination_type == "mllp";
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  if (path.empty()) return path;
  Poco::Path p(path);
  if (p.isAbsolute()) return p.toString();
  Poco::Path base(base_dir.empty() ? "." : base_dir);
  base.makeDirectory();
  return base.resolve(p).toString();
}

std::vector<std::string> unknown_keys(const AbstractConfiguration& config) {
  std::vector<std::string> all;
  collect_keys(config, "", all);
  std::vector<std::string> unknown;
  for (const auto& key : all) {
    const bool known = std::any_of(known_key_patterns().begin(), known_key_patterns().end(),
                                   [&](const std::regex& r) { return std::regex_match(key, r); });
    if (!known) unknown.push_back(key);
  }
  return unknown;
}

EngineConfig load_engine_config(const AbstractConfiguration& c, const std::string& config_dir) {
  EngineConfig cfg;
  cfg.config_dir = config_dir;

  cfg.log_level = get_choice(c, "log.level", "info",
                             {"trace", "debug", "info", "warning", "error", "fatal"});
  cfg.log_file = resolve_path(config_dir, c.getString("log.file", ""));

  const std::string data_dir = resolve_path(config_dir, c.getString("paths.data", "var"));
  cfg.mappings_dir = resolve_path(config_dir, c.getString("paths.mappings", "../mappings"));
  cfg.content_dir = resolve_path(config_dir, c.getString("paths.content", "../content"));

  cfg.default_language = Poco::toLower(c.getString("content.default_language", "en"));
  cfg.require_approved = get_bool(c, "content.require_approved", false);
  cfg.policy_routine = get_choice(c, "policy.routine", "attach", {"attach", "hold", "skip"});
  cfg.policy_follow_up = get_choice(c, "policy.follow_up", "attach", {"attach", "hold", "skip"});
  cfg.policy_sensitive = get_choice(c, "policy.sensitive", "hold", {"attach", "hold", "skip"});
  if (c.hasProperty("reports.fhir_released_statuses")) {
    cfg.fhir_released_statuses = split_list(c.getString("reports.fhir_released_statuses"));
    if (cfg.fhir_released_statuses.empty()) {
      throw ConfigError("configuration key 'reports.fhir_released_statuses' must list at least one status");
    }
  }
  if (c.hasProperty("reports.released_statuses")) {
    cfg.released_statuses = split_list(c.getString("reports.released_statuses"));
    if (cfg.released_statuses.empty()) {
      throw ConfigError("configuration key 'reports.released_statuses' must list at least one status");
    }
  }

  cfg.store.backend = get_choice(c, "store.backend", "sqlite", {"sqlite", "postgres"});
  cfg.store.sqlite_path =
      resolve_path(data_dir, c.getString("store.sqlite.path", "explainer.db"));
  cfg.store.synchronous = get_choice(c, "store.sqlite.synchronous", "full", {"full", "normal"});
  cfg.store.retention_days = get_int(c, "store.retention_days", 30, 0, 36500);
  cfg.store.dedupe_retention_days =
      get_int(c, "store.dedupe_retention_days", std::max(90, cfg.store.retention_days), 0, 36500);
  if (cfg.store.retention_days > 0 && cfg.store.dedupe_retention_days < cfg.store.retention_days) {
    throw ConfigError(
        "configuration key 'store.dedupe_retention_days' must be at least store.retention_days (" +
        std::to_string(cfg.store.retention_days) + ")");
  }

  if (cfg.store.backend == "postgres")
    cfg.store.postgres = load_postgres_store_config(c, config_dir);

  cfg.retry.initial_ms = get_int(c, "retry.initial_ms", 500, 1, 3'600'000);
  cfg.retry.max_ms = get_int(c, "retry.max_ms", 60'000, 1, 86'400'000);
  cfg.retry.multiplier = get_double(c, "retry.multiplier", 2.0);
  if (cfg.retry.multiplier < 1.0 || cfg.retry.multiplier > 10.0) {
    throw ConfigError("configuration key 'retry.multiplier' must be between 1 and 10");
  }
  cfg.retry.max_attempts = get_int(c, "retry.max_attempts", 0, 0, 1'000'000);

  for (const auto& name : split_list(c.getString("destinations", ""))) {
    const std::string p = "destination." + name + ".";
    DestinationConfig d;
    d.name = name;
    d.type = get_choice(c, p + "type", "", {"mllp", "fhir", "file", "letter"});
    if (d.type == "mllp") {
      d.host = require(c, p + "host");
      d.port = static_cast<std::uint16_t>(get_int(c, p + "port", 0, 1, 65535));
      if (!c.hasProperty(p + "port")) throw ConfigError("configuration key '" + p + "port' is required");
      d.connect_timeout_s = get_int(c, p + "connect_timeout_s", 10, 1, 3600);
      d.ack_timeout_s = get_int(c, p + "ack_timeout_s", 30, 1, 3600);
      d.obx_format = get_choice(c, p + "obx_format", "ft", {"ft", "ed"}) == "ed"
                         ? ObxFormat::kEncapsulatedHtml
                         : ObxFormat::kFormattedText;
    } else if (d.type == "fhir") {
      d.base_url = require(c, p + "base_url");
      if (d.base_url.rfind("http://", 0) != 0 && d.base_url.rfind("https://", 0) != 0) {
        throw ConfigError("configuration key '" + p + "base_url' must start with http:// or https://");
      }
      d.bearer_token = get_secret(c, p + "bearer_token", config_dir);
      d.user = Poco::trim(c.getString(p + "user", ""));
      d.password = get_secret(c, p + "password", config_dir);
      if (!d.bearer_token.empty() && !d.user.empty()) {
        throw ConfigError("configuration keys '" + p + "bearer_token' and '" + p +
                          "user': choose bearer or basic authentication, not both");
      }
      if (!d.password.empty() && d.user.empty()) {
        throw ConfigError("configuration key '" + p + "password' needs '" + p + "user'");
      }
      d.timeout_s = get_int(c, p + "timeout_s", 30, 1, 3600);
      d.fhir_mode = get_choice(c, p + "fhir_mode", "bundle", {"bundle", "contained"}) == "contained"
                        ? FhirMode::kContained
                        : FhirMode::kBundle;
      d.format = get_choice(c, p + "format", "json", {"json", "xml"});
    } else {
      d.path = resolve_path(data_dir, require(c, p + "path"));
    }
    if (d.type == "letter") {
      d.chromium = Poco::trim(c.getString(p + "chromium", ""));
      d.pdf_timeout_s = get_int(c, p + "pdf_timeout_s", 120, 1, 3600);
    } else {
      for (const char* letter_only : {"chromium", "pdf_timeout_s"}) {
        if (c.hasProperty(p + letter_only)) {
          throw ConfigError("configuration key '" + p + letter_only +
                            "' applies only to letter destinations");
        }
      }
    }
    d.enrich = get_bool(c, p + "enrich", true);
    d.tls = load_destination_tls(c, p, config_dir, d.type,
                                 d.type == "fhir" ? Poco::URI(d.base_url).getHost() : d.host,
                                 d.base_url.rfind("https://", 0) == 0);
    d.parallelism = get_int(c, p + "parallelism", 1, 1, 64);
    cfg.destinations.push_back(std::move(d));
  }

  if (cfg.store.backend == "postgres") check_lease_outlasts_attempts(cfg);

  for (const auto& name : split_list(c.getString("listeners", ""))) {
    const std::string p = "listener." + name + ".";
    const std::string type = get_choice(c, p + "type", "mllp", {"mllp", "fhir"});
    if (type == "fhir") {
      for (const char* mllp_only : {"idle_timeout_s", "max_frame_bytes", "wrong_message_type"}) {
        if (c.hasProperty(p + mllp_only)) {
          throw ConfigError("configuration key '" + p + mllp_only + "' applies only to mllp listeners");
        }
      }
      FhirListenerConfig f;
      f.name = name;
      f.bind = c.getString(p + "bind", "127.0.0.1");
      f.port = static_cast<std::uint16_t>(get_int(c, p + "port", 8080, 0, 65535));
      f.base_path = Poco::trim(c.getString(p + "base_path", "/fhir"));
      if (!f.base_path.empty() && f.base_path.front() != '/') {
        throw ConfigError("configuration key '" + p + "base_path' must start with '/'");
      }
      f.max_body_bytes = static_cast<std::size_t>(
          get_int(c, p + "max_body_bytes", 16 * 1024 * 1024, 1024, std::numeric_limits<int>::max()));
      f.max_connections = get_int(c, p + "max_connections", 16, 1, 1'000);
      f.read_timeout_s = get_int(c, p + "read_timeout_s", 30, 1, 3600);
      if (c.hasProperty(p + "auth_tokens_file")) {
        f.auth_tokens_file = resolve_path(config_dir, require(c, p + "auth_tokens_file"));
        try {
          transport::load_bearer_tokens(f.auth_tokens_file);
        } catch (const std::exception& e) {
          throw ConfigError("configuration key '" + p + "auth_tokens_file': " + e.what());
        }
      }
      f.destinations = split_list(c.getString(p + "destinations", ""));
      check_listener_destinations(p + "destinations", "fhir", f.destinations, cfg.destinations);
      f.tls = load_listener_tls(c, p, config_dir);
      f.rate_limit_per_second = get_double(c, p + "rate_limit_per_second", 0);
      f.rate_limit_burst = get_double(c, p + "rate_limit_burst", 0);
      if (f.rate_limit_per_second < 0 || f.rate_limit_per_second > 1e6) {
        throw ConfigError("configuration key '" + p + "rate_limit_per_second' must be between 0 and 1000000");
      }
      if (f.rate_limit_burst != 0 && (f.rate_limit_burst < 1 || f.rate_limit_burst > 1e6)) {
        throw ConfigError("configuration key '" + p + "rate_limit_burst' must be 0 or between 1 and 1000000");
      }
      cfg.fhir_listeners.push_back(std::move(f));
      continue;
    }
    for (const char* fhir_only : {"base_path", "max_body_bytes", "auth_tokens_file", "rate_limit_per_second",
                                  "rate_limit_burst"}) {
      if (c.hasProperty(p + fhir_only)) {
        throw ConfigError("configuration key '" + p + fhir_only + "' applies only to fhir listeners");
      }
    }
    MllpListenerConfig l;
    l.name = name;
    l.bind = c.getString(p + "bind", "127.0.0.1");
    l.port = static_cast<std::uint16_t>(get_int(c, p + "port", 2575, 0, 65535));
    l.max_connections = get_int(c, p + "max_connections", 64, 1, 10'000);
    l.read_timeout_s = get_int(c, p + "read_timeout_s", 30, 1, 3600);
    l.idle_timeout_s = get_int(c, p + "idle_timeout_s", 600, 1, 86'400);
    l.max_frame_bytes = static_cast<std::size_t>(
        get_int(c, p + "max_frame_bytes", 16 * 1024 * 1024, 1024, std::numeric_limits<int>::max()));
    l.wrong_type = get_choice(c, p + "wrong_message_type", "reject", {"reject", "forward"}) == "forward"
                       ? WrongTypePolicy::kForward
                       : WrongTypePolicy::kReject;
    l.destinations = split_list(c.getString(p + "destinations", ""));
    check_listener_destinations(p + "destinations", "mllp", l.destinations, cfg.destinations);
    l.tls = load_listener_tls(c, p, config_dir);
    cfg.mllp_listeners.push_back(std::move(l));
  }
  load_admin_config(c, config_dir, cfg.admin);
  return cfg;
}

}  // namespace explainer::app

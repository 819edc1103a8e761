#include "app/tls_config.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include "app/config.h"

namespace explainer::app {

namespace {

using Poco::Util::AbstractConfiguration;

const char* const kServerKeys[] = {"certificate",       "private_key", "ca",
                                   "verify_client",     "min_version", "ciphers",
                                   "allowed_client_cns"};
const char* const kClientKeys[] = {"ca",          "verify_peer", "verify_hostname", "certificate",
                                   "private_key", "min_version", "ciphers"};

std::string value(const AbstractConfiguration& c, const std::string& key) {
  return Poco::trim(c.getString(key, ""));
}

bool flag(const AbstractConfiguration& c, const std::string& key, bool def) {
  if (!c.hasProperty(key)) return def;
  try {
    return c.getBool(key);
  } catch (const std::exception&) {
    throw ConfigError("configuration key '" + key + "': expected true or false");
  }
}

std::string path(const AbstractConfiguration& c, const std::string& key,
                 const std::string& config_dir) {
  return resolve_path(config_dir, value(c, key));
}

transport::TlsVersion min_version(const AbstractConfiguration& c, const std::string& key) {
  const std::string v = value(c, key);
  if (v.empty() || v == "1.2") return transport::TlsVersion::k1_2;
  if (v == "1.3") return transport::TlsVersion::k1_3;
  throw ConfigError("configuration key '" + key + "': '" + v + "' is not one of 1.2, 1.3");
}

template <std::size_t N>
void reject_present(const AbstractConfiguration& c, const std::string& tls_prefix,
                    const char* const (&keys)[N], const std::string& why) {
  for (const char* k : keys) {
    if (c.hasProperty(tls_prefix + k)) {
      throw ConfigError("configuration key '" + tls_prefix + k + "' " + why);
    }
  }
}

ConfigError setup_error(const std::string& tls_prefix, const transport::TlsSetupError& e) {
  return ConfigError("configuration key '" + tls_prefix + e.field() + "': " + e.what());
}

}  // namespace

const char* listener_tls_key_pattern() {
  return R"(listener\.[A-Za-z0-9_-]+\.tls\.(enabled|certificate|private_key|ca|verify_client|min_version|ciphers|allowed_client_cns))";
}

const char* destination_tls_key_pattern() {
  return R"(destination\.[A-Za-z0-9_-]+\.tls\.(enabled|ca|verify_peer|verify_hostname|certificate|private_key|min_version|ciphers))";
}

std::optional<transport::TlsServerOptions> load_listener_tls(const AbstractConfiguration& c,
                                                             const std::string& prefix,
                                                             const std::string& config_dir) {
  const std::string p = prefix + "tls.";
  if (!flag(c, p + "enabled", false)) {
    reject_present(c, p, kServerKeys, "needs '" + p + "enabled = true'");
    return std::nullopt;
  }
  transport::TlsServerOptions tls;
  for (const char* required : {"certificate", "private_key"}) {
    if (value(c, p + required).empty()) {
      throw ConfigError("configuration key '" + p + required + "' is required when '" + p +
                        "enabled = true'");
    }
  }
  tls.certificate = path(c, p + "certificate", config_dir);
  tls.private_key = path(c, p + "private_key", config_dir);
  tls.ca = path(c, p + "ca", config_dir);
  const std::string verify = Poco::toLower(value(c, p + "verify_client"));
  if (verify.empty() || verify == "none") {
    tls.verify_client = transport::ClientVerification::kNone;
  } else if (verify == "optional") {
    tls.verify_client = transport::ClientVerification::kOptional;
  } else if (verify == "required") {
    tls.verify_client = transport::ClientVerification::kRequired;
  } else {
    throw ConfigError("configuration key '" + p + "verify_client': '" + verify +
                      "' is not one of none, optional, required");
  }
  if (tls.verify_client != transport::ClientVerification::kNone && tls.ca.empty()) {
    throw ConfigError("configuration key '" + p + "ca' is required when '" + p +
                      "verify_client' is " + verify);
  }
  tls.min_version = min_version(c, p + "min_version");
  tls.ciphers = value(c, p + "ciphers");
  Poco::StringTokenizer cns(
      value(c, p + "allowed_client_cns"), ",",
      Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  tls.allowed_client_cns.insert(cns.begin(), cns.end());
  try {
    transport::make_server_context(tls);
  } catch (const transport::TlsSetupError& e) {
    throw setup_error(p, e);
  }
  return tls;
}

std::optional<transport::TlsClientOptions> load_destination_tls(
    const AbstractConfiguration& c, const std::string& prefix, const std::string& config_dir,
    const std::string& type, const std::string& host, bool https) {
  const std::string p = prefix + "tls.";
  bool enabled = false;
  if (type == "mllp") {
    enabled = flag(c, p + "enabled", false);
  } else {
    if (c.hasProperty(p + "enabled")) {
      throw ConfigError("configuration key '" + p + "enabled' " +
                        (type == "fhir"
                             ? "is not used: for fhir destinations TLS follows the "
                               "base_url scheme (https://)"
                             : std::string("applies only to mllp and fhir destinations")));
    }
    enabled = type == "fhir" && https;
  }
  if (!enabled) {
    reject_present(c, p, kClientKeys,
                   type == "fhir"   ? "needs an https:// base_url"
                   : type == "mllp" ? "needs '" + p + "enabled = true'"
                                    : std::string("applies only to mllp and fhir destinations"));
    return std::nullopt;
  }
  transport::TlsClientOptions tls;
  tls.ca = path(c, p + "ca", config_dir);
  tls.verify_peer = flag(c, p + "verify_peer", true);
  tls.verify_hostname = flag(c, p + "verify_hostname", true);
  tls.certificate = path(c, p + "certificate", config_dir);
  tls.private_key = path(c, p + "private_key", config_dir);
  if (tls.certificate.empty() != tls.private_key.empty()) {
    throw ConfigError("configuration keys '" + p + "certificate' and '" + p +
                      "private_key' go together (a client certificate needs its key)");
  }
  tls.min_version = min_version(c, p + "min_version");
  tls.ciphers = value(c, p + "ciphers");
  try {
    transport::make_client_context(tls, host);
  } catch (const transport::TlsSetupError& e) {
    throw setup_error(p, e);
  }
  return tls;
}

}  // namespace explainer::app

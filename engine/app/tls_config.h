// TLS keys of listeners and destinations (listener.<name>.tls.*, destination.<name>.tls.*):
// reading, checking and documenting them in one place. Every key is described in
// config/README.md ("TLS").
//
// Each loader builds the TLS context once to check it, so a missing or unreadable file, a
// key that does not match its certificate or an unusable cipher list is a ConfigError at
// start-up (and in --check-config) naming the key, e.g.
//   configuration key 'listener.ris.tls.certificate': cannot read the certificate file ...
#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <optional>
#include <string>

#include "transport/tls.h"

namespace explainer::app {

// `prefix` is "listener.<name>." ; nullopt when tls.enabled is false (the default). Other
// tls.* keys without tls.enabled = true are an error (a half-configured TLS listener must
// not silently run in clear text).
std::optional<transport::TlsServerOptions> load_listener_tls(
    const Poco::Util::AbstractConfiguration& c, const std::string& prefix,
    const std::string& config_dir);

// `prefix` is "destination.<name>." ; `type` "mllp", "fhir" or "file"; `host` the host the
// destination connects to. mllp: TLS when tls.enabled = true. fhir: TLS exactly when the
// base_url is https:// (tls.enabled is not accepted there); the defaults then verify the
// server against the system CA store and the host name. file: no tls.* keys.
std::optional<transport::TlsClientOptions> load_destination_tls(
    const Poco::Util::AbstractConfiguration& c, const std::string& prefix,
    const std::string& config_dir, const std::string& type, const std::string& host, bool https);

// Regular expressions (for unknown_keys) of the TLS keys below listener.<name>. and
// destination.<name>.
const char* listener_tls_key_pattern();
const char* destination_tls_key_pattern();

}  // namespace explainer::app

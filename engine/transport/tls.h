// TLS for the MLLP listener/sender and the FHIR endpoint/sink (Poco NetSSL over OpenSSL).
//
// Options are plain values (copied into listener and sink configs); make_server_context() and
// make_client_context() turn them into a Poco::Net::Context, checking every file and setting
// at the same time, so a bad certificate, key, CA file or cipher list is reported before
// anything listens or connects.
//
// Verification is done by OpenSSL itself (chain against the configured CA, and for senders
// the host name or IP address against the certificate's subjectAltName/CN via
// X509_VERIFY_PARAM); Poco's own "extended" host check is switched off because it mistakes
// a client certificate for a server one on the listening side.
//
// Thread safety: the functions may be called from any thread. A Context may be shared by
// many connections (OpenSSL SSL_CTX is thread-safe once configured).
#pragma once

#include <Poco/Net/Context.h>

#include <set>
#include <stdexcept>
#include <string>

namespace explainer::transport {

enum class TlsVersion { k1_2, k1_3 };
// Client-certificate verification on a listener: none (no certificate asked for), optional
// (asked for; a presented certificate must verify against `ca`), required (a connection
// without a verified client certificate is refused in the handshake).
enum class ClientVerification { kNone, kOptional, kRequired };

// The TLS 1.2 cipher list used when none is configured: forward-secret AEAD suites only
// (TLS 1.3 suites are OpenSSL's defaults, which are all strong).
extern const char* const kDefaultTlsCiphers;

struct TlsServerOptions {
  std::string certificate;  // PEM; may hold the chain (leaf first)
  std::string private_key;  // PEM, unencrypted
  std::string ca;           // PEM bundle of CAs client certificates must chain to
  ClientVerification verify_client = ClientVerification::kNone;
  TlsVersion min_version = TlsVersion::k1_2;
  std::string ciphers;  // OpenSSL cipher list for TLS <= 1.2; empty: kDefaultTlsCiphers
  // When not empty, a client certificate's subject CN must be one of these (checked after
  // the handshake by the listener; see client_certificate_allowed()).
  std::set<std::string> allowed_client_cns;
};

struct TlsClientOptions {
  std::string ca;           // PEM bundle trusted for the server; empty: the system CA store
  bool verify_peer = true;  // false: no verification at all (the caller logs a warning)
  bool verify_hostname = true;
  std::string certificate;  // optional client certificate (mutual TLS)
  std::string private_key;  // required with certificate
  TlsVersion min_version = TlsVersion::k1_2;
  std::string ciphers;  // empty: kDefaultTlsCiphers
};

// Thrown when a context cannot be built. field() names the option at fault
// ("certificate", "private_key", "ca", "ciphers", "verify_client"), so callers can name
// the configuration key; what() never contains key material.
class TlsSetupError : public std::runtime_error {
 public:
  TlsSetupError(std::string field, const std::string& message)
      : std::runtime_error(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// Initialises OpenSSL/Poco NetSSL once per process and installs certificate handlers that
// reject every verification failure (and remember why; see take_verification_error()).
void ensure_tls_initialised();

Poco::Net::Context::Ptr make_server_context(const TlsServerOptions& options);
// `host` is the name or IP address the sender connects to; with verify_hostname it must
// match the server certificate.
Poco::Net::Context::Ptr make_client_context(const TlsClientOptions& options,
                                            const std::string& host);

// The reason of the last certificate verification failure on this thread (e.g. "unable to
// get local issuer certificate", "hostname mismatch"), then cleared; "" when none.
std::string take_verification_error();

// A message for a failed TLS connection attempt: "certificate verification failed: <why>"
// when the peer's certificate was refused, else "TLS handshake failed: <detail>". Takes the
// thread's verification error (see take_verification_error()).
std::string describe_tls_failure(const std::string& exception_text);

// Whether a verified client certificate with this subject CN may connect.
bool client_certificate_allowed(const TlsServerOptions& options, const std::string& common_name);

const char* to_string(TlsVersion version);
const char* to_string(ClientVerification verification);

}  // namespace explainer::transport

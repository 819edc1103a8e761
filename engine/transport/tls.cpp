#include "transport/tls.h"

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetSSL.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <mutex>

namespace explainer::transport {

const char* const kDefaultTlsCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

namespace {

thread_local std::string t_verification_error;

// OpenSSL verify callback: keeps OpenSSL's verdict, remembers the first reason of a failure.
int remember_verification_failure(int preverify_ok, X509_STORE_CTX* store) {
  if (!preverify_ok && t_verification_error.empty()) {
    t_verification_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  }
  return preverify_ok;
}

// Encrypted private keys are not supported: answering no passphrase makes loading fail
// (instead of Poco asking its SSLManager, which needs a Poco::Util::Application).
int no_passphrase(char*, int, int, void*) {
  return 0;
}

std::string openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

void check_readable(const std::string& field, const std::string& path, const char* what) {
  if (path.empty()) throw TlsSetupError(field, std::string(what) + " file is not configured");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TlsSetupError(field, std::string("cannot read the ") + what + " file " + path);
}

Poco::Net::Context::Ptr base_context(Poco::Net::Context::Usage usage) {
  ensure_tls_initialised();
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // set below through OpenSSL
  params.loadDefaultCAs = false;
  params.cipherList = kDefaultTlsCiphers;
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(usage, params);
  } catch (const Poco::Exception& e) {
    throw TlsSetupError("ciphers", "cannot create a TLS context: " + e.displayText());
  }
  context->enableExtendedCertificateVerification(false);
  SSL_CTX_set_default_passwd_cb(context->sslContext(), &no_passphrase);
  return context;
}

void load_certificate_and_key(SSL_CTX* ctx, const std::string& certificate,
                              const std::string& private_key) {
  check_readable("certificate", certificate, "certificate");
  check_readable("private_key", private_key, "private key");
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, certificate.c_str()) != 1) {
    throw TlsSetupError("certificate", "cannot load the certificate (PEM) from " + certificate +
                                           ": " + openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw TlsSetupError("private_key", "cannot load the private key (unencrypted PEM) from " +
                                           private_key + ": " + openssl_errors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    throw TlsSetupError("private_key", "the private key " + private_key +
                                           " does not belong to the certificate " + certificate);
  }
}

void load_ca(SSL_CTX* ctx, const std::string& ca) {
  check_readable("ca", ca, "CA");
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    throw TlsSetupError("ca",
                        "cannot load CA certificates (PEM) from " + ca + ": " + openssl_errors());
  }
}

void apply_protocol_and_ciphers(SSL_CTX* ctx, TlsVersion min_version, const std::string& ciphers) {
  SSL_CTX_set_min_proto_version(ctx,
                                min_version == TlsVersion::k1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  const std::string list = ciphers.empty() ? kDefaultTlsCiphers : ciphers;
  ERR_clear_error();
  if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
    throw TlsSetupError("ciphers", "no usable cipher in '" + list + "': " + openssl_errors());
  }
}

}  // namespace

void ensure_tls_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

Poco::Net::Context::Ptr make_server_context(const TlsServerOptions& options) {
  auto context = base_context(Poco::Net::Context::TLS_SERVER_USE);
  SSL_CTX* ctx = context->sslContext();
  load_certificate_and_key(ctx, options.certificate, options.private_key);
  int mode = SSL_VERIFY_NONE;
  if (options.verify_client != ClientVerification::kNone) {
    if (options.ca.empty()) {
      throw TlsSetupError("ca", "client certificate verification needs a CA file");
    }
    load_ca(ctx, options.ca);
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca.c_str())) {
      SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
    }
    mode = SSL_VERIFY_PEER;
    if (options.verify_client == ClientVerification::kRequired) {
      mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
  } else if (!options.allowed_client_cns.empty()) {
    throw TlsSetupError("verify_client",
                        "allowed client CNs need client certificate verification (optional or "
                        "required)");
  }
  SSL_CTX_set_verify(ctx, mode, &remember_verification_failure);
  apply_protocol_and_ciphers(ctx, options.min_version, options.ciphers);
  // No session resumption: every connection proves its certificate again, and TLS 1.3 session
  // tickets would make an idle client's socket readable for no reason.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
  return context;
}

Poco::Net::Context::Ptr make_client_context(const TlsClientOptions& options,
                                            const std::string& host) {
  auto context = base_context(Poco::Net::Context::TLS_CLIENT_USE);
  SSL_CTX* ctx = context->sslContext();
  if (!options.certificate.empty() || !options.private_key.empty()) {
    if (options.certificate.empty()) {
      throw TlsSetupError("certificate", "a client private key needs a client certificate");
    }
    load_certificate_and_key(ctx, options.certificate, options.private_key);
  }
  if (options.verify_peer) {
    if (options.ca.empty()) {
      if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        throw TlsSetupError("ca", "cannot load the system CA store: " + openssl_errors());
      }
    } else {
      load_ca(ctx, options.ca);
    }
    if (options.verify_hostname && !host.empty()) {
      X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      Poco::Net::IPAddress ip;
      const int ok = Poco::Net::IPAddress::tryParse(host, ip)
                         ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                         : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
      if (ok != 1) throw TlsSetupError("verify_hostname", "cannot check host name " + host);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &remember_verification_failure);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  apply_protocol_and_ciphers(ctx, options.min_version, options.ciphers);
  return context;
}

std::string take_verification_error() {
  std::string out;
  out.swap(t_verification_error);
  return out;
}

std::string describe_tls_failure(const std::string& exception_text) {
  const std::string why = take_verification_error();
  if (!why.empty()) return "certificate verification failed: " + why;
  if (exception_text.find("certificate verify failed") != std::string::npos) {
    return "certificate verification failed: " + exception_text;
  }
  return "TLS handshake failed: " + exception_text;
}

bool client_certificate_allowed(const TlsServerOptions& options, const std::string& common_name) {
  return options.allowed_client_cns.empty() || options.allowed_client_cns.count(common_name) > 0;
}

const char* to_string(TlsVersion version) {
  return version == TlsVersion::k1_3 ? "1.3" : "1.2";
}

const char* to_string(ClientVerification verification) {
  switch (verification) {
    case ClientVerification::kNone:
      return "none";
    case ClientVerification::kOptional:
      return "optional";
    case ClientVerification::kRequired:
      return "required";
  }
  return "?";
}

}  // namespace explainer::transport

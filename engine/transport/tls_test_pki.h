// Test support: a throw-away PKI made at test time with the `openssl` command line tool.
//
//   ca            "Explainer Test CA"
//   server        CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1 (serverAuth), by ca
//   client        CN=explainer-test-client (clientAuth), by ca
//   other_ca      "Other Test CA" (an unrelated authority)
//   other_client  CN=intruder (clientAuth), by other_ca
//   other_server  CN=localhost with the same SANs, by other_ca
//   wrong_host    CN=example.org, subjectAltName DNS:example.org only (serverAuth), by ca
//
// EC P-256 keys (fast to make), valid for two days. Made once per process in a temporary
// folder that is removed at exit. Not thread-safe on first use (call it from a test body).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace explainer::transport::test_support {

struct TestPki {
  std::filesystem::path dir;
  std::string ca, ca_key;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string other_ca, other_ca_key;
  std::string other_client_cert, other_client_key;
  std::string other_server_cert, other_server_key;
  std::string wrong_host_cert, wrong_host_key;

  std::string file(const std::string& name) const { return (dir / name).string(); }
  ~TestPki() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

namespace detail {

inline void run_openssl(const std::string& args) {
  const std::string command = "openssl " + args + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

inline void make_ca(const TestPki& pki, const std::string& name, const std::string& cn) {
  run_openssl(
      "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
      " -keyout '" +
      pki.file(name + ".key") + "' -out '" + pki.file(name + ".pem") + "' -subj '/CN=" + cn +
      "'"
      " -addext basicConstraints=critical,CA:TRUE"
      " -addext keyUsage=critical,keyCertSign,cRLSign");
}

// A leaf certificate `name` for `cn`, signed by CA `ca`, with the extensions in `ext`.
inline void make_leaf(const TestPki& pki, const std::string& name, const std::string& cn,
                      const std::string& ca, const std::string& ext) {
  const std::string ext_file = pki.file(name + ".ext");
  std::ofstream(ext_file) << "basicConstraints=CA:FALSE\n" << ext << "\n";
  run_openssl("req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" +
              pki.file(name + ".key") + "' -out '" + pki.file(name + ".csr") +
              "' -subj '/CN=" + cn + "'");
  run_openssl("x509 -req -days 2 -in '" + pki.file(name + ".csr") + "' -CA '" +
              pki.file(ca + ".pem") + "' -CAkey '" + pki.file(ca + ".key") + "' -set_serial " +
              std::to_string(std::random_device{}() & 0x7fffffff) + " -extfile '" + ext_file +
              "' -out '" + pki.file(name + ".pem") + "'");
}

}  // namespace detail

inline const TestPki& test_pki() {
  static const TestPki pki = [] {
    TestPki p;
    std::random_device rd;
    p.dir = std::filesystem::temp_directory_path() /
            ("explainer-pki-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(p.dir);
    const std::string server_ext =
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth";
    const std::string client_ext = "extendedKeyUsage=clientAuth";
    detail::make_ca(p, "ca", "Explainer Test CA");
    detail::make_leaf(p, "server", "localhost", "ca", server_ext);
    detail::make_leaf(p, "client", "explainer-test-client", "ca", client_ext);
    detail::make_ca(p, "other_ca", "Other Test CA");
    detail::make_leaf(p, "other_client", "intruder", "other_ca", client_ext);
    detail::make_leaf(p, "other_server", "localhost", "other_ca", server_ext);
    detail::make_leaf(p, "wrong_host", "example.org", "ca",
                      "subjectAltName=DNS:example.org\nextendedKeyUsage=serverAuth");
    p.ca = p.file("ca.pem");
    p.ca_key = p.file("ca.key");
    p.server_cert = p.file("server.pem");
    p.server_key = p.file("server.key");
    p.client_cert = p.file("client.pem");
    p.client_key = p.file("client.key");
    p.other_ca = p.file("other_ca.pem");
    p.other_ca_key = p.file("other_ca.key");
    p.other_client_cert = p.file("other_client.pem");
    p.other_client_key = p.file("other_client.key");
    p.other_server_cert = p.file("other_server.pem");
    p.other_server_key = p.file("other_server.key");
    p.wrong_host_cert = p.file("wrong_host.pem");
    p.wrong_host_key = p.file("wrong_host.key");
    return p;
  }();
  return pki;
}

}  // namespace explainer::transport::test_support

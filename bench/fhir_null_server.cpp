// fhir-null-server: the HTTP-path ceiling for the FHIR endpoint. Answers every request with
// 201 Created after reading (and discarding) its body, without parsing, storing or validating
// anything. Same Poco HTTPServer machinery as explainerd's FHIR listener, so the ratio between the
// two is the cost of Explainer's own work (parse, extract, match, enrich, store).
//
// Usage: fhir-null-server --port P [--threads T] [--port-file F]   (runs until SIGTERM/SIGINT)
// --port 0 picks a free port; --port-file writes the port actually bound (then a newline) to F.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

namespace {

std::atomic<unsigned long> created{0};

class CreatedHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    char chunk[16384];
    std::istream& body = request.stream();
    while (body.read(chunk, sizeof chunk) || body.gcount() > 0) {
    }
    const unsigned long n = ++created;
    response.setStatus(Poco::Net::HTTPResponse::HTTP_CREATED);
    response.set("Location", "/fhir/DiagnosticReport/null-" + std::to_string(n) + "/_history/1");
    response.setContentLength(0);
    response.setKeepAlive(request.getKeepAlive());
    response.send();
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new CreatedHandler;
  }
};

}  // namespace

int main(int argc, char** argv) {
  int port = -1, threads = 64;
  std::string port_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--port")
      port = std::stoi(argv[i + 1]);
    else if (a == "--threads")
      threads = std::stoi(argv[i + 1]);
    else if (a == "--port-file")
      port_file = argv[i + 1];
  }
  if (port < 0) {
    std::cerr << "usage: fhir-null-server --port P [--threads T] [--port-file F]\n";
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  Poco::ThreadPool pool(2, threads + 2);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(threads);
  params->setMaxQueued(threads);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(1000);  // as explainerd's FHIR listener
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  Poco::Net::HTTPServer server(new Factory, pool, socket, params);
  server.start();
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << socket.address().port() << "\n";
    std::rename(tmp.c_str(), port_file.c_str());
  }
  int sig = 0;
  sigwait(&set, &sig);
  server.stop();
  return 0;
}

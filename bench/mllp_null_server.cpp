// mllp-null-server: the network-path ceiling. Acknowledges every MLLP frame with an AA that echoes
// MSH-10 as MSA-2, without parsing anything else, storing nothing. Same Poco TCPServer machinery as
// explainerd, so the ratio between the two is the cost of Explainer's own work.
//
// Usage: mllp-null-server --port P [--threads T] [--port-file F]   (runs until SIGTERM/SIGINT)
// --port 0 picks a free port; --port-file writes the port actually bound (then a newline) to F.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

namespace {

std::string control_id(const std::string& msg) {
  // MSH-10 is the 9th '|' after the start of MSH (MSH-1 is the first '|').
  int bars = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < msg.size() && msg[i] != '\r'; ++i) {
    if (msg[i] == '|') {
      ++bars;
      if (bars == 9) start = i + 1;
      if (bars == 10) return msg.substr(start, i - start);
    }
  }
  return bars >= 9 ? msg.substr(start, msg.find('\r', start) - start) : std::string();
}

class NullConnection : public Poco::Net::TCPServerConnection {
 public:
  using TCPServerConnection::TCPServerConnection;
  void run() override {
    std::string buffer;
    char chunk[16384];
    try {
      for (;;) {
        int n = socket().receiveBytes(chunk, sizeof chunk);
        if (n <= 0) return;
        buffer.append(chunk, static_cast<std::size_t>(n));
        for (;;) {
          std::size_t s = buffer.find('\x0b');
          std::size_t e = buffer.find("\x1c\x0d", s == std::string::npos ? 0 : s);
          if (s == std::string::npos || e == std::string::npos) break;
          const std::string id = control_id(buffer.substr(s + 1, e - s - 1));
          buffer.erase(0, e + 2);
          std::string ack = "\x0bMSH|^~\\&|NULL|BENCH|||20261125000000||ACK^R01^ACK|A" + id +
                            "|P|2.5.1\rMSA|AA|" + id + "\r\x1c\x0d";
          socket().sendBytes(ack.data(), static_cast<int>(ack.size()));
        }
      }
    } catch (...) {
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  int port = -1, threads = 128;
  std::string port_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port")
      port = std::stoi(argv[i + 1]);
    else if (a == "--threads")
      threads = std::stoi(argv[i + 1]);
    else if (a == "--port-file")
      port_file = argv[i + 1];
  }
  if (port < 0) {
    std::cerr << "usage: mllp-null-server --port P [--threads T] [--port-file F]\n";
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  Poco::ThreadPool pool(2, threads + 2);
  auto* params = new Poco::Net::TCPServerParams;
  params->setMaxThreads(threads);
  params->setMaxQueued(threads);
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  Poco::Net::TCPServer server(new Poco::Net::TCPServerConnectionFactoryImpl<NullConnection>(), pool,
                              socket, params);
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

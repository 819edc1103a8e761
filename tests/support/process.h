// Test support: run the real explainerd / explainer binaries.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace explainer::test_support {

inline std::string binary(const std::string& name) {
  return std::string(EXPLAINER_BINARY_DIR) + "/engine/app/" + name;
}

// A loopback port that was free a moment ago.
inline std::uint16_t free_port() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

inline bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      Poco::Net::StreamSocket s;
      s.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(0, 200'000));
      return true;
    } catch (...) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return false;
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a binary to completion, capturing standard output and error.
inline RunResult run(const std::string& path, const std::vector<std::string>& args) {
  Poco::Pipe out_pipe, err_pipe;
  Poco::ProcessHandle handle = Poco::Process::launch(path, args, nullptr, &out_pipe, &err_pipe);
  RunResult result;
  std::thread err_reader([&] {
    Poco::PipeInputStream err(err_pipe);
    Poco::StreamCopier::copyToString(err, result.err);
  });
  Poco::PipeInputStream out(out_pipe);
  Poco::StreamCopier::copyToString(out, result.out);
  err_reader.join();
  result.exit_code = handle.wait();
  return result;
}

// A background process that is killed (SIGKILL) if still running when the object goes away.
class Daemon {
 public:
  Daemon(const std::string& path, const std::vector<std::string>& args)
      : handle_(Poco::Process::launch(path, args)) {}
  ~Daemon() {
    if (running()) {
      ::kill(static_cast<pid_t>(handle_.id()), SIGKILL);
      handle_.wait();
    }
  }
  bool running() { return !exited_ && Poco::Process::isRunning(handle_); }
  pid_t pid() const { return static_cast<pid_t>(handle_.id()); }
  void kill9() {
    ::kill(static_cast<pid_t>(handle_.id()), SIGKILL);
    handle_.wait();
    exited_ = true;
  }
  // Sends SIGTERM and waits for the exit code (-1 if it did not exit within `timeout`).
  int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    ::kill(static_cast<pid_t>(handle_.id()), SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(static_cast<pid_t>(handle_.id()), &status, WNOHANG);
      if (r > 0) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  Poco::ProcessHandle handle_;
  bool exited_ = false;
};

}  // namespace explainer::test_support

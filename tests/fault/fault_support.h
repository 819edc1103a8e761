// Support for the fault tests: a restartable explainerd process, a steady MLLP load of unique
// messages that records every positive ACK, and checks of what a downstream peer received.
#pragma once

#include <Poco/Process.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/downstream_peer.h"
#include "support/files.h"
#include "support/process.h"
#include "transport/mllp_client.h"

namespace explainer::fault {

using namespace std::chrono_literals;

// An integer from the environment (longer runs: EXPLAINER_FAULT_KILLS=200 ...), else `fallback`.
inline int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  try {
    return std::stoi(value);
  } catch (const std::exception&) {
    return fallback;
  }
}

struct Destination {
  std::string name;
  std::uint16_t port = 0;
};

// An explainerd configuration on loopback: one listener, MLLP destinations delivering exactly the
// received bytes (enrich=false), fast retries, logs to <data>/explainerd.log at `log_level`.
inline std::string write_config(const std::string& dir, const std::string& data_dir,
                                std::uint16_t listen_port,
                                const std::vector<Destination>& destinations,
                                const std::string& extra = {},
                                const std::string& log_level = "warning") {
  const std::string path = dir + "/explainerd.properties";
  std::ofstream out(path);
  out << "log.level = " << log_level << "\n"
      << "log.file = " << dir << "/explainerd.log\n"
      << "paths.data = " << data_dir << "\n"
      << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
      << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
      << "listeners = ris\n"
      << "listener.ris.port = " << listen_port << "\n"
      << "listener.ris.max_connections = 32\n";
  std::string names;
  for (const auto& d : destinations) names += (names.empty() ? "" : ",") + d.name;
  out << "destinations = " << names << "\n";
  for (const auto& d : destinations) {
    const std::string p = "destination." + d.name + ".";
    out << p << "type = mllp\n"
        << p << "host = 127.0.0.1\n"
        << p << "port = " << d.port << "\n"
        << p << "connect_timeout_s = 2\n"
        << p << "ack_timeout_s = 5\n"
        << p << "enrich = false\n";
  }
  out << extra;
  return path;
}

// The message a load client sends as its number `seq`: an ORU^R01 whose MSH-10 is
// "F<client>-<seq>" (unique per test run), padded with `filler` bytes of report text.
inline std::string make_message(int client, long seq, std::size_t filler = 0) {
  const std::string id = "F" + std::to_string(client) + "-" + std::to_string(seq);
  std::string message =
      "MSH|^~\\&|FAULTTEST|HOSP|EXPLAINER|HOSP|20261125120000||ORU^R01^ORU_R01|" + id +
      "|P|2.5.1\r"
      "PID|1||TEST^^^HOSP^MR||TEST^PATIENT||19700101|U\r"
      "OBR|1|ORD" +
      id + "|ACC" + id +
      "|72148^MRI LUMBAR SPINE^C4|||20261125110000|||||||||||||||MR|F\r"
      "OBX|1|TX|18782-3^Radiology Study observation^LN||IMPRESSION: No acute abnormality.||||||F\r";
  if (filler > 0) {
    message += "OBX|2|TX|18782-3^Radiology Study observation^LN||" + std::string(filler, 'x') +
               "||||||F\r";
  }
  return message;
}

// MSH-10 of a message, or "" (the tests' messages only: plain '|' fields, CR segments).
inline std::string control_id_of(const std::string& message) {
  const std::string msh = message.substr(0, message.find('\r'));
  std::size_t pos = 0;
  for (int field = 0; field < 9; ++field) {
    pos = msh.find('|', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  return msh.substr(pos, msh.find('|', pos) - pos);
}

// "F3-17" -> {3, 17}; {-1, -1} if not a load message.
inline std::pair<int, long> parse_load_id(const std::string& id) {
  const auto dash = id.find('-');
  if (id.size() < 4 || id[0] != 'F' || dash == std::string::npos) return {-1, -1};
  try {
    return {std::stoi(id.substr(1, dash - 1)), std::stol(id.substr(dash + 1))};
  } catch (const std::exception&) {
    return {-1, -1};
  }
}

struct ParsedAck {
  std::string code;        // MSA-1
  std::string control_id;  // MSA-2
  std::string err_code;    // ERR-3.1
};

inline std::string field_of(const std::string& segment, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = segment.find('|', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  return segment.substr(start, segment.find('|', start) - start);
}

inline ParsedAck parse_ack(const std::string& ack) {
  ParsedAck result;
  std::stringstream in(ack);
  for (std::string segment; std::getline(in, segment, '\r');) {
    if (segment.rfind("MSA|", 0) == 0) {
      result.code = field_of(segment, 1);
      result.control_id = field_of(segment, 2);
    } else if (segment.rfind("ERR|", 0) == 0) {
      const std::string err3 = field_of(segment, 3);
      result.err_code = err3.substr(0, err3.find('^'));
    }
  }
  return result;
}

// explainerd as a child process that the test kills and restarts. Not thread-safe.
class Explainerd {
 public:
  explicit Explainerd(std::string config) : config_(std::move(config)) {}
  ~Explainerd() {
    if (running()) kill9();
  }

  void start() {
    handle_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch(test_support::binary("explainerd"), {"--config=" + config_}));
    exited_ = false;
  }
  bool running() const { return handle_ && !exited_; }
  pid_t pid() const { return static_cast<pid_t>(handle_->id()); }

  void kill9() {
    ::kill(pid(), SIGKILL);
    handle_->wait();
    exited_ = true;
  }

  // SIGTERM, then waits up to `timeout`: the exit code, 128+signal, or -1 if still running (then
  // the process is killed).
  int terminate(std::chrono::milliseconds timeout) {
    ::kill(pid(), SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid(), &status, WNOHANG) > 0) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    kill9();
    return -1;
  }

  // True if the process has exited (reaps it).
  bool has_exited() {
    if (!running()) return true;
    int status = 0;
    if (::waitpid(pid(), &status, WNOHANG) > 0) exited_ = true;
    return exited_;
  }

  // User + system CPU time consumed so far, from /proc/PID/stat.
  double cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid()) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string value;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; fields >> value; ++i) {  // field 3 is the state
      if (i == 14) utime = std::stoull(value);
      if (i == 15) {
        stime = std::stoull(value);
        break;
      }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

 private:
  std::string config_;
  std::unique_ptr<Poco::ProcessHandle> handle_;
  bool exited_ = true;
};

// Per client: the sequence numbers that got AA, in the order they were sent.
struct LoadResult {
  std::vector<std::vector<long>> acked;
  long transmissions = 0;  // frames written, including resends of unacknowledged messages
  long no_answer = 0;      // connect failures, I/O errors, timeouts (resent)
  long negative_acks = 0;  // AR/AE answers (resent)
  long wrong_acks = 0;     // ACKs for another control id: must stay 0
  long acknowledged() const {
    long n = 0;
    for (const auto& a : acked) n += static_cast<long>(a.size());
    return n;
  }
};

// `clients` threads sending unique messages to 127.0.0.1:port as fast as ACKs come back, each on
// its own connection, as a careful HL7 sender does: a message is resent (same MSH-10) until it is
// acknowledged with AA, and only then does the next one go. Runs until stop(). Clients are
// numbered from `first_client` (loads on several instances of one store need distinct numbers);
// acked has an (empty) entry for each number below it.
class SteadyLoad {
 public:
  SteadyLoad(std::uint16_t port, int clients, std::size_t filler = 0, int first_client = 0)
      : port_(port), filler_(filler) {
    result_.acked.resize(static_cast<std::size_t>(first_client + clients));
    for (int c = first_client; c < first_client + clients; ++c)
      threads_.emplace_back([this, c] { run(c); });
  }
  ~SteadyLoad() { stop(); }

  // Stops the clients (each finishes its current exchange) and returns what they saw.
  LoadResult stop() {
    stopping_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    return result_;
  }
  long acknowledged() const {
    std::lock_guard<std::mutex> lock(mu_);
    return result_.acknowledged();
  }
  // Waits until at least `count` more messages are acknowledged than when called; false on timeout.
  bool wait_for_more_acks(long count, std::chrono::milliseconds timeout) const {
    const long target = acknowledged() + count;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (acknowledged() < target) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  void run(int client) {
    try {
      transport::MllpClientConfig config;
      config.port = port_;
      config.connect_timeout = 1s;
      transport::MllpClient mllp(config);
      long seq = 0;
      while (!stopping_) {
        const std::string message = make_message(client, seq, filler_);
        const auto sent = mllp.send(message, 10s);
        bool acknowledged = false;
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (sent.status != transport::MllpSendStatus::kConnectFailed) ++result_.transmissions;
          if (!sent.ok()) {
            ++result_.no_answer;
          } else if (const ParsedAck ack = parse_ack(sent.response);
                     ack.control_id != control_id_of(message)) {
            ++result_.wrong_acks;
          } else if (ack.code == "AA") {
            result_.acked[static_cast<std::size_t>(client)].push_back(seq++);
            acknowledged = true;
          } else {
            ++result_.negative_acks;
          }
        }
        // Not acknowledged: wait a little (the daemon may be restarting), then resend.
        if (!acknowledged) std::this_thread::sleep_for(10ms);
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "load client " << client << ": " << e.what();
    }
  }

  const std::uint16_t port_;
  const std::size_t filler_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  LoadResult result_;
  std::vector<std::thread> threads_;
};

// What a destination received, checked against what the senders had acknowledged.
struct DeliveryCheck {
  long frames = 0;            // frames received (with duplicates)
  long unique = 0;            // distinct messages received
  long duplicates = 0;        // frames - unique
  long lost = 0;              // acknowledged but never received
  long altered = 0;           // received bytes differ from what was sent
  long unknown = 0;           // received but not a load message
  long order_violations = 0;  // per client, first arrivals not in send order
  std::string first_problem;  // for the failure message
};

inline DeliveryCheck check_delivery(const std::vector<std::string>& frames, const LoadResult& load,
                                    std::size_t filler = 0) {
  DeliveryCheck check;
  std::set<std::pair<int, long>> seen;
  std::map<int, long> last_seq;  // per client, seq of the latest first arrival
  for (const auto& frame : frames) {
    ++check.frames;
    const auto [client, seq] = parse_load_id(control_id_of(frame));
    if (client < 0) {
      ++check.unknown;
      continue;
    }
    if (frame != make_message(client, seq, filler)) {
      if (check.first_problem.empty()) check.first_problem = "altered: " + control_id_of(frame);
      ++check.altered;
    }
    if (!seen.insert({client, seq}).second)
      continue;  // a duplicate: order is judged on first arrivals
    const auto last = last_seq.find(client);
    if (last != last_seq.end() && seq <= last->second) {
      if (check.first_problem.empty()) {
        check.first_problem = "order: client " + std::to_string(client) + " got " +
                              std::to_string(seq) + " after " + std::to_string(last->second);
      }
      ++check.order_violations;
    }
    last_seq[client] = seq;
  }
  check.unique = static_cast<long>(seen.size());
  check.duplicates = check.frames - check.unknown - check.unique;
  for (std::size_t c = 0; c < load.acked.size(); ++c) {
    for (long seq : load.acked[c]) {
      if (!seen.count({static_cast<int>(c), seq})) {
        if (check.first_problem.empty()) {
          check.first_problem = "lost: F" + std::to_string(c) + "-" + std::to_string(seq);
        }
        ++check.lost;
      }
    }
  }
  return check;
}

// Waits until `peer` received every acknowledged message; false on timeout. Cheap while waiting:
// the full check runs only once enough frames arrived.
inline bool wait_until_delivered(const test_support::DownstreamPeer& peer, const LoadResult& load,
                                 std::chrono::milliseconds timeout, std::size_t filler = 0) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!peer.wait_for(static_cast<std::size_t>(load.acknowledged()), std::max(left, 0ms)))
      return false;
    if (check_delivery(peer.received(), load, filler).lost == 0) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(200ms);
  }
}

}  // namespace explainer::fault

// mllp-load: an MLLP load generator for loopback measurements.
//
// C concurrent persistent connections, each sending N messages one after another and waiting for
// each ACK (as MLLP requires). Every message gets a unique MSH-10; every ACK is checked: MSA-1 must
// be AA or CA and MSA-2 must equal the MSH-10 just sent. Bounded in count (C x N) and time
// (--max-seconds). Prints messages/s and latency percentiles; --json prints one JSON object.
//
// Usage: mllp-load --port P [--host 127.0.0.1] [--connections C] [--messages N]
//                  [--file TEMPLATE.hl7] [--max-seconds S] [--rate R] [--json]
// --rate R paces each connection so that all together send about R messages per second.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr char kStart = 0x0b;
constexpr char kEnd1 = 0x1c;
constexpr char kEnd2 = 0x0d;

const char* kDefaultTemplate =
    "MSH|^~\\&|RIS|HOSP|EXPLAINER|HOSP|20261125120000||ORU^R01^ORU_R01|{ID}|P|2.5.1\r"
    "PID|1||LOADTEST^^^HOSP^MR||LOADTEST^PATIENT||19700101|U|||||||en\r"
    "OBR|1|ORD{ID}|ACC{ID}|72148^MRI LUMBAR SPINE^C4|||20261125110000|||||||||||||||MR|F\r"
    "OBX|1|TX|18782-3^Radiology Study observation^LN||FINDINGS: Mild loss of disc height at "
    "L4-L5.||||||F\r"
    "OBX|2|TX|18782-3^Radiology Study observation^LN||IMPRESSION:||||||F\r"
    "OBX|3|TX|18782-3^Radiology Study observation^LN||1. L4-L5 disc bulge with mild spinal canal "
    "stenosis.||||||F\r"
    "OBX|4|TX|18782-3^Radiology Study observation^LN||2. No evidence of fracture or metastatic "
    "disease.||||||F\r";

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 1;
  int messages = 1000;
  double max_seconds = 60;
  double rate = 0;  // 0: as fast as ACKs come back
  std::string file;
  bool json = false;
};

struct Totals {
  std::atomic<long> sent{0}, acked{0}, bad_acks{0}, errors{0};
  std::mutex mu;
  std::vector<double> latencies_us;
};

std::string field(const std::string& segment, int index) {
  int current = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= segment.size(); ++i) {
    if (i == segment.size() || segment[i] == '|') {
      if (current == index) return segment.substr(start, i - start);
      ++current;
      start = i + 1;
    }
  }
  return {};
}

bool ack_ok(const std::string& ack, const std::string& control_id) {
  std::size_t pos = ack.find("MSA|");
  if (pos == std::string::npos) return false;
  std::size_t end = ack.find('\r', pos);
  std::string msa = ack.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  const std::string code = field(msa, 1);
  return (code == "AA" || code == "CA") && field(msa, 2) == control_id;
}

bool read_frame(Poco::Net::StreamSocket& socket, std::string& buffer, std::string& frame) {
  char chunk[8192];
  for (;;) {
    std::size_t s = buffer.find(kStart);
    if (s != std::string::npos) {
      std::size_t e = buffer.find(std::string{kEnd1, kEnd2}, s);
      if (e != std::string::npos) {
        frame = buffer.substr(s + 1, e - s - 1);
        buffer.erase(0, e + 2);
        return true;
      }
    }
    int n = socket.receiveBytes(chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

void run_connection(const Options& opt, const std::string& tmpl, int conn_index, Totals& totals,
                    std::chrono::steady_clock::time_point deadline) {
  std::vector<double> local;
  local.reserve(static_cast<std::size_t>(opt.messages));
  try {
    Poco::Net::StreamSocket socket(
        Poco::Net::SocketAddress(opt.host, static_cast<Poco::UInt16>(opt.port)));
    socket.setNoDelay(true);
    socket.setReceiveTimeout(Poco::Timespan(30, 0));
    std::string buffer, frame;
    const auto interval = opt.rate > 0 ? std::chrono::duration<double>(opt.connections / opt.rate)
                                       : std::chrono::duration<double>(0);
    auto next_send = std::chrono::steady_clock::now();
    for (int i = 0; i < opt.messages; ++i) {
      if (std::chrono::steady_clock::now() > deadline) break;
      if (opt.rate > 0) {
        std::this_thread::sleep_until(next_send);
        next_send += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
      }
      // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "L" + to_string().
      std::string id = "L";
      id += std::to_string(conn_index);
      id += '-';
      id += std::to_string(i);
      id += '-';
      id += std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
      std::string msg = tmpl;
      for (std::size_t p; (p = msg.find("{ID}")) != std::string::npos;) msg.replace(p, 4, id);
      std::string framed;
      framed.reserve(msg.size() + 3);
      framed += kStart;
      framed += msg;
      framed += kEnd1;
      framed += kEnd2;
      const auto t0 = std::chrono::steady_clock::now();
      socket.sendBytes(framed.data(), static_cast<int>(framed.size()));
      ++totals.sent;
      if (!read_frame(socket, buffer, frame)) {
        ++totals.errors;
        break;
      }
      const auto t1 = std::chrono::steady_clock::now();
      if (ack_ok(frame, id)) {
        ++totals.acked;
        local.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      } else {
        ++totals.bad_acks;
      }
    }
  } catch (const std::exception& e) {
    ++totals.errors;
    std::cerr << "mllp-load: connection " << conn_index << ": " << e.what() << "\n";
  }
  std::lock_guard<std::mutex> lock(totals.mu);
  totals.latencies_us.insert(totals.latencies_us.end(), local.begin(), local.end());
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "mllp-load: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host")
      opt.host = next();
    else if (a == "--port")
      opt.port = std::stoi(next());
    else if (a == "--connections")
      opt.connections = std::stoi(next());
    else if (a == "--messages")
      opt.messages = std::stoi(next());
    else if (a == "--max-seconds")
      opt.max_seconds = std::stod(next());
    else if (a == "--rate")
      opt.rate = std::stod(next());
    else if (a == "--file")
      opt.file = next();
    else if (a == "--json")
      opt.json = true;
    else {
      std::cerr << "usage: mllp-load --port P [--host H] [--connections C] [--messages N] "
                   "[--file TEMPLATE] [--max-seconds S] [--rate R] [--json]\n";
      return 2;
    }
  }
  if (opt.port <= 0 || opt.connections <= 0 || opt.messages <= 0) {
    std::cerr << "mllp-load: --port, --connections and --messages must be positive\n";
    return 2;
  }
  std::string tmpl = kDefaultTemplate;
  if (!opt.file.empty()) {
    std::ifstream in(opt.file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    tmpl = ss.str();
    for (auto& c : tmpl)
      if (c == '\n') c = '\r';
    // The template's MSH-10 is replaced by {ID} so every message is unique.
    std::size_t msh_end = tmpl.find('\r');
    std::string msh = tmpl.substr(0, msh_end);
    int bars = 0;
    std::size_t start = std::string::npos, end = std::string::npos;
    for (std::size_t i = 0; i < msh.size(); ++i) {
      if (msh[i] == '|' && ++bars == 9)
        start = i + 1;
      else if (msh[i] == '|' && bars == 10) {
        end = i;
        break;
      }
    }
    if (start == std::string::npos) {
      std::cerr << "mllp-load: template has no MSH-10\n";
      return 2;
    }
    if (end == std::string::npos) end = msh.size();
    tmpl.replace(start, end - start, "{ID}");
  }

  Totals totals;
  const auto t0 = std::chrono::steady_clock::now();
  const auto deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(opt.max_seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < opt.connections; ++c) {
    threads.emplace_back(run_connection, std::cref(opt), std::cref(tmpl), c, std::ref(totals),
                         deadline);
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  auto& lat = totals.latencies_us;
  const double rate = static_cast<double>(totals.acked.load()) / seconds;
  const double p50 = percentile(lat, 0.50), p90 = percentile(lat, 0.90),
               p99 = percentile(lat, 0.99);
  const double max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  if (opt.json) {
    std::printf(
        "{\"connections\":%d,\"sent\":%ld,\"acked\":%ld,\"bad_acks\":%ld,\"errors\":%ld,"
        "\"seconds\":%.3f,\"msgs_per_s\":%.1f,\"p50_us\":%.0f,\"p90_us\":%.0f,\"p99_us\":%.0f,"
        "\"max_us\":%.0f}\n",
        opt.connections, totals.sent.load(), totals.acked.load(), totals.bad_acks.load(),
        totals.errors.load(), seconds, rate, p50, p90, p99, max);
  } else {
    std::printf("connections=%d sent=%ld acked=%ld bad_acks=%ld errors=%ld seconds=%.3f\n",
                opt.connections, totals.sent.load(), totals.acked.load(), totals.bad_acks.load(),
                totals.errors.load(), seconds);
    std::printf("msgs/s=%.1f latency_us p50=%.0f p90=%.0f p99=%.0f max=%.0f\n", rate, p50, p90, p99,
                max);
  }
  return (totals.bad_acks == 0 && totals.errors == 0) ? 0 : 1;
}

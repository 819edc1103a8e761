// fsync-rate: how many durable small writes the disk under a folder sustains — the ceiling for
// explainerd with store.sqlite.synchronous=full without group commit (one sync per message).
//
// Writes COUNT blocks of 4 KB to a fresh file in DIR, calling fdatasync() after each, then
// removes the file. Prints syncs/s and mean/p50/p99 ms per sync (--json: one JSON object).
//   --mode append (default): the file grows, so each sync also commits the new file size.
//   --mode overwrite: the file is first filled and synced, then rewritten in place, as SQLite
//     rewrites a WAL file it has already grown (each sync then carries data only).
// Bounded: stops after COUNT writes or MAX_SECONDS, whichever comes first.
//
// Usage: fsync-rate --dir DIR [--count 2000] [--max-seconds 20] [--mode append|overwrite] [--json]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::string dir;
  std::string mode = "append";
  int count = 2000;
  double max_seconds = 20;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (i + 1 < argc && a == "--dir") {
      dir = argv[++i];
    } else if (i + 1 < argc && a == "--count") {
      count = std::stoi(argv[++i]);
    } else if (i + 1 < argc && a == "--max-seconds") {
      max_seconds = std::stod(argv[++i]);
    } else if (i + 1 < argc && a == "--mode") {
      mode = argv[++i];
    } else {
      std::cerr << "usage: fsync-rate --dir DIR [--count N] [--max-seconds S] "
                   "[--mode append|overwrite] [--json]\n";
      return 2;
    }
  }
  if (dir.empty() || count <= 0 || (mode != "append" && mode != "overwrite")) {
    std::cerr
        << "fsync-rate: --dir is required, --count must be positive, --mode append|overwrite\n";
    return 2;
  }
  const std::string path = dir + "/fsync-rate." + std::to_string(getpid()) + ".tmp";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << "fsync-rate: cannot create " << path << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  std::vector<char> block(4096, 'x');
  if (mode == "overwrite") {
    // Really written (not fallocate: unwritten extents would still need metadata updates).
    bool ok = true;
    for (int i = 0; i < count && ok; ++i) {
      ok = ::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size());
    }
    if (!ok || ::fsync(fd) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
      std::cerr << "fsync-rate: cannot prepare " << path << ": " << std::strerror(errno) << "\n";
      ::close(fd);
      ::unlink(path.c_str());
      return 1;
    }
  }
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(count));
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  for (int i = 0; i < count; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(t0 - start).count() > max_seconds) break;
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      std::cerr << "fsync-rate: write/fdatasync failed: " << std::strerror(errno) << "\n";
      status = 1;
      break;
    }
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  if (ms.empty()) return 1;

  double sum = 0;
  for (double v : ms) sum += v;
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const auto pct = [&](double p) {
    return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))];
  };
  const double rate = static_cast<double>(ms.size()) / seconds;
  const double mean = sum / static_cast<double>(ms.size());
  if (json) {
    std::printf(
        "{\"mode\":\"%s\",\"syncs\":%zu,\"seconds\":%.3f,\"syncs_per_s\":%.1f,\"mean_ms\":%.3f,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
        mode.c_str(), ms.size(), seconds, rate, mean, pct(0.5), pct(0.99));
  } else {
    std::printf(
        "mode=%s syncs=%zu seconds=%.3f syncs/s=%.1f mean_ms=%.3f p50_ms=%.3f p99_ms=%.3f\n",
        mode.c_str(), ms.size(), seconds, rate, mean, pct(0.5), pct(0.99));
  }
  return status;
}

// RateLimiter: a token bucket per client key (the FHIR endpoint uses the client's IP
// address), refilled at `per_second`, holding at most `burst` tokens.
//
// acquire() takes one token and returns 0, or returns how many seconds the client must wait
// for the next one (nothing taken). The time is passed in, so tests are deterministic.
// Memory is bounded: when more than max_clients keys are tracked, buckets that have refilled
// completely (idle clients) are forgotten first, then the oldest ones.
//
// Thread safety: acquire() may be called from any thread (one mutex; the critical section
// is a map lookup and a few arithmetic operations).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace explainer::transport {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // per_second > 0, burst >= 1.
  RateLimiter(double per_second, double burst, std::size_t max_clients = 10'000);

  // 0 when a token was taken; otherwise the seconds until one is available (> 0).
  double acquire(const std::string& key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);

  const double per_second_;
  const double burst_;
  const std::size_t max_clients_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace explainer::transport

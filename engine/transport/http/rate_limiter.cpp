#include "transport/http/rate_limiter.h"

#include <algorithm>
#include <stdexcept>

namespace explainer::transport {

RateLimiter::RateLimiter(double per_second, double burst, std::size_t max_clients)
    : per_second_(per_second), burst_(burst), max_clients_(std::max<std::size_t>(max_clients, 1)) {
  if (!(per_second > 0) || !(burst >= 1)) {
    throw std::invalid_argument("rate limit needs per_second > 0 and burst >= 1");
  }
}

double RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) prune(now);
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0.0;
  }
  return (1.0 - b.tokens) / per_second_;
}

void RateLimiter::prune(Clock::time_point now) {
  // Idle clients first: their bucket would be full again.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  while (buckets_.size() >= max_clients_) {
    auto oldest = std::min_element(
        buckets_.begin(), buckets_.end(),
        [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
    buckets_.erase(oldest);
  }
}

}  // namespace explainer::transport

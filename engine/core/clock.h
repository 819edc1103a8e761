// Time seam: production code asks a Clock, tests may supply their own.
// Implementations must be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace explainer::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for stored timestamps (milliseconds since the Unix epoch).
  virtual std::int64_t now_unix_ms() const = 0;
  // Monotonic time, for timeouts and backoff.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
  // A process-wide instance for code that has no clock injected.
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

}  // namespace explainer::core

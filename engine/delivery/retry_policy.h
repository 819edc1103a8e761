// RetryPolicy: how long to wait before the next attempt after a transient failure, and
// when to give up (dead-letter). A plain value; delay() is pure given the random source.
#pragma once

#include <chrono>
#include <random>

namespace explainer::delivery {

enum class Jitter {
  kNone,          // exactly initial_delay * multiplier^(failures-1), capped
  kFull,          // uniform in [0, that]
  kDecorrelated,  // uniform in [initial_delay, previous delay * multiplier], capped
};

struct RetryPolicy {
  std::chrono::milliseconds initial_delay{1000};
  double multiplier = 2.0;                       // >= 1
  std::chrono::milliseconds max_delay{300'000};  // cap on any single delay
  int max_attempts = 0;                          // attempts before dead-letter; 0 = forever
  Jitter jitter = Jitter::kFull;

  // True when an item that has now failed `attempts` times must be dead-lettered.
  bool exhausted(int attempts) const { return max_attempts > 0 && attempts >= max_attempts; }

  // Delay before the next attempt after the `failures`-th consecutive failure (>= 1).
  // `previous` is the delay used before this attempt (zero if none): only kDecorrelated
  // uses it. Never negative, never above max_delay.
  std::chrono::milliseconds delay(int failures, std::chrono::milliseconds previous,
                                  std::mt19937_64& random) const;

  // Throws std::invalid_argument naming the bad field.
  void validate() const;
};

}  // namespace explainer::delivery

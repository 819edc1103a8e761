#include "delivery/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace explainer::delivery {

namespace {

using Millis = std::chrono::milliseconds;

std::int64_t uniform(std::int64_t low, std::int64_t high, std::mt19937_64& random) {
  if (high <= low) return low;
  return std::uniform_int_distribution<std::int64_t>(low, high)(random);
}

}  // namespace

Millis RetryPolicy::delay(int failures, Millis previous, std::mt19937_64& random) const {
  const double cap = static_cast<double>(max_delay.count());
  const double initial = std::min(static_cast<double>(initial_delay.count()), cap);
  const int exponent = std::max(0, failures - 1);
  const double exponential = std::min(cap, initial * std::pow(std::max(1.0, multiplier), exponent));
  switch (jitter) {
    case Jitter::kNone:
      return Millis(static_cast<std::int64_t>(exponential));
    case Jitter::kFull:
      return Millis(uniform(0, static_cast<std::int64_t>(exponential), random));
    case Jitter::kDecorrelated: {
      const double base = previous.count() > 0 ? static_cast<double>(previous.count()) : initial;
      const double high = std::min(cap, base * std::max(1.0, multiplier));
      return Millis(
          uniform(static_cast<std::int64_t>(initial), static_cast<std::int64_t>(high), random));
    }
  }
  return Millis(static_cast<std::int64_t>(exponential));
}

void RetryPolicy::validate() const {
  if (initial_delay.count() < 0) throw std::invalid_argument("retry initial_delay is negative");
  if (max_delay < initial_delay) {
    throw std::invalid_argument("retry max_delay is smaller than initial_delay");
  }
  if (!(multiplier >= 1.0)) throw std::invalid_argument("retry multiplier must be >= 1");
  if (max_attempts < 0) throw std::invalid_argument("retry max_attempts is negative");
}

}  // namespace explainer::delivery

#include "delivery/retry_policy.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace explainer::delivery {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, WithoutJitterGrowsExponentiallyUpToTheCap) {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(100);
  policy.multiplier = 2.0;
  policy.max_delay = milliseconds(1000);
  policy.jitter = Jitter::kNone;
  std::mt19937_64 random(1);
  EXPECT_EQ(policy.delay(1, milliseconds(0), random), milliseconds(100));
  EXPECT_EQ(policy.delay(2, milliseconds(0), random), milliseconds(200));
  EXPECT_EQ(policy.delay(4, milliseconds(0), random), milliseconds(800));
  EXPECT_EQ(policy.delay(5, milliseconds(0), random), milliseconds(1000));
  EXPECT_EQ(policy.delay(500, milliseconds(0), random), milliseconds(1000));
}

TEST(RetryPolicy, FullJitterStaysWithinZeroAndTheExponentialDelay) {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(100);
  policy.max_delay = milliseconds(10'000);
  policy.jitter = Jitter::kFull;
  std::mt19937_64 random(7);
  bool varied = false;
  const auto first = policy.delay(3, milliseconds(0), random);
  for (int i = 0; i < 200; ++i) {
    const auto delay = policy.delay(3, milliseconds(0), random);
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay.count(), 400);
    varied = varied || delay != first;
  }
  EXPECT_TRUE(varied);
}

TEST(RetryPolicy, DecorrelatedJitterGrowsFromThePreviousDelayAndIsCapped) {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(100);
  policy.multiplier = 3.0;
  policy.max_delay = milliseconds(2000);
  policy.jitter = Jitter::kDecorrelated;
  std::mt19937_64 random(3);
  milliseconds previous(0);
  for (int failures = 1; failures < 50; ++failures) {
    const auto delay = policy.delay(failures, previous, random);
    EXPECT_GE(delay.count(), 100);
    EXPECT_LE(delay.count(),
              std::min<std::int64_t>(2000, std::max<std::int64_t>(300, previous.count() * 3)));
    previous = delay;
  }
}

TEST(RetryPolicy, MaxAttemptsZeroRetriesForever) {
  RetryPolicy policy;
  EXPECT_FALSE(policy.exhausted(1'000'000));
  policy.max_attempts = 3;
  EXPECT_FALSE(policy.exhausted(2));
  EXPECT_TRUE(policy.exhausted(3));
}

TEST(RetryPolicy, ValidateNamesTheBadField) {
  RetryPolicy policy;
  policy.multiplier = 0.5;
  EXPECT_THROW(policy.validate(), std::invalid_argument);
  policy = {};
  policy.max_delay = milliseconds(1);
  EXPECT_THROW(policy.validate(), std::invalid_argument);
  policy = {};
  EXPECT_NO_THROW(policy.validate());
}

}  // namespace
}  // namespace explainer::delivery

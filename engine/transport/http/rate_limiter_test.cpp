#include "transport/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace explainer::transport {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsABurstThenMakesTheClientWaitForTheRefill) {
  RateLimiter limiter(2.0, 3.0);  // 2 per second, burst 3
  const auto t0 = RateLimiter::Clock::time_point{} + 100s;
  EXPECT_EQ(limiter.acquire("10.0.0.1", t0), 0.0);
  EXPECT_EQ(limiter.acquire("10.0.0.1", t0), 0.0);
  EXPECT_EQ(limiter.acquire("10.0.0.1", t0), 0.0);
  EXPECT_DOUBLE_EQ(limiter.acquire("10.0.0.1", t0), 0.5);  // one token every 0.5 s
  EXPECT_EQ(limiter.acquire("10.0.0.2", t0), 0.0);         // another client has its own bucket
  EXPECT_DOUBLE_EQ(limiter.acquire("10.0.0.1", t0 + 250ms), 0.25);
  EXPECT_EQ(limiter.acquire("10.0.0.1", t0 + 500ms), 0.0);
  EXPECT_GT(limiter.acquire("10.0.0.1", t0 + 500ms), 0.0);
  // After a long pause the bucket is full again, but not fuller than the burst.
  const auto later = t0 + 60s;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.acquire("10.0.0.1", later), 0.0);
  EXPECT_GT(limiter.acquire("10.0.0.1", later), 0.0);
}

TEST(RateLimiter, ForgetsIdleClientsWhenTrackingTooMany) {
  RateLimiter limiter(1.0, 1.0, 2);
  const auto t0 = RateLimiter::Clock::time_point{} + 100s;
  EXPECT_EQ(limiter.acquire("a", t0), 0.0);
  EXPECT_EQ(limiter.acquire("b", t0), 0.0);
  EXPECT_EQ(limiter.acquire("c", t0 + 10s), 0.0);  // a and b are idle (full): forgotten
  EXPECT_GT(limiter.acquire("c", t0 + 10s), 0.0);  // c itself is still limited
}

TEST(RateLimiter, RefusesANonsensicalConfiguration) {
  EXPECT_THROW(RateLimiter(0, 1), std::invalid_argument);
  EXPECT_THROW(RateLimiter(1, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace explainer::transport

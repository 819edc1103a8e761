#include "store/work_notifier.h"

#include <gtest/gtest.h>

namespace explainer::store {
namespace {

TEST(WorkNotifier, CallsOnlyLiveSubscribersOfTheDestination) {
  WorkNotifier notifier;
  int a = 0;
  int b = 0;
  Subscription sa = notifier.subscribe("a", [&] { a++; });
  {
    Subscription sb = notifier.subscribe("b", [&] { b++; });
    notifier.notify("a");
    notifier.notify("b");
    notifier.notify("c");
  }
  notifier.notify("b");
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  Subscription moved = std::move(sa);
  notifier.notify("a");
  EXPECT_EQ(a, 2);
  moved.reset();
  notifier.notify("a");
  EXPECT_EQ(a, 2);
}

TEST(WorkNotifier, AThrowingCallbackDoesNotStopTheOthers) {
  WorkNotifier notifier;
  int calls = 0;
  Subscription bad = notifier.subscribe("a", [] { throw std::runtime_error("boom"); });
  Subscription good = notifier.subscribe("a", [&] { calls++; });
  EXPECT_NO_THROW(notifier.notify("a"));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace explainer::store

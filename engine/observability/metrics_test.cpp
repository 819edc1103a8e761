#include "observability/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/prometheus_text.h"

namespace explainer::observability {
namespace {

using test_support::parse_prometheus_text;

TEST(Metrics, CountersGaugesAndHistogramsRenderAsParseableText) {
  Registry registry;
  auto& received =
      registry.counter("explainer_test_received_total", "Messages received.", {"listener"});
  received.with({"ris"}).inc();
  received.with({"ris"}).inc(2);
  received.with({"pacs"}).inc();
  registry.gauge("explainer_test_depth", "Queue depth.", {"destination"}).with({"portal"}).set(7);
  auto& latency =
      registry.histogram("explainer_test_latency_seconds", "Latency.", {"listener"}, {0.1, 1, 10});
  latency.with({"ris"}).observe(0.05);
  latency.with({"ris"}).observe(0.5);
  latency.with({"ris"}).observe(100);

  const std::string text = registry.render();
  const auto parsed = parse_prometheus_text(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error << "\n" << text;
  EXPECT_EQ(parsed.families.at("explainer_test_received_total").type, "counter");
  EXPECT_EQ(parsed.families.at("explainer_test_latency_seconds").type, "histogram");
  EXPECT_EQ(parsed.sum("explainer_test_received_total", {{"listener", "ris"}}), 3);
  EXPECT_EQ(parsed.sum("explainer_test_received_total"), 4);
  EXPECT_EQ(parsed.sum("explainer_test_depth", {{"destination", "portal"}}), 7);
  EXPECT_EQ(parsed.sum("explainer_test_latency_seconds_bucket", {{"le", "0.1"}}), 1);
  EXPECT_EQ(parsed.sum("explainer_test_latency_seconds_bucket", {{"le", "1"}}), 2);
  EXPECT_EQ(parsed.sum("explainer_test_latency_seconds_bucket", {{"le", "10"}}), 2);
  EXPECT_EQ(parsed.sum("explainer_test_latency_seconds_bucket", {{"le", "+Inf"}}), 3);
  EXPECT_EQ(parsed.sum("explainer_test_latency_seconds_count"), 3);
  EXPECT_DOUBLE_EQ(parsed.sum("explainer_test_latency_seconds_sum"), 100.55);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry registry;
  registry.counter("explainer_test_total", "x", {"reason"})
      .with({"a \"quoted\" \\ back\nslash"})
      .inc();
  const auto parsed = parse_prometheus_text(registry.render());
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(parsed.sum("explainer_test_total", {{"reason", "a \"quoted\" \\ back\nslash"}}), 1);
}

TEST(Metrics, ResolvedChildrenAreStableAndCountConcurrentIncrementsExactly) {
  Registry registry;
  auto& family = registry.counter("explainer_test_total", "x", {"listener"});
  Counter& child = family.with({"ris"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family, &child, t] {
      for (int i = 0; i < 10000; ++i) {
        child.inc();
        family.with({"l" + std::to_string(i % 50)}).inc();  // creating children meanwhile
      }
      (void)t;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(&family.with({"ris"}), &child);
  EXPECT_EQ(child.value(), 40000u);
  EXPECT_EQ(family.with({"l0"}).value(), 800u);
}

TEST(Metrics, RegisteringANameTwiceReturnsTheSameFamilyOrRefusesAMismatch) {
  Registry registry;
  auto& a = registry.counter("explainer_test_total", "x", {"listener"});
  auto& b = registry.counter("explainer_test_total", "x", {"listener"});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(registry.gauge("explainer_test_total", "x", {"listener"}), std::logic_error);
  EXPECT_THROW(registry.counter("explainer_test_total", "x", {"other"}), std::logic_error);
  EXPECT_THROW(registry.counter("bad name", "x"), std::invalid_argument);
  EXPECT_THROW(a.with({"one", "two"}), std::invalid_argument);
}

TEST(Metrics, CollectorsRunAtScrapeTimeAndAFailingOneIsCounted) {
  Registry registry;
  auto& depth = registry.gauge("explainer_test_depth", "x", {"destination"});
  int calls = 0;
  registry.on_scrape([&] { depth.with({"portal"}).set(++calls); });
  registry.on_scrape([] { throw std::runtime_error("store down"); });
  registry.render();
  const auto parsed = parse_prometheus_text(registry.render());
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(parsed.sum("explainer_test_depth"), 2);
  EXPECT_EQ(parsed.sum("explainer_scrape_errors_total"), 2);
}

TEST(Metrics, ValuesAreFormattedAsPrometheusExpects) {
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(HUGE_VAL), "+Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
}

}  // namespace
}  // namespace explainer::observability

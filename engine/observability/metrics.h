// Metrics: a small Prometheus-style registry (counters, gauges, fixed-bucket histograms, all
// with labels) and its text exposition (format 0.0.4, what /metrics serves).
//
// Why our own: Debian 12 packages no C++ Prometheus client (no libprometheus-cpp-dev), and
// what we need is small: atomic cells, label children resolved once, one text writer.
//
// Cost model. A child (one label combination) is a stable object: resolve it once with
// Family::with() and keep the reference; Counter::inc(), Gauge::set() and
// Histogram::observe() are then lock-free atomic operations with no allocation. with() takes
// a shared (reader) lock for a child that exists and an exclusive lock only to create one;
// use it on the hot path only for labels that cannot be known in advance (finding ids,
// rejection reasons), where it costs one map lookup.
//
// Label values must never carry patient data: listener and destination names, finding ids,
// fixed reason codes only.
//
// Thread safety: everything may be called from any thread. Children live as long as the
// registry; references to them stay valid. Collectors (on_scrape) run on the scraping
// thread, one scrape at a time, before the text is written.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace explainer::observability {

// A monotonically increasing count. set() exists for counters mirrored from another
// component's own atomic totals at scrape time (never move a counter backwards).
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::uint64_t total) noexcept { value_.store(total, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double d) noexcept;
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed upper bounds (ascending, +Inf implied). observe() finds the bucket by binary search
// and increments one atomic; sum and count are kept alongside.
class Histogram {
 public:
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_->size() + 1
  std::atomic<double> sum_{0.0};
  std::atomic<std::uint64_t> count_{0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

// Common part of a family: name, help, label names, rendering.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  virtual MetricType type() const = 0;
  virtual void render(std::string& out) const = 0;

 protected:
  std::string label_text(const std::vector<std::string>& values, std::string_view extra_name = {},
                         std::string_view extra_value = {}) const;
  void check_arity(std::size_t n) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// All children of one metric name. with() returns the child for these label values (in the
// order of the family's label names), creating it at zero on first use.
template <class T>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names)),
        make_(std::move(make)) {}

  T& with(const std::vector<std::string>& values) {
    check_arity(values.size());
    {
      std::shared_lock lock(mutex_);
      const auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    std::unique_lock lock(mutex_);
    auto& slot = children_[values];
    if (!slot) slot = make_();
    return *slot;
  }
  T& with(std::initializer_list<std::string_view> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }

  MetricType type() const override;
  void render(std::string& out) const override;

 private:
  std::function<std::unique_ptr<T>()> make_;
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

// Defined in metrics.cpp, one per cell type.
template <>
MetricType Family<Counter>::type() const;
template <>
MetricType Family<Gauge>::type() const;
template <>
MetricType Family<Histogram>::type() const;
template <>
void Family<Counter>::render(std::string& out) const;
template <>
void Family<Gauge>::render(std::string& out) const;
template <>
void Family<Histogram>::render(std::string& out) const;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Default latency buckets, in seconds: 1 ms .. 60 s.
const std::vector<double>& latency_buckets_seconds();

class Registry {
 public:
  // Registering a name twice returns the first family (type and labels must match, else
  // std::logic_error). Names must match [a-zA-Z_:][a-zA-Z0-9_:]*.
  CounterFamily& counter(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {});
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names, std::vector<double> bounds);

  // Runs before every render(): copies values owned elsewhere (listener statistics, store
  // queue depths) into gauges and mirrored counters. Exceptions are caught and counted in
  // explainer_scrape_errors_total; the scrape still succeeds with the values it has.
  void on_scrape(std::function<void()> collector);

  // The text exposition (Content-Type: text/plain; version=0.0.4), families in
  // registration order.
  std::string render();

 private:
  FamilyBase* find(const std::string& name, MetricType type,
                   const std::vector<std::string>& labels);

  std::mutex mutex_;  // families_ and collectors_; render() holds scrape_mutex_ too
  std::mutex scrape_mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::vector<std::string>> family_labels_;
  std::vector<std::function<void()>> collectors_;
  Counter scrape_errors_;
};

// Formats a sample value as Prometheus does: integers without a fraction, +Inf/-Inf/NaN.
std::string format_value(double value);
// Escapes a label value (backslash, double quote, newline).
std::string escape_label_value(std::string_view value);

}  // namespace explainer::observability

#include "observability/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <stdexcept>

namespace explainer::observability {

void Gauge::add(double d) noexcept {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_->size() + 1]) {
  for (std::size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) noexcept {
  const auto& b = *bounds_;
  // First bound >= value (Prometheus buckets are "less than or equal").
  const auto index =
      static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  double current = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_->size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  // The +Inf bucket must equal the count; read buckets, not count_, so a concurrent
  // observe() cannot make them disagree within one scrape.
  s.count = running;
  return s;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

std::string escape_help(std::string_view help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + escape_help(help) + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

bool valid_name(const std::string& name) {
  static const std::regex pattern("[a-zA-Z_:][a-zA-Z0-9_:]*");
  return std::regex_match(name, pattern);
}

}  // namespace

std::string FamilyBase::label_text(const std::vector<std::string>& values,
                                   std::string_view extra_name,
                                   std::string_view extra_value) const {
  if (values.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += label_names_[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!values.empty()) out += ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  out += "}";
  return out;
}

void FamilyBase::check_arity(std::size_t n) const {
  if (n != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + " takes " +
                                std::to_string(label_names_.size()) + " label values, got " +
                                std::to_string(n));
  }
}

template <>
MetricType Family<Counter>::type() const {
  return MetricType::kCounter;
}
template <>
MetricType Family<Gauge>::type() const {
  return MetricType::kGauge;
}
template <>
MetricType Family<Histogram>::type() const {
  return MetricType::kHistogram;
}

template <>
void Family<Counter>::render(std::string& out) const {
  header(out, name_, help_, "counter");
  std::shared_lock lock(mutex_);
  for (const auto& [labels, child] : children_) {
    out += name_ + label_text(labels) + " " + std::to_string(child->value()) + "\n";
  }
}

template <>
void Family<Gauge>::render(std::string& out) const {
  header(out, name_, help_, "gauge");
  std::shared_lock lock(mutex_);
  for (const auto& [labels, child] : children_) {
    out += name_ + label_text(labels) + " " + format_value(child->value()) + "\n";
  }
}

template <>
void Family<Histogram>::render(std::string& out) const {
  header(out, name_, help_, "histogram");
  std::shared_lock lock(mutex_);
  for (const auto& [labels, child] : children_) {
    const auto snap = child->snapshot();
    const auto& bounds = child->bounds();
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      const std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
      out += name_ + "_bucket" + label_text(labels, "le", le) + " " +
             std::to_string(snap.cumulative[i]) + "\n";
    }
    out += name_ + "_sum" + label_text(labels) + " " + format_value(snap.sum) + "\n";
    out += name_ + "_count" + label_text(labels) + " " + std::to_string(snap.count) + "\n";
  }
}

const std::vector<double>& latency_buckets_seconds() {
  static const std::vector<double> buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                           0.5,   1,      2.5,   5,    10,    30,   60};
  return buckets;
}

FamilyBase* Registry::find(const std::string& name, MetricType type,
                           const std::vector<std::string>& labels) {
  for (std::size_t i = 0; i < families_.size(); ++i) {
    if (families_[i]->name() != name) continue;
    if (families_[i]->type() != type || family_labels_[i] != labels) {
      throw std::logic_error("metric " + name + " registered twice with different type or labels");
    }
    return families_[i].get();
  }
  if (!valid_name(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (const auto& l : labels) {
    if (!valid_name(l) || l == "le") throw std::invalid_argument("invalid label name '" + l + "'");
  }
  return nullptr;
}

CounterFamily& Registry::counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* f = find(name, MetricType::kCounter, label_names))
    return static_cast<CounterFamily&>(*f);
  family_labels_.push_back(label_names);
  families_.push_back(std::make_unique<CounterFamily>(name, help, std::move(label_names),
                                                      [] { return std::make_unique<Counter>(); }));
  return static_cast<CounterFamily&>(*families_.back());
}

GaugeFamily& Registry::gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* f = find(name, MetricType::kGauge, label_names)) return static_cast<GaugeFamily&>(*f);
  family_labels_.push_back(label_names);
  families_.push_back(std::make_unique<GaugeFamily>(name, help, std::move(label_names),
                                                    [] { return std::make_unique<Gauge>(); }));
  return static_cast<GaugeFamily&>(*families_.back());
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> bounds) {
  if (bounds.empty() || !std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end()) {
    throw std::invalid_argument("histogram " + name + " needs strictly ascending bucket bounds");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto* f = find(name, MetricType::kHistogram, label_names))
    return static_cast<HistogramFamily&>(*f);
  auto shared = std::make_shared<const std::vector<double>>(std::move(bounds));
  family_labels_.push_back(label_names);
  families_.push_back(
      std::make_unique<HistogramFamily>(name, help, std::move(label_names),
                                        [shared] { return std::make_unique<Histogram>(shared); }));
  return static_cast<HistogramFamily&>(*families_.back());
}

void Registry::on_scrape(std::function<void()> collector) {
  std::lock_guard<std::mutex> lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() {
  std::lock_guard<std::mutex> scrape(scrape_mutex_);
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    collectors = collectors_;
  }
  for (const auto& c : collectors) {
    try {
      c();
    } catch (...) {
      scrape_errors_.inc();
    }
  }
  std::string out;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& f : families_) f->render(out);
  header(out, "explainer_scrape_errors_total", "Collectors that failed during a /metrics scrape.",
         "counter");
  out += "explainer_scrape_errors_total " + std::to_string(scrape_errors_.value()) + "\n";
  return out;
}

}  // namespace explainer::observability

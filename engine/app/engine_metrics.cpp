#include "app/engine_metrics.h"

#include "core/clock.h"

namespace explainer::app {

namespace {

using observability::CounterFamily;
using observability::GaugeFamily;
using observability::HistogramFamily;
using observability::Registry;

// Every family, by name, help and labels. Registering one again returns the same family, so
// these double as lookups.
CounterFamily& received(Registry& r) {
  return r.counter(
      "explainer_messages_received_total",
      "Messages (HL7 v2 frames, FHIR requests that reached the intake) received, per listener.",
      {"listener"});
}
CounterFamily& accepted(Registry& r) {
  return r.counter("explainer_messages_accepted_total",
                   "Messages stored and positively acknowledged (AA/CA, HTTP 201), per listener.",
                   {"listener"});
}
CounterFamily& duplicates(Registry& r) {
  return r.counter("explainer_messages_duplicate_total",
                   "Repeats of a stored message: acknowledged, not delivered again, per listener.",
                   {"listener"});
}
CounterFamily& rejected(Registry& r) {
  return r.counter("explainer_messages_rejected_total",
                   "Messages refused (AR/CR, HTTP 4xx/5xx), per listener and reason.",
                   {"listener", "reason"});
}
CounterFamily& fallbacks(Registry& r) {
  return r.counter(
      "explainer_enrichment_fallbacks_total",
      "Destination copies delivered unenriched (fail open), per listener, destination and reason.",
      {"listener", "destination", "reason"});
}
CounterFamily& attached(Registry& r) {
  return r.counter("explainer_explanations_attached_total",
                   "Explanations attached to stored reports, per destination and finding id.",
                   {"destination", "finding"});
}
CounterFamily& held(Registry& r) {
  return r.counter(
      "explainer_explanations_held_total",
      "Explanations held back by policy (sensitive findings), per destination and finding id.",
      {"destination", "finding"});
}
CounterFamily& not_explained(Registry& r) {
  return r.counter(
      "explainer_findings_not_explained_total",
      "Findings mentioned but not explained, per destination and reason (negated, uncertain, "
      "hypothetical, historical, policy_skip, content_missing, ...).",
      {"destination", "reason"});
}
HistogramFamily& ack_latency(Registry& r) {
  return r.histogram(
      "explainer_ack_latency_seconds",
      "Time from a message received to its acknowledgement handed to the connection, per listener.",
      {"listener"}, observability::latency_buckets_seconds());
}
HistogramFamily& end_to_end(Registry& r) {
  return r.histogram(
      "explainer_end_to_end_latency_seconds",
      "Time from a report stored to its delivery accepted by the destination, per destination.",
      {"destination"},
      {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400});
}
CounterFamily& attempts(Registry& r) {
  return r.counter("explainer_delivery_attempts_total",
                   "Delivery attempts (sink calls), per destination.", {"destination"});
}
CounterFamily& delivered(Registry& r) {
  return r.counter("explainer_delivered_total",
                   "Deliveries the destination accepted, per destination.", {"destination"});
}
CounterFamily& failures(Registry& r) {
  return r.counter(
      "explainer_delivery_failures_total",
      "Delivery attempts that failed, per destination and kind (transient: retried; permanent: "
      "refused by the destination).",
      {"destination", "kind"});
}
CounterFamily& dead_letters(Registry& r) {
  return r.counter("explainer_dead_letters_total",
                   "Outbox items moved to dead-letter since start (refused, or retries exhausted), "
                   "per destination.",
                   {"destination"});
}
GaugeFamily& queue_depth(Registry& r) {
  return r.gauge("explainer_queue_depth",
                 "Outbox items pending delivery, per destination (from the store).",
                 {"destination"});
}
GaugeFamily& queue_oldest(Registry& r) {
  return r.gauge(
      "explainer_queue_oldest_age_seconds",
      "Age of the oldest pending outbox item, per destination; 0 when none (from the store).",
      {"destination"});
}
GaugeFamily& queue_dead(Registry& r) {
  return r.gauge("explainer_queue_dead_letters",
                 "Outbox items in dead-letter now, per destination (from the store).",
                 {"destination"});
}
GaugeFamily& connections_active(Registry& r) {
  return r.gauge("explainer_connections_active", "Connections being served, per MLLP listener.",
                 {"listener"});
}
CounterFamily& connections_refused(Registry& r) {
  return r.counter(
      "explainer_connections_refused_total",
      "Connections refused because the listener's max_connections was reached, per listener.",
      {"listener"});
}
CounterFamily& too_large(Registry& r) {
  return r.counter("explainer_too_large_total",
                   "MLLP frames or FHIR bodies over the listener's size limit, per listener.",
                   {"listener"});
}
CounterFamily& timeouts(Registry& r) {
  return r.counter(
      "explainer_connection_timeouts_total",
      "Connections closed by a timeout, per listener and kind (read: a frame did not complete in "
      "read_timeout_s; idle: no byte for idle_timeout_s).",
      {"listener", "kind"});
}
CounterFamily& rate_limited(Registry& r) {
  return r.counter(
      "explainer_rate_limited_total",
      "FHIR requests answered 429 because the client exceeded its request rate, per listener.",
      {"listener"});
}
CounterFamily& store_commits(Registry& r) {
  return r.counter("explainer_store_commits_total",
                   "Store write transactions committed (one commit may hold many messages).");
}
GaugeFamily& awaiting_review(Registry& r) {
  return r.gauge("explainer_explanations_awaiting_review",
                 "Explanations held by policy and neither released nor discarded yet "
                 "(explainer review list), from the store at every scrape.");
}
CounterFamily& reloads(Registry& r) {
  return r.counter("explainer_reloads_total",
                   "Mappings and content reloads (SIGHUP), per result (ok, failed).", {"result"});
}

}  // namespace

IntakeMetrics::IntakeMetrics(Registry& registry, const std::string& listener)
    : listener_(listener),
      received_(app::received(registry).with({listener})),
      accepted_(app::accepted(registry).with({listener})),
      duplicates_(app::duplicates(registry).with({listener})),
      rate_limited_(app::rate_limited(registry).with({listener})),
      too_large_(app::too_large(registry).with({listener})),
      read_timeouts_(app::timeouts(registry).with({listener, "read"})),
      ack_latency_(app::ack_latency(registry).with({listener})),
      rejected_(app::rejected(registry)),
      fallbacks_(app::fallbacks(registry)),
      attached_(app::attached(registry)),
      held_(app::held(registry)),
      not_explained_(app::not_explained(registry)) {}

void IntakeMetrics::rejected(const std::string& reason) {
  rejected_.with({listener_, reason}).inc();
}

void IntakeMetrics::fallback(const std::string& destination, const std::string& reason) {
  fallbacks_.with({listener_, destination, reason}).inc();
}

void IntakeMetrics::explanation_attached(const std::string& destination,
                                         const std::string& finding) {
  attached_.with({destination, finding}).inc();
}

void IntakeMetrics::explanation_held(const std::string& destination, const std::string& finding) {
  held_.with({destination, finding}).inc();
}

void IntakeMetrics::not_explained(const std::string& destination, const std::string& reason,
                                  int findings) {
  if (findings > 0)
    not_explained_.with({destination, reason}).inc(static_cast<std::uint64_t>(findings));
}

void IntakeMetrics::ack_latency(std::chrono::steady_clock::duration elapsed) {
  ack_latency_.observe(std::chrono::duration<double>(elapsed).count());
}

InstrumentedSink::InstrumentedSink(std::shared_ptr<delivery::Sink> inner, Registry& registry,
                                   const std::string& destination)
    : inner_(std::move(inner)),
      attempts_(attempts(registry).with({destination})),
      delivered_(app::delivered(registry).with({destination})),
      transient_(failures(registry).with({destination, "transient"})),
      permanent_(failures(registry).with({destination, "permanent"})),
      end_to_end_(app::end_to_end(registry).with({destination})) {}

core::DeliveryOutcome InstrumentedSink::deliver(const delivery::DeliveryItem& item) {
  attempts_.inc();
  core::DeliveryOutcome outcome;
  try {
    outcome = inner_->deliver(item);
  } catch (...) {
    transient_.inc();  // the worker retries a sink that throws
    throw;
  }
  switch (outcome.status) {
    case core::DeliveryStatus::kDelivered: {
      delivered_.inc();
      if (item.created_at_ms > 0) {
        const auto ms = core::SystemClock::instance().now_unix_ms() - item.created_at_ms;
        end_to_end_.observe(static_cast<double>(std::max<std::int64_t>(ms, 0)) / 1000.0);
      }
      break;
    }
    case core::DeliveryStatus::kRetry:
      transient_.inc();
      break;
    case core::DeliveryStatus::kPermanent:
      permanent_.inc();
      break;
  }
  return outcome;
}

EngineMetrics::EngineMetrics() {
  // Register every family up front, in documentation order, so a scrape shows them all.
  received(registry_);
  accepted(registry_);
  duplicates(registry_);
  rejected(registry_);
  ack_latency(registry_);
  fallbacks(registry_);
  attached(registry_);
  held(registry_);
  not_explained(registry_);
  queue_depth(registry_);
  queue_oldest(registry_);
  queue_dead(registry_);
  attempts(registry_);
  delivered(registry_);
  failures(registry_);
  dead_letters(registry_);
  end_to_end(registry_);
  connections_active(registry_);
  connections_refused(registry_);
  too_large(registry_);
  timeouts(registry_);
  rate_limited(registry_);
  store_commits(registry_);
  awaiting_review(registry_).with({});
  reloads(registry_);
  reloads(registry_).with({"ok"});
  reloads(registry_).with({"failed"});
}

std::shared_ptr<IntakeMetrics> EngineMetrics::intake(const std::string& listener) {
  return std::make_shared<IntakeMetrics>(registry_, listener);
}

void EngineMetrics::collect_listener(const std::string& listener,
                                     std::function<ListenerLimitStats()> stats, bool frame_stats) {
  auto& active = connections_active(registry_).with({listener});
  auto& refused = connections_refused(registry_).with({listener});
  auto& read = timeouts(registry_).with({listener, "read"});
  auto& idle = timeouts(registry_).with({listener, "idle"});
  auto& large = too_large(registry_).with({listener});
  registry_.on_scrape([=, &active, &refused, &read, &idle, &large] {
    const ListenerLimitStats s = stats();
    active.set(static_cast<double>(s.connections_active));
    refused.set(s.connections_refused);
    if (!frame_stats) return;
    read.set(s.read_timeouts);
    idle.set(s.idle_timeouts);
    large.set(s.frames_too_large);
  });
}

void EngineMetrics::collect_queues(
    std::function<std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>>()>
        pending_oldest_dead) {
  registry_.on_scrape([this, pending_oldest_dead] {
    for (const auto& [destination, pending, oldest_ms, dead] : pending_oldest_dead()) {
      queue_depth(registry_).with({destination}).set(static_cast<double>(pending));
      queue_oldest(registry_).with({destination}).set(static_cast<double>(oldest_ms) / 1000.0);
      queue_dead(registry_).with({destination}).set(static_cast<double>(dead));
    }
  });
}

void EngineMetrics::collect_dead_letters(
    std::function<std::map<std::string, std::uint64_t>()> dead_lettered) {
  registry_.on_scrape([this, dead_lettered] {
    for (const auto& [destination, n] : dead_lettered())
      dead_letters(registry_).with({destination}).set(n);
  });
}

void EngineMetrics::collect_store_commits(std::function<std::uint64_t()> commits) {
  auto& counter = store_commits(registry_).with({});
  registry_.on_scrape([commits, &counter] { counter.set(commits()); });
}

void EngineMetrics::collect_awaiting_review(std::function<std::int64_t()> held_count) {
  auto& gauge = awaiting_review(registry_).with({});
  registry_.on_scrape([held_count, &gauge] { gauge.set(static_cast<double>(held_count())); });
}

void EngineMetrics::reload(bool ok) {
  reloads(registry_).with({ok ? "ok" : "failed"}).inc();
}

}  // namespace explainer::app

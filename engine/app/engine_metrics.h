// The engine's metrics: every explainer_* family registered in one place (docs/METRICS.md
// lists them), per-listener handles the intakes call on their hot path, a Sink decorator
// that times delivery, and scrape-time collectors for what other components already count
// (listener statistics, delivery workers, store queue depths).
//
// Hot path: IntakeMetrics resolves its fixed children (received, accepted, duplicates, ACK
// latency) once at construction; only labels that vary per message (reason, destination,
// finding id) take a registry lookup, and only when that event happens.
//
// Label values are listener and destination names, finding ids and fixed reason codes:
// never patient data.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "delivery/sink.h"
#include "observability/metrics.h"

namespace explainer::app {

// What one listener's intake reports. Obtain from EngineMetrics::intake().
class IntakeMetrics {
 public:
  IntakeMetrics(observability::Registry& registry, const std::string& listener);

  void received() { received_.inc(); }
  void accepted() { accepted_.inc(); }
  void duplicate() { duplicates_.inc(); }
  // reason: "hl7_<code>" (ERR-3 condition), "oversize", "not_stored", "http_<status>_<issue>".
  void rejected(const std::string& reason);
  // A destination's copy went out unenriched (fail open) and why.
  void fallback(const std::string& destination, const std::string& reason);
  void explanation_attached(const std::string& destination, const std::string& finding);
  void explanation_held(const std::string& destination, const std::string& finding);
  void not_explained(const std::string& destination, const std::string& reason, int findings);
  // Receive -> acknowledgement handed to the connection.
  void ack_latency(std::chrono::steady_clock::duration elapsed);
  // Limits (FHIR endpoint; the MLLP listener's are collected from its statistics).
  void rate_limited() { rate_limited_.inc(); }
  void too_large() { too_large_.inc(); }
  void read_timeout() { read_timeouts_.inc(); }

  const std::string& listener() const { return listener_; }

 private:
  std::string listener_;
  observability::Counter& received_;
  observability::Counter& accepted_;
  observability::Counter& duplicates_;
  observability::Counter& rate_limited_;
  observability::Counter& too_large_;
  observability::Counter& read_timeouts_;
  observability::Histogram& ack_latency_;
  observability::CounterFamily& rejected_;
  observability::CounterFamily& fallbacks_;
  observability::CounterFamily& attached_;
  observability::CounterFamily& held_;
  observability::CounterFamily& not_explained_;
};

// Times one destination's deliveries and counts their outcomes; forwards to the real sink.
class InstrumentedSink final : public delivery::Sink {
 public:
  InstrumentedSink(std::shared_ptr<delivery::Sink> inner, observability::Registry& registry,
                   const std::string& destination);
  core::DeliveryOutcome deliver(const delivery::DeliveryItem& item) override;

 private:
  std::shared_ptr<delivery::Sink> inner_;
  observability::Counter& attempts_;
  observability::Counter& delivered_;
  observability::Counter& transient_;
  observability::Counter& permanent_;
  observability::Histogram& end_to_end_;
};

// Per listener transport statistics read at scrape time.
struct ListenerLimitStats {
  std::uint64_t connections_active = 0;
  std::uint64_t connections_refused = 0;
  std::uint64_t frames_too_large = 0;
  std::uint64_t read_timeouts = 0;
  std::uint64_t idle_timeouts = 0;
};

class EngineMetrics {
 public:
  EngineMetrics();
  observability::Registry& registry() { return registry_; }

  std::shared_ptr<IntakeMetrics> intake(const std::string& listener);

  // Mirrors a listener's transport counters into the limit families at every scrape. With
  // `frame_stats` false (FHIR) only active and refused connections are mirrored; the
  // intake's IntakeMetrics counts that listener's size-limit hits.
  void collect_listener(const std::string& listener, std::function<ListenerLimitStats()> stats,
                        bool frame_stats);
  // Queue depth, oldest pending age and dead letters per destination, from the store at
  // every scrape; and delivery workers' dead-letter totals.
  void collect_queues(
      std::function<
          std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>>()>
          pending_oldest_dead);
  void collect_dead_letters(std::function<std::map<std::string, std::uint64_t>()> dead_lettered);
  void collect_store_commits(std::function<std::uint64_t()> commits);
  // Explanations waiting for a clinician's decision (the store's held_count()), per scrape.
  void collect_awaiting_review(std::function<std::int64_t()> held_count);
  void reload(bool ok);

 private:
  observability::Registry registry_;
};

}  // namespace explainer::app

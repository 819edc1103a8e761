// Engine: the composition root. Builds the store, delivery workers, sinks and listeners from
// an EngineConfig and runs them.
//
// Lifecycle (one thread calls these, in order): open() -> start() -> stop(). stop() is also
// safe after a failed open()/start() and is idempotent. Shutdown order: listeners (MLLP and
// FHIR HTTP) stop accepting and finish the messages they are handling (each is committed and
// acknowledged, or not acknowledged at all); then delivery workers stop; then the store closes. Nothing
// acknowledged is lost: undelivered outbox rows are delivered after the next start.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/engine_metrics.h"
#include "app/fhir_intake.h"
#include "app/v2_intake.h"

namespace explainer::store {
class MessageStore;
}
namespace explainer::matching {
class RuleSetHolder;
}
namespace explainer::content {
class ContentLibraryHolder;
}
namespace explainer::delivery {
class DeliveryService;
}
namespace explainer::transport {
class MllpListener;
class FhirServer;
}
namespace explainer::observability {
class AdminServer;
struct Readiness;
}

namespace explainer::app {

class InstanceLock;

class Engine {
 public:
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads mappings and content (refusing invalid ones, naming file, line and reason) and opens
  // the store (migrating only when `upgrade`). On failure returns false with the reason.
  bool open(bool upgrade, std::string* error);
  // Reloads mappings and content (SIGHUP). Each is swapped only if it loads cleanly; messages
  // keep flowing on the previous snapshot meanwhile. False (with the reason) if either failed.
  bool reload(std::string* error);
  // Starts delivery workers and listeners; with the SQLite store, first takes the store's
  // instance lock (refusing when another explainerd holds it). On failure returns false
  // with the reason.
  bool start(std::string* error);
  void stop();

  // "listeners=ris@127.0.0.1:2575 destinations=portal(mllp),archive(file) store=sqlite:..."
  std::string describe() const;
  // Bound port of a listener, MLLP or FHIR (after start); 0 if unknown.
  std::uint16_t listener_port(const std::string& name) const;
  // Counters of an MLLP or FHIR listener's intake; zeros if unknown. (FHIR requests the
  // endpoint refused before the intake saw them, e.g. 400/401/415, are only logged.)
  IntakeCounters intake_counters(const std::string& listener) const;
  store::MessageStore* store() { return store_.get(); }

  // ---- Observability (app/engine_metrics.h, docs/METRICS.md). ----
  // The Prometheus text of every explainer_* metric (what GET /metrics serves). Between
  // start() and stop() only (empty otherwise); not concurrently with stop().
  std::string metrics_text();
  // Ready when started, mappings and content are loaded, and the store answers a cheap
  // query (and, for SQLite, its database file is still there). Reasons name what is wrong.
  observability::Readiness readiness();
  // Bound port of the admin endpoint (after start); 0 when disabled.
  std::uint16_t admin_port() const;

 private:
  bool load_mappings(std::string* error);
  bool load_content(std::string* error);

  EngineConfig config_;
  std::unique_ptr<matching::RuleSetHolder> rules_;
  std::unique_ptr<content::ContentLibraryHolder> content_;
  std::unique_ptr<store::MessageStore> store_;
  std::shared_ptr<V2Enricher> enricher_;
  std::shared_ptr<FhirEnricher> fhir_enricher_;
  std::unique_ptr<delivery::DeliveryService> delivery_;
  std::vector<std::shared_ptr<V2Intake>> intakes_;
  std::vector<std::unique_ptr<transport::MllpListener>> listeners_;
  std::vector<std::shared_ptr<FhirIntake>> fhir_intakes_;  // parallel to config_.fhir_listeners
  std::vector<std::unique_ptr<transport::FhirServer>> fhir_servers_;
  bool stopped_ = false;
  // SQLite: one daemon per store file, taken in start() (not in open(): --check-config and
  // `explainer queue` run beside a daemon). Released last in stop().
  std::unique_ptr<InstanceLock> instance_lock_;
  bool started_ = false;
  std::unique_ptr<EngineMetrics> metrics_;
  std::unique_ptr<observability::AdminServer> admin_;
  void register_collectors();
  // Housekeeping (retention purge) runs on its own thread until stop().
  void housekeeping_loop();
  std::thread housekeeping_;
  std::mutex housekeeping_mu_;
  std::condition_variable housekeeping_cv_;
  bool housekeeping_stop_ = false;
};

}  // namespace explainer::app

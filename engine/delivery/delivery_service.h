// DeliveryService: one DeliveryWorker per configured destination, started and stopped
// together. What the application wires: the store, and name -> (Sink, RetryPolicy).
//
// Thread safety: start()/stop() from the owning thread; counters() from any thread.
// The store must outlive the service; the service shares ownership of the sinks.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "delivery/delivery_worker.h"

namespace explainer::delivery {

struct DestinationConfig {
  std::string name;  // as used in OutboxEntry::destination
  std::shared_ptr<Sink> sink;
  RetryPolicy policy;
  // 1: strict FIFO. N > 1: up to N rows in flight at once, order not kept (DeliveryWorker);
  // make_sink then supplies the N-1 further sinks (a Sink serves one thread at a time).
  int parallelism = 1;
  std::function<std::shared_ptr<Sink>()> make_sink = nullptr;
};

class DeliveryService {
 public:
  // Throws std::invalid_argument for an empty or repeated name, a missing sink, an
  // invalid policy or parallelism (< 1, or > 1 without make_sink).
  DeliveryService(store::MessageStore& store, std::vector<DestinationConfig> destinations,
                  WorkerOptions options = {},
                  const core::Clock& clock = core::SystemClock::instance());
  ~DeliveryService();  // stop()
  DeliveryService(const DeliveryService&) = delete;
  DeliveryService& operator=(const DeliveryService&) = delete;

  void start();
  // Stops every worker (signals all first, then joins: one slow sink delays only itself).
  void stop();

  std::map<std::string, DeliveryCounters> counters() const;

 private:
  std::vector<DestinationConfig> destinations_;
  std::vector<std::shared_ptr<Sink>> extra_sinks_;  // the further slots' sinks
  std::vector<std::unique_ptr<DeliveryWorker>> workers_;
};

}  // namespace explainer::delivery

#include "delivery/delivery_service.h"

#include <set>
#include <stdexcept>
#include <thread>

namespace explainer::delivery {

DeliveryService::DeliveryService(store::MessageStore& store,
                                 std::vector<DestinationConfig> destinations, WorkerOptions options,
                                 const core::Clock& clock)
    : destinations_(std::move(destinations)) {
  std::set<std::string> names;
  for (const auto& destination : destinations_) {
    if (destination.name.empty())
      throw std::invalid_argument("delivery destination without a name");
    if (!names.insert(destination.name).second) {
      throw std::invalid_argument("delivery destination '" + destination.name +
                                  "' is configured twice");
    }
    if (!destination.sink) {
      throw std::invalid_argument("delivery destination '" + destination.name + "' has no sink");
    }
    if (destination.parallelism < 1 || (destination.parallelism > 1 && !destination.make_sink)) {
      throw std::invalid_argument("delivery destination '" + destination.name +
                                  "': parallelism needs >= 1, and a sink factory when > 1");
    }
    try {
      destination.policy.validate();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("delivery destination '" + destination.name + "': " + e.what());
    }
  }
  for (auto& destination : destinations_) {
    std::vector<Sink*> sinks{destination.sink.get()};
    for (int i = 1; i < destination.parallelism; ++i) {
      auto sink = destination.make_sink();
      if (!sink) {
        throw std::invalid_argument("delivery destination '" + destination.name +
                                    "': no sink made");
      }
      sinks.push_back(sink.get());
      extra_sinks_.push_back(std::move(sink));
    }
    workers_.push_back(std::make_unique<DeliveryWorker>(store, destination.name, std::move(sinks),
                                                        destination.policy, options, clock));
  }
}

DeliveryService::~DeliveryService() {
  stop();
}

void DeliveryService::start() {
  for (auto& worker : workers_) worker->start();
}

void DeliveryService::stop() {
  // Stop in parallel so each worker's in-flight deliver() overlaps with the others'.
  std::vector<std::thread> stoppers;
  for (auto& worker : workers_) {
    stoppers.emplace_back([&worker] { worker->stop(); });
  }
  for (auto& stopper : stoppers) stopper.join();
}

std::map<std::string, DeliveryCounters> DeliveryService::counters() const {
  std::map<std::string, DeliveryCounters> all;
  for (const auto& worker : workers_) all[worker->destination()] = worker->counters();
  return all;
}

}  // namespace explainer::delivery

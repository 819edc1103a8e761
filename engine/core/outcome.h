// Per-message outcomes are values, not exceptions. Exceptions are caught at every
// thread entry point and turned into one of these.
#pragma once

#include <string>
#include <utility>

namespace explainer::core {

// Result of trying to hand one message to a destination.
enum class DeliveryStatus {
  kDelivered,   // the peer accepted it (AA/CA, HTTP 2xx)
  kRetry,       // transient: network error, timeout, AE, HTTP 408/429/5xx
  kPermanent,   // the peer refused it for good (AR/CR, other HTTP 4xx): dead-letter
};

struct DeliveryOutcome {
  DeliveryStatus status = DeliveryStatus::kRetry;
  std::string detail;  // human-readable reason; never patient data

  static DeliveryOutcome delivered() { return {DeliveryStatus::kDelivered, {}}; }
  static DeliveryOutcome retry(std::string why) { return {DeliveryStatus::kRetry, std::move(why)}; }
  static DeliveryOutcome permanent(std::string why) {
    return {DeliveryStatus::kPermanent, std::move(why)};
  }
};

}  // namespace explainer::core

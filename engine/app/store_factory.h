// Opens the MessageStore that a configuration names (store.backend): the one place that
// knows the concrete backends, shared by explainerd (Engine) and `explainer queue`.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "store/message_store.h"

namespace explainer::app {

// Opens (creating when missing) the configured store; migrates an older schema only when
// `upgrade`. With `create` false a missing SQLite file is an error (operator commands must
// not leave an empty database behind a wrong path). Throws store::StoreError with an
// operator-readable reason (never the PostgreSQL connection string or password).
std::unique_ptr<store::MessageStore> open_configured_store(const StoreConfig& config, bool upgrade,
                                                           bool create = true);

// "sqlite path=/var/explainer/explainer.db synchronous=full" or
// "postgres schema=public instance=host:123": for start-up logs and errors; no secrets.
std::string describe_store(const StoreConfig& config);

}  // namespace explainer::app

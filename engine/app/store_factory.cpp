#include "app/store_factory.h"

#include <chrono>
#include <filesystem>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace explainer::app {

std::unique_ptr<store::MessageStore> open_configured_store(const StoreConfig& config, bool upgrade,
                                                           bool create) {
  if (config.backend == "postgres") {
    store::postgres::PostgresStoreOptions options;
    options.connection_string = config.postgres.connection;
    options.schema = config.postgres.schema;
    options.pool_size = static_cast<std::size_t>(config.postgres.pool_size);
    options.upgrade = upgrade;
    options.instance_id = config.postgres.instance_id;
    options.lease_duration = std::chrono::seconds(config.postgres.lease_seconds);
    return store::postgres::PostgresStore::open(options);
  }
  const auto parent = std::filesystem::path(config.sqlite_path).parent_path();
  if (create && !parent.empty()) {
    std::error_code ignored;  // open() reports what matters: the file cannot be created
    std::filesystem::create_directories(parent, ignored);
  }
  store::sqlite::SqliteStoreOptions options;
  options.path = config.sqlite_path;
  options.synchronous = config.synchronous == "normal" ? store::sqlite::Synchronous::kNormal
                                                       : store::sqlite::Synchronous::kFull;
  options.upgrade = upgrade;
  options.create = create;
  return store::sqlite::SqliteStore::open(options);
}

std::string describe_store(const StoreConfig& config) {
  if (config.backend == "postgres") {
    return "postgres schema=" +
           (config.postgres.schema.empty() ? std::string("(default)") : config.postgres.schema) +
           " pool_size=" + std::to_string(config.postgres.pool_size) +
           " lease_seconds=" + std::to_string(config.postgres.lease_seconds);
  }
  return "sqlite path=" + config.sqlite_path + " synchronous=" + config.synchronous;
}

}  // namespace explainer::app

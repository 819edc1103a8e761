// explainer queue status|list --dead|retry|purge: the operator's view of the outbox.
#include "app/cli_queue.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <ostream>

#include "app/cli_operator.h"
#include "app/config.h"
#include "core/clock.h"

namespace explainer::app {

namespace {

constexpr const char* kUsage =
    "usage: explainer queue COMMAND --config=FILE [--json]\n"
    "\n"
    "  status                      per destination: pending, oldest pending age, dead, last error\n"
    "  list --dead [--destination NAME]   dead-letter rows: id, destination, control id, "
    "attempts,\n"
    "                              age, reason\n"
    "  retry ID                    make dead row ID pending again (keeps its place in the FIFO)\n"
    "  retry --all-dead [--destination NAME]   the same for every dead row\n"
    "  purge ID                    delete dead row ID and its payload for good\n"
    "\n"
    "FILE is explainerd's configuration (.properties or .json); it names the store. Safe while\n"
    "explainerd runs: a running daemon picks up retried rows within a few seconds.\n";

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void json_string(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void json_int(JsonWriter& w, const char* key, std::int64_t value) {
  w.Key(key);
  w.Int64(value);
}

// Status rows: every destination with outbox rows, plus configured ones that have none yet.
std::vector<store::QueueStatus> status_rows(store::MessageStore& store, const EngineConfig& config,
                                            std::int64_t now_ms) {
  std::map<std::string, store::QueueStatus> by_name;
  for (const auto& d : config.destinations) by_name[d.name].destination = d.name;
  for (auto& s : store.queue_status(now_ms)) by_name[s.destination] = std::move(s);
  std::vector<store::QueueStatus> rows;
  for (auto& [name, s] : by_name) rows.push_back(std::move(s));
  return rows;
}

int print_status(store::MessageStore& store, const EngineConfig& config, bool json,
                 std::ostream& out) {
  const std::int64_t now_ms = core::SystemClock::instance().now_unix_ms();
  const auto rows = status_rows(store, config, now_ms);
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("destinations");
    w.StartArray();
    for (const auto& s : rows) {
      w.StartObject();
      json_string(w, "destination", s.destination);
      json_int(w, "pending", s.pending);
      json_int(w, "oldest_pending_age_ms", s.oldest_pending_age_ms);
      json_string(w, "oldest_pending_age", s.pending ? human_age(s.oldest_pending_age_ms) : "");
      json_int(w, "dead", s.dead);
      json_string(w, "last_error", s.last_error);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out << buffer.GetString() << "\n";
    return 0;
  }
  if (rows.empty()) {
    out << "No destinations and no queued messages.\n";
    return 0;
  }
  TextTable table({"DESTINATION", "PENDING", "OLDEST", "DEAD", "LAST ERROR"});
  for (const auto& s : rows) {
    table.add({s.destination, std::to_string(s.pending),
               s.pending ? human_age(s.oldest_pending_age_ms) : "-", std::to_string(s.dead),
               s.last_error.empty() ? "-" : one_line(s.last_error)});
  }
  table.print(out);
  return 0;
}

int print_dead(store::MessageStore& store, const std::string& destination, bool json,
               std::ostream& out) {
  const std::int64_t now_ms = core::SystemClock::instance().now_unix_ms();
  const auto rows = store.list_dead(destination);
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("dead");
    w.StartArray();
    for (const auto& r : rows) {
      w.StartObject();
      json_int(w, "id", r.id);
      json_int(w, "message_id", r.message_id);
      json_string(w, "destination", r.destination);
      json_string(w, "control_id", r.control_id);
      json_int(w, "attempts", r.attempts);
      json_int(w, "created_at_ms", r.created_at_ms);
      json_int(w, "age_ms", now_ms - r.created_at_ms);
      json_string(w, "age", human_age(now_ms - r.created_at_ms));
      json_string(w, "reason", r.last_error);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out << buffer.GetString() << "\n";
    return 0;
  }
  if (rows.empty()) {
    out << "No dead-letter rows" << (destination.empty() ? "" : " for " + destination) << ".\n";
    return 0;
  }
  TextTable table({"ID", "DESTINATION", "CONTROL ID", "ATTEMPTS", "AGE", "REASON"});
  for (const auto& r : rows) {
    table.add({std::to_string(r.id), r.destination, r.control_id, std::to_string(r.attempts),
               human_age(now_ms - r.created_at_ms), one_line(r.last_error)});
  }
  table.print(out);
  return 0;
}

}  // namespace

int cli_queue(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  const bool help = opts.flag("help");
  const bool json = opts.flag("json");
  const bool dead = opts.flag("dead");
  const bool all_dead = opts.flag("all-dead");
  std::string config_file, destination;
  const bool has_config = opts.value("config", config_file);
  const bool has_destination = opts.value("destination", destination);
  const auto positional = opts.positional();
  if (help) {
    out << kUsage;
    return 0;
  }
  const std::string unknown = opts.unknown_option();
  if (!unknown.empty() || positional.empty()) {
    if (!unknown.empty()) err << "explainer queue: unknown option '" << unknown << "'\n";
    err << kUsage;
    return 2;
  }
  const std::string command = positional.front();
  const std::vector<std::string> rest(positional.begin() + 1, positional.end());
  auto usage_error = [&](const std::string& why) {
    err << "explainer queue " << command << ": " << why << "\n" << kUsage;
    return 2;
  };

  // Validate the command line completely before touching the store.
  std::optional<store::OutboxId> id;
  if (command == "status") {
    if (!rest.empty() || dead || all_dead || has_destination)
      return usage_error("takes no arguments");
  } else if (command == "list") {
    if (!dead) return usage_error("only 'list --dead' is supported");
    if (!rest.empty() || all_dead) return usage_error("unexpected argument");
  } else if (command == "retry") {
    if (all_dead) {
      if (!rest.empty()) return usage_error("give either ID or --all-dead");
    } else {
      if (rest.size() != 1 || !(id = parse_row_id(rest.front())))
        return usage_error("needs one row ID or --all-dead");
      if (has_destination) return usage_error("--destination goes with --all-dead");
    }
    if (dead || json) return usage_error("unexpected option");
  } else if (command == "purge") {
    if (rest.size() != 1 || !(id = parse_row_id(rest.front()))) return usage_error("needs one row ID");
    if (dead || all_dead || json || has_destination) return usage_error("unexpected option");
  } else {
    err << "explainer queue: unknown command '" << command << "'\n" << kUsage;
    return 2;
  }
  if (!has_config || config_file.empty()) return usage_error("--config=FILE is required");

  EngineConfig config;
  const auto store = open_operator_context("queue", config_file, config, err);
  if (!store) return 1;

  try {
    if (command == "status") return print_status(*store, config, json, out);
    if (command == "list") return print_dead(*store, destination, json, out);
    if (command == "retry" && all_dead) {
      const std::int64_t n = store->retry_all_dead(destination);
      out << "Retrying " << n << " dead row" << (n == 1 ? "" : "s")
          << (destination.empty() ? "" : " of " + destination) << ".\n";
      return 0;
    }
    if (command == "retry") {
      if (!store->retry_dead(*id)) {
        err << "explainer queue retry: row " << *id
            << " is not a dead-letter row (see 'queue list --dead')\n";
        return 1;
      }
      out << "Row " << *id << " is pending again.\n";
      return 0;
    }
    if (!store->purge(*id)) {
      err << "explainer queue purge: row " << *id
          << " is not a dead-letter row (see 'queue list --dead')\n";
      return 1;
    }
    out << "Row " << *id << " purged.\n";
    return 0;
  } catch (const store::StoreError& e) {
    err << "explainer queue " << command << ": store error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace explainer::app

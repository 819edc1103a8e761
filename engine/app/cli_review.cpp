#include "app/cli_review.h"

#include <Poco/Exception.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <ostream>

#include "app/cli_operator.h"
#include "app/review_release.h"
#include "content/library.h"
#include "core/clock.h"

namespace explainer::app {

namespace {

constexpr const char* kUsage =
    "usage: explainer review COMMAND --config=FILE\n"
    "\n"
    "  list [--all] [--json]        held explanations: id, age, finding, content, language,\n"
    "                               destinations, accession (--all: also decided ones)\n"
    "  release ID [--by NAME]       send explanation ID as a follow-up (HL7 v2: MDM^T02;\n"
    "                               FHIR: DocumentReference) to the destinations it was held from\n"
    "  discard ID [--by NAME] [--reason TEXT]   never send explanation ID\n"
    "\n"
    "FILE is explainerd's configuration (.properties or .json). Safe while explainerd runs: its\n"
    "delivery workers send released follow-ups within a few seconds. NAME defaults to $USER.\n"
    "The list shows accession numbers: for authorised operators only.\n";

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void json_string(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void json_int(JsonWriter& w, const char* key, std::int64_t value) {
  w.Key(key);
  w.Int64(value);
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// Accession numbers come from the message; keep the table printable.
std::string printable(const std::string& text) {
  std::string out = one_line(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, '?');
  return out;
}

int print_list(store::MessageStore& store, bool all, bool json, std::ostream& out) {
  const std::int64_t now_ms = core::SystemClock::instance().now_unix_ms();
  const auto items = store.list_held(all);
  if (json) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("held");
    w.StartArray();
    for (const auto& item : items) {
      w.StartObject();
      json_int(w, "id", item.id);
      json_int(w, "message_id", item.message_id);
      json_string(w, "state", store::to_string(item.state));
      json_int(w, "created_at_ms", item.created_at_ms);
      json_int(w, "age_ms", now_ms - item.created_at_ms);
      json_string(w, "age", human_age(now_ms - item.created_at_ms));
      json_string(w, "finding_id", item.entry.finding_id);
      json_string(w, "content_id", item.entry.content_id);
      json_string(w, "content_version", item.entry.content_version);
      json_string(w, "language", item.entry.language);
      w.Key("destinations");
      w.StartArray();
      for (const auto& d : item.entry.destinations) w.String(d.c_str());
      w.EndArray();
      json_string(w, "accession", printable(item.entry.accession));
      json_int(w, "report_index", item.entry.report_index);
      json_string(w, "report_id", item.entry.report_id);
      json_string(w, "control_id", item.control_id);
      json_string(w, "format", item.format);
      if (item.state != store::HeldState::kHeld) {
        json_int(w, "decided_at_ms", item.decided_at_ms);
        json_string(w, "decided_by", item.decided_by);
        json_string(w, "reason", item.reason);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out << buffer.GetString() << "\n";
    return 0;
  }
  if (items.empty()) {
    out << (all ? "No held explanations recorded.\n" : "No explanations are held for review.\n");
    return 0;
  }
  std::vector<std::string> header = {"ID",       "AGE",          "FINDING",  "CONTENT",
                                     "LANGUAGE", "DESTINATIONS", "ACCESSION"};
  if (all) {
    header.insert(header.begin() + 1, "STATE");
    header.push_back("DECIDED BY");
  }
  TextTable table(header);
  for (const auto& item : items) {
    std::vector<std::string> row = {std::to_string(item.id),
                                    human_age(now_ms - item.created_at_ms),
                                    item.entry.finding_id,
                                    item.entry.content_id + "@" + item.entry.content_version,
                                    item.entry.language,
                                    joined(item.entry.destinations),
                                    printable(item.entry.accession)};
    if (all) {
      row.insert(row.begin() + 1, store::to_string(item.state));
      row.push_back(item.decided_by.empty() ? "-" : printable(item.decided_by));
    }
    table.add(std::move(row));
  }
  table.print(out);
  return 0;
}

std::string default_operator() {
  for (const char* name : {"EXPLAINER_OPERATOR", "SUDO_USER", "USER", "LOGNAME"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  return "unknown";
}

std::string already_decided(const store::HeldItem& item) {
  return "explanation " + std::to_string(item.id) + " was already " + store::to_string(item.state) +
         (item.decided_by.empty() ? "" : " by " + printable(item.decided_by)) + "; nothing sent";
}

int release(store::MessageStore& store, const EngineConfig& config, store::HeldId id,
            const std::string& by, std::ostream& out, std::ostream& err) {
  const auto item = store.find_held(id);
  if (!item) {
    err << "explainer review release: no held explanation " << id << " (see 'review list')\n";
    return 1;
  }
  if (item->state != store::HeldState::kHeld) {
    err << "explainer review release: " << already_decided(*item) << "\n";
    return 1;
  }
  const auto original = store.message_payload(item->message_id);
  if (!original) {
    err << "explainer review release: the report of explanation " << id << " is no longer stored\n";
    return 1;
  }
  auto loaded = content::ContentLibrary::load(config.content_dir);
  if (!loaded.ok()) {
    err << "explainer review release: the content library in " << config.content_dir
        << " does not load cleanly (run 'explainer content lint')\n";
    return 1;
  }
  const ReleasePlan plan = plan_release(*item, *original, config, *loaded.library,
                                        core::SystemClock::instance().now_unix_ms());
  for (const auto& note : plan.notes) err << "explainer review release: note: " << note << "\n";
  if (!plan.error.empty()) {
    err << "explainer review release: nothing sent: " << plan.error << "\n";
    return 1;
  }
  std::vector<std::string> destinations;
  for (const auto& f : plan.follow_ups) destinations.push_back(f.destination);
  switch (store.release_held(id, by, plan.follow_ups)) {
    case store::HeldDecision::kDone:
      out << "Released explanation " << id << " (" << item->entry.content_id << ") by " << by
          << ": follow-up "
          << (item->format == "hl7v2" ? "MDM^T02 " + plan.control_id : std::string("Bundle"))
          << " queued for " << joined(destinations) << ".\n";
      return 0;
    case store::HeldDecision::kAlreadyDecided: {
      const auto now = store.find_held(id);
      err << "explainer review release: " << already_decided(now.value_or(*item)) << "\n";
      return 1;
    }
    case store::HeldDecision::kNotFound:
      err << "explainer review release: explanation " << id << " vanished meanwhile\n";
      return 1;
  }
  return 1;
}

int discard(store::MessageStore& store, store::HeldId id, const std::string& by,
            const std::string& reason, std::ostream& out, std::ostream& err) {
  switch (store.discard_held(id, by, reason)) {
    case store::HeldDecision::kDone:
      out << "Discarded explanation " << id << " by " << by << "; nothing will be sent.\n";
      return 0;
    case store::HeldDecision::kAlreadyDecided: {
      const auto item = store.find_held(id);
      err << "explainer review discard: "
          << (item ? already_decided(*item) : "explanation already decided") << "\n";
      return 1;
    }
    case store::HeldDecision::kNotFound:
      err << "explainer review discard: no held explanation " << id << " (see 'review list')\n";
      return 1;
  }
  return 1;
}

}  // namespace

int cli_review(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  const bool help = opts.flag("help");
  const bool json = opts.flag("json");
  const bool all = opts.flag("all");
  std::string config_file, by, reason;
  const bool has_config = opts.value("config", config_file);
  const bool has_by = opts.value("by", by);
  const bool has_reason = opts.value("reason", reason);
  const auto positional = opts.positional();
  if (help) {
    out << kUsage;
    return 0;
  }
  const std::string unknown = opts.unknown_option();
  if (!unknown.empty() || positional.empty()) {
    if (!unknown.empty()) err << "explainer review: unknown option '" << unknown << "'\n";
    err << kUsage;
    return 2;
  }
  const std::string command = positional.front();
  const std::vector<std::string> rest(positional.begin() + 1, positional.end());
  auto usage_error = [&](const std::string& why) {
    err << "explainer review " << command << ": " << why << "\n" << kUsage;
    return 2;
  };
  std::optional<store::HeldId> id;
  if (command == "list") {
    if (!rest.empty() || has_by || has_reason) return usage_error("unexpected argument");
  } else if (command == "release" || command == "discard") {
    if (rest.size() != 1 || !(id = parse_row_id(rest.front())))
      return usage_error("needs one explanation ID (see 'review list')");
    if (json || all) return usage_error("unexpected option");
    if (command == "release" && has_reason) return usage_error("--reason goes with discard");
    if (has_by && by.empty()) return usage_error("--by needs a name");
  } else {
    err << "explainer review: unknown command '" << command << "'\n" << kUsage;
    return 2;
  }
  if (!has_config || config_file.empty()) return usage_error("--config=FILE is required");
  if (!has_by) by = default_operator();

  EngineConfig config;
  const auto store = open_operator_context("review", config_file, config, err);
  if (!store) return 1;
  try {
    if (command == "list") return print_list(*store, all, json, out);
    if (command == "release") return release(*store, config, *id, by, out, err);
    return discard(*store, *id, by, reason, out, err);
  } catch (const store::StoreError& e) {
    err << "explainer review " << command << ": store error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace explainer::app

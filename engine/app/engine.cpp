#include "app/engine.h"

#include <Poco/Exception.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "app/fhir_sink.h"
#include "app/instance_lock.h"
#include "app/letter_sink.h"
#include "app/mllp_sink.h"
#include "app/store_factory.h"
#include "content/library.h"
#include "core/log.h"
#include "delivery/delivery_service.h"
#include "delivery/file_sink.h"
#include "enrich/fhir_enricher.h"
#include "enrich/v2_enricher.h"
#include "matching/rule_holder.h"
#include "observability/admin_server.h"
#include "transport/http/fhir_server.h"
#include "transport/mllp_listener.h"

namespace explainer::app {

namespace {

core::Logger& logger() {
  static core::Logger log = core::make_logger("app");
  return log;
}

// TLS without verifying the server is allowed only when configured explicitly; say so.
void warn_if_unverified(const DestinationConfig& d) {
  if (!d.tls) return;
  if (!d.tls->verify_peer) {
    EXPLAINER_LOG(logger(), warning)
        << "tls_verification_disabled destination=" << d.name
        << " reason=destination." << d.name
        << ".tls.verify_peer=false: the server's certificate is NOT checked; anyone able to "
           "intercept the connection can impersonate the server";
  } else if (!d.tls->verify_hostname) {
    EXPLAINER_LOG(logger(), warning)
        << "tls_hostname_check_disabled destination=" << d.name << " reason=destination."
        << d.name << ".tls.verify_hostname=false: any certificate from the trusted CAs is accepted";
  }
}

// What the v2 and FHIR adapters report alike: counts, reason, and finding ids for metrics.
// Per-finding lines are debug: they tie a finding to a message id, i.e. health data to
// something a RIS can resolve to a patient. At info, message_accepted carries the counts.
// `id_key` and `id_of(item)` name what each line is about ("control_id" of the message, or
// "report_id" of the item's report in a FHIR Bundle).
template <typename Result, typename Outcome, typename IdOf>
void record_common(const Result& result, const char* id_key, IdOf id_of,
                   const std::string& destination, Outcome& outcome) {
  outcome.explanations = static_cast<int>(result.added.size());
  outcome.reason = result.reason;
  outcome.not_explained = result.not_explained;
  for (const auto& a : result.added) {
    outcome.attached_findings.push_back(a.finding_id);
    EXPLAINER_LOG(logger(), debug) << "explanation_attached " << id_key << "=" << id_of(a)
                                   << " destination=" << destination << " finding=" << a.finding_id
                                   << " content=" << a.content_id << "@" << a.version
                                   << " language=" << a.language << " review=" << a.review_status
                                   << (a.used_fallback ? " fallback_language=yes" : "");
  }
  for (const auto& h : result.held) {
    outcome.held_findings.push_back(h.finding_id);
    EXPLAINER_LOG(logger(), debug) << "explanation_held " << id_key << "=" << id_of(h)
                                   << " destination=" << destination << " finding=" << h.finding_id
                                   << " content=" << h.content_id << "@" << h.version;
  }
}

// A held explanation as the store keeps it (the intake fills in its destinations).
template <typename Held>
store::HeldEntry held_entry(const Held& h, int report_index, std::string report_id) {
  store::HeldEntry entry;
  entry.report_index = report_index;
  entry.report_id = std::move(report_id);
  entry.accession = h.accession;
  entry.finding_id = h.finding_id;
  entry.content_id = h.content_id;
  entry.content_version = h.version;
  entry.language = h.language;
  return entry;
}

// Adapts the enrich library to the intake's interface, one form per destination.
class EnricherAdapter final : public V2Enricher {
 public:
  EnricherAdapter(const matching::RuleSetHolder& rules, const content::ContentLibraryHolder& content,
                  enrich::Policy policy)
      : enricher_(rules, content, std::move(policy)) {}

  EnrichmentOutcome enrich(const hl7v2::Message& message, const std::vector<core::ReportView>& reports,
                           const IntakeDestination& destination) override {
    const auto form = destination.obx_format == ObxFormat::kEncapsulatedHtml
                          ? enrich::V2Form::kEncapsulatedHtml
                          : enrich::V2Form::kFormattedText;
    auto result = enricher_.enrich(message, reports, form);
    EnrichmentOutcome outcome;
    outcome.payload = std::move(result.payload);
    const std::string& control_id = message.header().control_id;
    record_common(result, "control_id", [&](const auto&) -> const std::string& { return control_id; },
                  destination.name, outcome);
    for (const auto& h : result.held) outcome.held.push_back(held_entry(h, h.group_index, ""));
    return outcome;
  }

 private:
  enrich::V2Enricher enricher_;
};

// Adapts engine/enrich's FHIR enricher to the FHIR intake's interface, one form per
// destination. The intake serialises the document in the destination's format.
class FhirEnricherAdapter final : public FhirEnricher {
 public:
  FhirEnricherAdapter(const matching::RuleSetHolder& rules, const content::ContentLibraryHolder& content,
                      enrich::Policy policy)
      : enricher_(rules, content, std::move(policy)) {}

  FhirEnrichmentOutcome enrich(const fhir::Element& document, const std::vector<extract::FhirReport>& reports,
                               const FhirIntakeDestination& destination) override {
    enrich::FhirEnrichOptions options;
    options.mode = destination.mode == FhirMode::kContained ? enrich::FhirMode::kContained
                                                            : enrich::FhirMode::kTransactionBundle;
    options.format = std::nullopt;
    auto result = enricher_.enrich(document, reports, options);
    FhirEnrichmentOutcome outcome;
    outcome.document = std::move(result.document);
    record_common(result, "report_id", [](const auto& item) -> const std::string& { return item.report_id; },
                  destination.name, outcome);
    for (const auto& h : result.held) outcome.held.push_back(held_entry(h, h.report_index, h.report_id));
    return outcome;
  }

 private:
  enrich::FhirEnricher enricher_;
};

enrich::Policy policy_from(const EngineConfig& config) {
  enrich::Policy policy;
  policy.default_language = config.default_language;
  policy.require_approved = config.require_approved;
  policy.routine = enrich::parse_action(config.policy_routine);
  policy.follow_up = enrich::parse_action(config.policy_follow_up);
  policy.sensitive = enrich::parse_action(config.policy_sensitive);
  return policy;
}

// Whether a listener of `listener_type` whose destination list is `names` feeds `d`: the
// listed ones, or (empty list) every destination of a type it can feed.
bool feeds(const std::vector<std::string>& names, const std::string& listener_type,
           const DestinationConfig& d) {
  if (!listener_can_feed(listener_type, d.type)) return false;
  return names.empty() || std::find(names.begin(), names.end(), d.name) != names.end();
}

}  // namespace

Engine::Engine(EngineConfig config)
    : config_(std::move(config)), metrics_(std::make_unique<EngineMetrics>()) {}

Engine::~Engine() { stop(); }

bool Engine::load_mappings(std::string* error) {
  const auto result = rules_->reload(config_.mappings_dir);
  if (!result.ok()) {
    std::string text = "invalid mappings in " + config_.mappings_dir + ":";
    for (const auto& e : result.errors) text += "\n  " + e.file + ":" + std::to_string(e.line) + ": " + e.reason;
    if (result.errors.empty()) text += " no rules loaded";
    *error = text;
    return false;
  }
  return true;
}

bool Engine::load_content(std::string* error) {
  auto loaded = content::ContentLibrary::load(config_.content_dir);
  if (!loaded.ok()) {
    std::string text = "invalid content in " + config_.content_dir + ":";
    for (const auto& p : loaded.problems) text += "\n  " + content::format_problem(p);
    *error = text;
    return false;
  }
  content_->replace(loaded.library);
  return true;
}

bool Engine::reload(std::string* error) {
  if (!rules_ || !content_) {
    *error = "reload before open";
    return false;
  }
  std::string mappings_error, content_error;
  const bool mappings_ok = load_mappings(&mappings_error);
  const bool content_ok = load_content(&content_error);
  metrics_->reload(mappings_ok && content_ok);
  if (mappings_ok && content_ok) return true;
  *error = mappings_error + (mappings_error.empty() || content_error.empty() ? "" : "\n") + content_error;
  return false;
}

bool Engine::open(bool upgrade, std::string* error) {
  rules_ = std::make_unique<matching::RuleSetHolder>();
  content_ = std::make_unique<content::ContentLibraryHolder>();
  if (!load_mappings(error) || !load_content(error)) return false;
  const enrich::Policy policy = policy_from(config_);
  enricher_ = std::make_shared<EnricherAdapter>(*rules_, *content_, policy);
  fhir_enricher_ = std::make_shared<FhirEnricherAdapter>(*rules_, *content_, policy);
  try {
    store_ = open_configured_store(config_.store, upgrade);
  } catch (const std::exception& e) {
    *error = std::string("cannot open the store: ") + e.what();
    return false;
  }
  return true;
}

bool Engine::start(std::string* error) {
  if (!store_) {
    *error = "start() before a successful open()";
    return false;
  }
  if (config_.store.backend == "sqlite" && !instance_lock_) {
    instance_lock_ = InstanceLock::acquire(config_.store.sqlite_path + ".lock", error);
    if (!instance_lock_) return false;
  }
  std::vector<delivery::DestinationConfig> destinations;
  delivery::RetryPolicy policy;
  policy.initial_delay = std::chrono::milliseconds(config_.retry.initial_ms);
  policy.max_delay = std::chrono::milliseconds(config_.retry.max_ms);
  policy.multiplier = config_.retry.multiplier;
  policy.max_attempts = config_.retry.max_attempts;
  try {
    for (const auto& d : config_.destinations) {
      warn_if_unverified(d);
      // One Sink per delivery slot (destination.<name>.parallelism); a Sink serves one thread.
      auto make_sink = [this, d, policy_for_letters = policy_from(config_)]()
          -> std::shared_ptr<delivery::Sink> {
        if (d.type == "mllp") {
          transport::MllpClientConfig client;
          client.host = d.host;
          client.port = d.port;
          client.connect_timeout = std::chrono::seconds(d.connect_timeout_s);
          client.tls = d.tls;
          return std::make_shared<MllpSink>(client, std::chrono::seconds(d.ack_timeout_s));
        }
        if (d.type == "fhir") {
          FhirSinkOptions fhir;
          fhir.base_url = d.base_url;
          fhir.bearer_token = d.bearer_token;
          fhir.user = d.user;
          fhir.password = d.password;
          fhir.timeout = std::chrono::seconds(d.timeout_s);
          if (d.tls) fhir.tls = *d.tls;
          return std::make_shared<FhirSink>(fhir);
        }
        if (d.type == "letter") {
          LetterSinkOptions letter;
          letter.directory = d.path;
          letter.chromium = d.chromium;
          letter.pdf_timeout = std::chrono::seconds(d.pdf_timeout_s);
          letter.policy = policy_for_letters;
          letter.extract.released_statuses = config_.released_statuses;
          return std::make_shared<LetterSink>(letter, *rules_, *content_);
        }
        delivery::FileSinkOptions file;
        file.directory = d.path;
        return std::make_shared<delivery::FileSink>(file);
      };
      // Every slot's sink is counted under the destination's name (delivery metrics).
      auto make_instrumented_sink = [this, make_sink, name = d.name]() -> std::shared_ptr<delivery::Sink> {
        return std::make_shared<InstrumentedSink>(make_sink(), metrics_->registry(), name);
      };
      delivery::DestinationConfig destination;
      destination.name = d.name;
      destination.sink = make_instrumented_sink();
      destination.policy = policy;
      destination.parallelism = d.parallelism;
      destination.make_sink = make_instrumented_sink;
      destinations.push_back(std::move(destination));
    }
    delivery_ = std::make_unique<delivery::DeliveryService>(*store_, std::move(destinations));
    delivery_->start();

    for (const auto& l : config_.mllp_listeners) {
      V2IntakeOptions options;
      options.listener_name = l.name;
      options.wrong_type = l.wrong_type;
      options.extract.released_statuses = config_.released_statuses;
      options.metrics = metrics_->intake(l.name);
      for (const auto& d : config_.destinations) {
        if (!feeds(l.destinations, "mllp", d)) continue;
        // A letter destination gets the report as received: its sink writes the letter.
        options.destinations.push_back({d.name, d.enrich && d.type != "letter", d.obx_format});
      }
      auto intake = std::make_shared<V2Intake>(std::move(options), *store_, enricher_);
      transport::MllpListenerConfig lc;
      lc.name = l.name;
      lc.bind_address = l.bind;
      lc.port = l.port;
      lc.max_connections = static_cast<std::size_t>(l.max_connections);
      lc.max_frame_bytes = l.max_frame_bytes;
      lc.read_timeout = std::chrono::seconds(l.read_timeout_s);
      lc.idle_timeout = std::chrono::seconds(l.idle_timeout_s);
      lc.tls = l.tls;
      auto listener = std::make_unique<transport::MllpListener>(lc, intake);
      listener->start();
      intakes_.push_back(intake);
      listeners_.push_back(std::move(listener));
    }

    for (const auto& l : config_.fhir_listeners) {
      FhirIntakeOptions options;
      options.extract.released_statuses = config_.fhir_released_statuses;
      options.listener_name = l.name;
      const std::shared_ptr<IntakeMetrics> listener_metrics = metrics_->intake(l.name);
      options.metrics = listener_metrics;
      for (const auto& d : config_.destinations) {
        if (!feeds(l.destinations, "fhir", d)) continue;
        FhirIntakeDestination destination;
        destination.name = d.name;
        destination.enrich = d.enrich;
        destination.mode = d.fhir_mode;
        if (d.type == "fhir") {
          destination.format = d.format == "xml" ? transport::FhirFormat::kXml : transport::FhirFormat::kJson;
        }
        options.destinations.push_back(std::move(destination));
      }
      auto intake = std::make_shared<FhirIntake>(std::move(options), *store_, fhir_enricher_);
      transport::FhirServerConfig sc;
      sc.name = l.name;
      sc.bind_address = l.bind;
      sc.port = l.port;
      sc.base_path = l.base_path;
      sc.max_body_bytes = l.max_body_bytes;
      sc.max_threads = l.max_connections;
      sc.read_timeout = std::chrono::seconds(l.read_timeout_s);
      sc.tls = l.tls;
      if (!l.auth_tokens_file.empty()) sc.bearer_tokens = transport::load_bearer_tokens(l.auth_tokens_file);
      sc.rate_limit_per_second = l.rate_limit_per_second;
      sc.rate_limit_burst = l.rate_limit_burst;
      sc.on_error = [m = listener_metrics](int status, std::string_view issue) {
        // Refusals the intake did not see. A 503 is either "not stored" (the intake counted
        // it) or a refused connection (counted as explainer_connections_refused_total).
        if (status == 503) return;
        m->received();
        m->rejected("http_" + std::to_string(status) + "_" + std::string(issue));
        if (status == 429) m->rate_limited();
        if (status == 413) m->too_large();
        if (status == 408) m->read_timeout();
      };
      auto server = std::make_unique<transport::FhirServer>(sc, intake);
      try {
        server->start();
      } catch (const Poco::Exception& e) {
        throw std::runtime_error("FHIR listener '" + l.name + "' cannot listen on " + l.bind + ":" +
                                 std::to_string(l.port) + ": " + e.displayText());
      }
      fhir_intakes_.push_back(intake);
      fhir_servers_.push_back(std::move(server));
    }
    register_collectors();
    if (config_.admin.port != 0) {
      observability::AdminServerConfig ac;
      ac.bind_address = config_.admin.bind;
      ac.port = config_.admin.port;
      if (!config_.admin.auth_tokens_file.empty()) {
        ac.bearer_tokens = transport::load_bearer_tokens(config_.admin.auth_tokens_file);
      }
      admin_ = std::make_unique<observability::AdminServer>(ac, metrics_->registry(), [this] { return readiness(); });
      try {
        admin_->start();
      } catch (const Poco::Exception& e) {
        throw std::runtime_error("admin endpoint cannot listen on " + ac.bind_address + ":" +
                                 std::to_string(ac.port) + ": " + e.displayText());
      }
    }
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
  started_ = true;
  housekeeping_ = std::thread([this] { housekeeping_loop(); });
  return true;
}

void Engine::register_collectors() {
  // Collectors run on the scraping thread. They read objects owned by the engine, which
  // stop() destroys only after the admin endpoint has stopped.
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    const transport::MllpListener* listener = listeners_[i].get();
    metrics_->collect_listener(config_.mllp_listeners[i].name, [listener] {
      const auto s = listener->stats();
      ListenerLimitStats out;
      out.connections_active = s.connections_active;
      out.connections_refused = s.connections_refused;
      out.frames_too_large = s.oversize_frames;
      out.read_timeouts = s.read_timeouts;
      out.idle_timeouts = s.idle_timeouts;
      return out;
    }, true);
  }
  for (std::size_t i = 0; i < fhir_servers_.size(); ++i) {
    const transport::FhirServer* server = fhir_servers_[i].get();
    metrics_->collect_listener(config_.fhir_listeners[i].name, [server] {
      const auto s = server->stats();
      ListenerLimitStats out;
      out.connections_active = s.connections_active;
      out.connections_refused = s.connections_refused;
      return out;
    }, false);
  }
  store::MessageStore* store = store_.get();
  std::vector<std::string> destination_names;
  for (const auto& d : config_.destinations) destination_names.push_back(d.name);
  metrics_->collect_queues([store, destination_names] {
    // Every configured destination appears, at zero when nothing is pending or dead.
    std::map<std::string, std::tuple<std::int64_t, std::int64_t, std::int64_t>> by_name;
    for (const auto& name : destination_names) by_name[name] = {0, 0, 0};
    for (const auto& q : store->queue_depths(core::SystemClock::instance().now_unix_ms())) {
      by_name[q.destination] = {q.pending, q.oldest_pending_age_ms, q.dead};
    }
    std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>> out;
    for (const auto& [name, v] : by_name) out.emplace_back(name, std::get<0>(v), std::get<1>(v), std::get<2>(v));
    return out;
  });
  delivery::DeliveryService* delivery = delivery_.get();
  metrics_->collect_dead_letters([delivery] {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [name, c] : delivery->counters()) out[name] = c.dead_lettered;
    return out;
  });
  metrics_->collect_store_commits([store] { return store->counters().commits; });
  metrics_->collect_awaiting_review([store] { return store->held_count(); });
}

std::string Engine::metrics_text() {
  // The collectors read listeners, workers and the store: only while they exist.
  if (!started_ || stopped_) return {};
  return metrics_->registry().render();
}

std::uint16_t Engine::admin_port() const { return admin_ ? admin_->port() : 0; }

observability::Readiness Engine::readiness() {
  observability::Readiness r;
  if (!started_ || stopped_) {
    r.ready = false;
    r.reasons.push_back("not started");
    return r;
  }
  if (!rules_ || !rules_->current()) r.reasons.push_back("mappings not loaded");
  if (!content_ || !content_->current()) r.reasons.push_back("content not loaded");
  try {
    // A cheap indexed query: the head of a queue that does not exist.
    store_->next_pending("\x01readyz", core::SystemClock::instance().now_unix_ms());
    std::error_code ec;
    if (config_.store.sqlite_path != ":memory:" && !std::filesystem::exists(config_.store.sqlite_path, ec)) {
      r.reasons.push_back("store unreachable: database file " + config_.store.sqlite_path + " is missing");
    }
  } catch (const std::exception& e) {
    r.reasons.push_back(std::string("store unreachable: ") + e.what());
  }
  r.ready = r.reasons.empty();
  return r;
}

void Engine::housekeeping_loop() {
  // Stored reports hold patient data: purge delivered ones after the retention period.
  // Runs at start and then hourly; exceptions are logged and the loop carries on.
  std::unique_lock<std::mutex> lock(housekeeping_mu_);
  while (!housekeeping_stop_) {
    if (config_.store.retention_days > 0 && store_) {
      lock.unlock();
      try {
        // Payloads (patient data) go after retention_days; the emptied rows, which still hold
        // the dedupe keys, after dedupe_retention_days.
        const std::int64_t now_ms = core::SystemClock::instance().now_unix_ms();
        const auto emptied = store_->purge_payloads_older_than(
            now_ms - std::int64_t{config_.store.retention_days} * 86'400'000);
        const auto purged = store_->purge_delivered_older_than(
            now_ms - std::int64_t{config_.store.dedupe_retention_days} * 86'400'000);
        if (emptied > 0 || purged > 0) {
          EXPLAINER_LOG(logger(), info)
              << "retention_purge payloads_emptied=" << emptied
              << " older_than_days=" << config_.store.retention_days
              << " messages_deleted=" << purged
              << " dedupe_older_than_days=" << config_.store.dedupe_retention_days;
        }
      } catch (const std::exception& e) {
        EXPLAINER_LOG(logger(), error) << "retention_purge_failed reason=\"" << e.what() << "\"";
      }
      lock.lock();
    }
    housekeeping_cv_.wait_for(lock, std::chrono::hours(1), [this] { return housekeeping_stop_; });
  }
}

void Engine::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(housekeeping_mu_);
    housekeeping_stop_ = true;
  }
  housekeeping_cv_.notify_all();
  if (housekeeping_.joinable()) housekeeping_.join();
  if (admin_) admin_->stop();  // first: no scrape may touch what is torn down below
  admin_.reset();
  for (auto& l : listeners_) l->stop();
  for (auto& s : fhir_servers_) s->stop();
  if (delivery_) delivery_->stop();
  listeners_.clear();
  intakes_.clear();
  fhir_servers_.clear();
  fhir_intakes_.clear();
  delivery_.reset();
  store_.reset();
  instance_lock_.reset();
}

std::string Engine::describe() const {
  std::ostringstream out;
  out << "listeners=";
  for (std::size_t i = 0; i < config_.mllp_listeners.size(); ++i) {
    const auto& l = config_.mllp_listeners[i];
    out << (i ? "," : "") << l.name << "@" << l.bind << ":"
        << (i < listeners_.size() ? listeners_[i]->port() : l.port);
  }
  for (std::size_t i = 0; i < config_.fhir_listeners.size(); ++i) {
    const auto& l = config_.fhir_listeners[i];
    out << (i || !config_.mllp_listeners.empty() ? "," : "") << l.name << "@" << l.bind << ":"
        << (i < fhir_servers_.size() ? fhir_servers_[i]->port() : l.port) << l.base_path << "(fhir)";
  }
  out << " destinations=";
  for (std::size_t i = 0; i < config_.destinations.size(); ++i) {
    out << (i ? "," : "") << config_.destinations[i].name << "(" << config_.destinations[i].type << ")";
  }
  out << " store=" << describe_store(config_.store);
  return out.str();
}

std::uint16_t Engine::listener_port(const std::string& name) const {
  for (std::size_t i = 0; i < config_.mllp_listeners.size() && i < listeners_.size(); ++i) {
    if (config_.mllp_listeners[i].name == name) return listeners_[i]->port();
  }
  for (std::size_t i = 0; i < config_.fhir_listeners.size() && i < fhir_servers_.size(); ++i) {
    if (config_.fhir_listeners[i].name == name) return fhir_servers_[i]->port();
  }
  return 0;
}

IntakeCounters Engine::intake_counters(const std::string& listener) const {
  for (std::size_t i = 0; i < config_.mllp_listeners.size() && i < intakes_.size(); ++i) {
    if (config_.mllp_listeners[i].name == listener) return intakes_[i]->counters();
  }
  for (std::size_t i = 0; i < config_.fhir_listeners.size() && i < fhir_intakes_.size(); ++i) {
    if (config_.fhir_listeners[i].name == listener) return fhir_intakes_[i]->counters();
  }
  return {};
}

}  // namespace explainer::app

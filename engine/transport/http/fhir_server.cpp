#include "transport/http/fhir_server.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <Poco/Net/TCPServer.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <istream>
#include <stdexcept>

#include "core/log.h"
#include "fhir/diagnostic_report.h"
#include "fhir/json_format.h"
#include "fhir/operation_outcome.h"
#include "fhir/xml_format.h"
#include "transport/http/capability_statement.h"
#include "transport/http/fhir_handler.h"
#include "transport/http/rate_limiter.h"

namespace explainer::transport {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

core::Logger& logger() {
  static core::Logger log = core::make_logger("transport.fhir");
  return log;
}

// An HTTP answer assembled by the request logic and written once at the end.
struct Answer {
  HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK;
  std::string body;  // empty: no body
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // drop the connection (body not read completely)
};

std::string normalise_base(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.empty() && base.front() != '/') base.insert(base.begin(), '/');
  return base;
}

// FHIR id: [A-Za-z0-9\-\.]{1,64}
bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

enum class Prefer { kDefault, kMinimal, kRepresentation, kOperationOutcome };

Prefer parse_prefer(const std::string& header) {
  const std::string v = Poco::toLower(header);
  if (v.find("return=minimal") != std::string::npos) return Prefer::kMinimal;
  if (v.find("return=representation") != std::string::npos) return Prefer::kRepresentation;
  if (v.find("return=operationoutcome") != std::string::npos) return Prefer::kOperationOutcome;
  return Prefer::kDefault;
}

// Reads and discards what is left of a request body when it is of a sensible size, so a
// client still sending gets the answer and the connection stays usable; otherwise the
// connection is closed after the answer.
void drain_or_close(HTTPServerRequest& request, Answer& answer, std::size_t max_body_bytes) {
  const Poco::Int64 limit = static_cast<Poco::Int64>(max_body_bytes) * 4 + (1 << 20);
  if (request.hasContentLength() && request.getContentLength64() > limit) {
    answer.close = true;
    return;
  }
  if (!request.hasContentLength() && !request.getChunkedTransferEncoding()) return;
  try {
    std::istream& in = request.stream();
    char buffer[16384];
    std::size_t total = 0;
    while (in && total <= static_cast<std::size_t>(limit)) {
      in.read(buffer, sizeof buffer);
      total += static_cast<std::size_t>(in.gcount());
    }
    if (in) answer.close = true;
  } catch (const Poco::Exception&) {
    answer.close = true;
  }
}

class RequestLogic {
 public:
  RequestLogic(const FhirServerConfig& config, const std::string& base, FhirHandler& handler,
               const fhir::Element& capability)
      : config_(config), base_(base), handler_(handler), capability_(capability) {}

  Answer handle(HTTPServerRequest& request) {
    accept_ = request.get("Accept", "");
    std::string path;
    try {
      Poco::URI uri(request.getURI());
      path = uri.getPath();
      for (const auto& [key, value] : uri.getQueryParameters()) {
        if (key == "_format") format_param_ = value;
        if (key == "_pretty") pretty_ = Poco::toLower(value) == "true";
      }
    } catch (const Poco::Exception&) {
      Answer a = error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kStructure,
                       "the request URI is malformed");
      return a;
    }
    const std::string method = request.getMethod();

    if (path != base_ && path.rfind(base_ + "/", 0) != 0) {
      return error(HTTPResponse::HTTP_NOT_FOUND, fhir::IssueType::kNotSupported,
                   "not a FHIR endpoint; the base is " + (base_.empty() ? "/" : base_));
    }
    std::string rel = path.substr(base_.size());
    while (!rel.empty() && rel.front() == '/') rel.erase(rel.begin());
    while (!rel.empty() && rel.back() == '/') rel.pop_back();

    if (rel == "metadata") {
      if (method != "GET" && method != "HEAD") return not_allowed("GET");
      return metadata();
    }
    if (!check_auth(request)) {
      const bool tokens = !config_.bearer_tokens.empty();
      Answer a = error(HTTPResponse::HTTP_UNAUTHORIZED, fhir::IssueType::kLogin,
                       tokens && client_certificate_auth()
                           ? "a valid bearer token or an accepted client certificate is required"
                       : tokens ? "a valid bearer token is required"
                                : "an accepted client certificate is required");
      if (tokens) a.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"explainer\"");
      return a;
    }

    const auto slash = rel.find('/');
    const std::string type = rel.substr(0, slash);
    const std::string id = slash == std::string::npos ? "" : rel.substr(slash + 1);
    if (rel.empty()) {
      if (method != "POST") return not_allowed("POST");
      return with_body(request, FhirInteraction::kTransaction, "");
    }
    if (type != "DiagnosticReport") {
      return error(HTTPResponse::HTTP_NOT_FOUND, fhir::IssueType::kNotSupported,
                   "resource type or operation not supported here; this endpoint accepts "
                   "DiagnosticReport create/update and transaction/batch Bundles");
    }
    if (id.empty()) {
      if (method == "PUT") {
        return error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kNotSupported,
                     "conditional update is not supported; PUT [base]/DiagnosticReport/{id}");
      }
      if (method != "POST") return not_allowed("POST");
      return with_body(request, FhirInteraction::kCreate, "");
    }
    if (id.find('/') != std::string::npos || !valid_id(id)) {
      return error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kNotSupported,
                   "unsupported path below DiagnosticReport/{id}, or an invalid id");
    }
    if (method != "PUT") return not_allowed("PUT");
    return with_body(request, FhirInteraction::kUpdate, id);
  }

  // Response format for errors raised before the request body was understood.
  fhir::Element outcome(fhir::IssueType type, const std::string& diagnostics,
                        fhir::IssueSeverity severity = fhir::IssueSeverity::kError) const {
    return fhir::make_operation_outcome({{severity, type, diagnostics, {}}});
  }

  Answer error(HTTPResponse::HTTPStatus status, fhir::IssueType type,
               const std::string& diagnostics) {
    Answer a = render(outcome(type, diagnostics), status);
    if (config_.on_error) config_.on_error(static_cast<int>(status), fhir::to_code(type));
    EXPLAINER_LOG(logger(), warning)
        << "fhir_request_rejected listener=" << config_.name
        << " status=" << static_cast<int>(status) << " issue=" << fhir::to_code(type)
        << " reason=\"" << diagnostics << "\"";
    return a;
  }

 private:
  FhirFormat response_format(bool* acceptable) const {
    const auto n = negotiate_response(format_param_, accept_, body_format_);
    if (acceptable) *acceptable = n.acceptable;
    return n.format;
  }

  Answer render(const fhir::Element& resource, HTTPResponse::HTTPStatus status) const {
    Answer a;
    a.status = status;
    const FhirFormat format = response_format(nullptr);
    fhir::WriteOptions options;
    options.pretty = pretty_;
    auto text = format == FhirFormat::kXml ? fhir::write_xml(resource, options)
                                           : fhir::write_json(resource, options);
    if (!text) {
      // Should not happen for resources we built; fall back to a fixed OperationOutcome.
      a.status = HTTPResponse::HTTP_INTERNAL_SERVER_ERROR;
      a.content_type = "application/fhir+json; charset=utf-8";
      a.body =
          R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]})";
      return a;
    }
    a.body = std::move(*text);
    a.content_type = std::string(media_type(format)) + "; charset=utf-8";
    return a;
  }

  Answer not_allowed(const char* allow) {
    Answer a = error(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, fhir::IssueType::kNotSupported,
                     std::string("method not supported here; allowed: ") + allow);
    a.headers.emplace_back("Allow", allow);
    return a;
  }

  bool client_certificate_auth() const {
    return config_.tls && config_.tls->verify_client != ClientVerification::kNone;
  }

  bool check_auth(HTTPServerRequest& request) const {
    if (config_.bearer_tokens.empty() && !client_certificate_auth()) return true;
    if (!config_.bearer_tokens.empty()) {
      const std::string header = request.get("Authorization", "");
      if (header.size() >= 7 && Poco::icompare(header.substr(0, 7), "Bearer ") == 0 &&
          config_.bearer_tokens.count(Poco::trim(header.substr(7))) > 0) {
        return true;
      }
    }
    return client_certificate_auth() && accepted_client_certificate(request);
  }

  // A client certificate presented in the handshake has been verified against tls.ca by
  // OpenSSL (or the handshake would have failed); here only its CN is checked.
  bool accepted_client_certificate(HTTPServerRequest& request) const {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (!impl || !impl->secure()) return false;
    try {
      Poco::Net::SecureStreamSocket socket(impl->socket());
      if (!socket.havePeerCertificate()) return false;
      const std::string cn = socket.peerCertificate().commonName();
      if (client_certificate_allowed(*config_.tls, cn)) return true;
      EXPLAINER_LOG(logger(), warning)
          << "fhir_client_certificate_refused listener=" << config_.name << " cn=\"" << cn
          << "\" reason=not in tls.allowed_client_cns";
    } catch (const Poco::Exception&) {
    }
    return false;
  }

  Answer metadata() {
    bool acceptable = true;
    response_format(&acceptable);
    if (!acceptable) return not_acceptable();
    return render(capability_, HTTPResponse::HTTP_OK);
  }

  Answer not_acceptable() {
    return error(HTTPResponse::HTTP_NOT_ACCEPTABLE, fhir::IssueType::kNotSupported,
                 "Accept/_format names no format this server produces (FHIR JSON or XML)");
  }

  Answer with_body(HTTPServerRequest& request, FhirInteraction interaction,
                   const std::string& url_id) {
    // Content type first: the body parser depends on it.
    const std::string content_type = request.getContentType();
    const auto format = format_from_content_type(content_type);
    if (!format) {
      Answer a = error(HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, fhir::IssueType::kNotSupported,
                       "Content-Type must be application/fhir+json or application/fhir+xml");
      return a;
    }
    body_format_ = *format;
    bool acceptable = true;
    response_format(&acceptable);
    if (!acceptable) {
      Answer a = not_acceptable();
      return a;
    }
    if (request.hasContentLength() &&
        request.getContentLength64() > static_cast<Poco::Int64>(config_.max_body_bytes)) {
      Answer a = too_large();
      return a;
    }
    std::string body;
    try {
      // The whole body must arrive within read_timeout (Poco's socket timeout bounds each
      // receive only, so a client trickling a byte at a time would otherwise hold a thread).
      const auto deadline = std::chrono::steady_clock::now() + config_.read_timeout;
      std::istream& in = request.stream();
      char buffer[16384];
      for (;;) {
        in.read(buffer, 1);  // blocks for at least one byte (or the end)
        if (in.gcount() == 0) break;
        body.push_back(buffer[0]);
        for (std::streamsize n; (n = in.readsome(buffer, sizeof buffer)) > 0;) {
          body.append(buffer, static_cast<std::size_t>(n));
        }
        if (body.size() > config_.max_body_bytes) {
          Answer a = too_large();
          a.close = true;
          return a;
        }
        if (std::chrono::steady_clock::now() > deadline) {
          Answer a = error(HTTPResponse::HTTP_REQUEST_TIMEOUT, fhir::IssueType::kTimeout,
                           "the request body did not arrive within " +
                               std::to_string(config_.read_timeout.count()) + " s");
          a.close = true;
          return a;
        }
      }
    } catch (const Poco::Exception&) {
      // Timeout or broken chunked encoding: the sender's problem, and nothing was stored.
      Answer a = error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kIncomplete,
                       "the request body could not be read completely");
      a.close = true;
      return a;
    }

    fhir::ReadOptions read;
    read.max_bytes = config_.max_body_bytes;
    auto parsed =
        *format == FhirFormat::kXml ? fhir::parse_xml(body, read) : fhir::parse_json(body, read);
    if (!parsed) {
      const auto& e = parsed.error();
      if (e.code == fhir::ErrorCode::kTooLarge) return too_large();
      return error(
          HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kStructure,
          std::string("cannot read the body as FHIR ") + to_string(*format) + ": " + e.describe());
    }
    fhir::Element& resource = *parsed;

    FhirRequest submit;
    submit.listener = config_.name;
    submit.interaction = interaction;
    submit.format = *format;
    submit.body = body;
    submit.resource = &resource;

    if (interaction == FhirInteraction::kTransaction) {
      if (resource.resource_type != "Bundle") {
        return error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kInvalid,
                     "POST [base] expects a Bundle of type transaction or batch, got " +
                         resource.resource_type);
      }
      const std::string bundle_type = resource.value_of("type");
      if (bundle_type == "batch") {
        submit.interaction = FhirInteraction::kBatch;
      } else if (bundle_type != "transaction") {
        return error(HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, fhir::IssueType::kBusinessRule,
                     "POST [base] accepts only Bundle.type transaction or batch");
      }
      if (auto problem = check_bundle(resource)) {
        return error(HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, fhir::IssueType::kBusinessRule,
                     *problem);
      }
    } else {
      if (resource.resource_type != "DiagnosticReport") {
        return error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kInvalid,
                     "this URL accepts a DiagnosticReport, got " + resource.resource_type);
      }
      if (interaction == FhirInteraction::kUpdate && resource.value_of("id") != url_id) {
        return error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kInvalid,
                     "the DiagnosticReport id in the body must equal the id in the URL");
      }
      const std::string if_none_exist = Poco::trim(request.get("If-None-Exist", ""));
      if (!if_none_exist.empty()) {
        if (interaction != FhirInteraction::kCreate || if_none_exist.rfind("identifier=", 0) != 0 ||
            if_none_exist.size() == 11 || if_none_exist.find('&') != std::string::npos) {
          return error(HTTPResponse::HTTP_BAD_REQUEST, fhir::IssueType::kNotSupported,
                       "If-None-Exist supports only 'identifier=[system|]value' on create");
        }
        std::string value;
        Poco::URI::decode(if_none_exist.substr(11), value);
        submit.if_none_exist_identifier = value;
      }
    }

    const FhirSubmitResult result = handler_.submit(submit);
    if (result.status == FhirSubmitStatus::kFailed) {
      Answer a = error(HTTPResponse::HTTP_SERVICE_UNAVAILABLE, fhir::IssueType::kNoStore,
                       "the report could not be stored; nothing was accepted, please resend");
      a.headers.emplace_back("Retry-After", "30");
      return a;
    }
    const bool duplicate = result.status == FhirSubmitStatus::kDuplicate;
    if (submit.interaction == FhirInteraction::kTransaction ||
        submit.interaction == FhirInteraction::kBatch) {
      return bundle_response(resource, submit.interaction, duplicate,
                             parse_prefer(request.get("Prefer", "")));
    }
    return single_response(resource, body, duplicate, result.message_id,
                           parse_prefer(request.get("Prefer", "")));
  }

  std::optional<std::string> check_bundle(fhir::Element& bundle) const {
    const auto entries = fhir::bundle_entries(bundle);
    if (entries.empty()) return "the Bundle has no entries";
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      if (e.request_method != "POST" && e.request_method != "PUT") {
        return "Bundle.entry[" + std::to_string(i) + "].request.method must be POST or PUT";
      }
      if (!e.resource) return "Bundle.entry[" + std::to_string(i) + "] has no resource";
    }
    if (fhir::find_diagnostic_reports(bundle).empty())
      return "the Bundle holds no DiagnosticReport";
    return std::nullopt;
  }

  Answer too_large() {
    return error(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, fhir::IssueType::kTooLong,
                 "the body is larger than this endpoint's limit of " +
                     std::to_string(config_.max_body_bytes) + " bytes");
  }

  static std::string version_of(const fhir::Element& resource) {
    const std::string v = resource.value_at("meta.versionId");
    return v.empty() ? "1" : v;
  }

  Answer single_response(const fhir::Element& resource, const std::string& body, bool duplicate,
                         std::int64_t message_id, Prefer prefer) {
    std::string id = resource.value_of("id");
    if (id.empty()) id = "explainer-" + std::to_string(message_id);
    const std::string version = version_of(resource);
    const auto status = duplicate ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_CREATED;
    Answer a;
    if (prefer == Prefer::kMinimal) {
      a.status = status;
    } else if (prefer == Prefer::kOperationOutcome) {
      a = render(
          outcome(fhir::IssueType::kInformational,
                  duplicate ? "already received; not delivered again" : "stored for delivery",
                  fhir::IssueSeverity::kInformation),
          status);
    } else if (response_format(nullptr) == body_format_ && !pretty_) {
      a.status = status;
      a.body = body;  // the resource exactly as received
      a.content_type = std::string(media_type(body_format_)) + "; charset=utf-8";
    } else {
      a = render(resource, status);
    }
    a.headers.emplace_back("Location", base_ + "/DiagnosticReport/" + id + "/_history/" + version);
    a.headers.emplace_back("ETag", "W/\"" + version + "\"");
    a.headers.emplace_back(
        "Last-Modified",
        Poco::DateTimeFormatter::format(Poco::DateTime(), Poco::DateTimeFormat::HTTP_FORMAT));
    return a;
  }

  Answer bundle_response(const fhir::Element& bundle, FhirInteraction interaction, bool duplicate,
                         Prefer prefer) {
    fhir::Element out = fhir::make_resource("Bundle");
    fhir::insert_primitive(
        out, "type",
        interaction == FhirInteraction::kBatch ? "batch-response" : "transaction-response");
    for (const auto& e : fhir::bundle_entries(bundle)) {
      fhir::Element entry = fhir::make_complex("entry");
      entry.type = fhir::types::find_type("Bundle_Entry");
      if (prefer == Prefer::kRepresentation && e.resource) {
        fhir::Element copy = *e.resource;
        copy.name = "resource";
        fhir::insert_child(entry, std::move(copy));
      }
      fhir::Element response = fhir::make_complex("response");
      response.type = fhir::types::find_type("Bundle_Response");
      fhir::insert_primitive(response, "status", duplicate ? "200 OK" : "201 Created");
      const std::string id = e.resource->value_of("id");
      if (!id.empty()) {
        const std::string version = version_of(*e.resource);
        fhir::insert_primitive(response, "location",
                               e.resource->resource_type + "/" + id + "/_history/" + version);
        fhir::insert_primitive(response, "etag", "W/\"" + version + "\"");
      }
      if (prefer == Prefer::kOperationOutcome) {
        fhir::Element oo = outcome(fhir::IssueType::kInformational, "stored for delivery",
                                   fhir::IssueSeverity::kInformation);
        oo.name = "outcome";
        fhir::insert_child(response, std::move(oo));
      }
      fhir::insert_child(entry, std::move(response));
      fhir::insert_child(out, std::move(entry));
    }
    return render(out, HTTPResponse::HTTP_OK);
  }

  const FhirServerConfig& config_;
  const std::string& base_;
  FhirHandler& handler_;
  const fhir::Element& capability_;
  std::string format_param_;
  std::string accept_;
  bool pretty_ = false;
  FhirFormat body_format_ = FhirFormat::kJson;
};

struct Shared {
  FhirServerConfig config;
  std::string base;
  std::shared_ptr<FhirHandler> handler;
  fhir::Element capability;
  std::unique_ptr<RateLimiter> limiter;  // null: no rate limit
};

// The client's IP address (no port): the rate limit key.
std::string client_ip(const HTTPServerRequest& request) {
  try {
    return request.clientAddress().host().toString();
  } catch (...) {
    return "unknown";
  }
}

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RequestHandler(std::shared_ptr<const Shared> shared) : shared_(std::move(shared)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    // Thread entry point: nothing escapes. Bad input is answered by RequestLogic; anything
    // thrown here is our own failure (500, logged without request content).
    Answer answer;
    RequestLogic logic(shared_->config, shared_->base, *shared_->handler, shared_->capability);
    try {
      const double wait =
          shared_->limiter ? shared_->limiter->acquire(client_ip(request), RateLimiter::Clock::now()) : 0.0;
      if (wait > 0) {
        answer = logic.error(HTTPResponse::HTTP_TOO_MANY_REQUESTS, fhir::IssueType::kThrottled,
                             "too many requests from this client; retry later");
        answer.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(wait))));
      } else {
        answer = logic.handle(request);
      }
    } catch (const std::exception& e) {
      EXPLAINER_LOG(logger(), error) << "fhir_internal_error listener=" << shared_->config.name;
      EXPLAINER_LOG(logger(), debug) << "fhir_internal_error detail=\"" << e.what() << "\"";
      answer = internal_error(logic);
    } catch (...) {
      EXPLAINER_LOG(logger(), error) << "fhir_internal_error listener=" << shared_->config.name;
      answer = internal_error(logic);
    }
    try {
      if (!answer.close) drain_or_close(request, answer, shared_->config.max_body_bytes);
      response.setStatusAndReason(answer.status);
      for (const auto& [k, v] : answer.headers) response.set(k, v);
      if (answer.close) response.setKeepAlive(false);
      if (answer.body.empty() || request.getMethod() == "HEAD") {
        response.setContentLength(0);
        response.send();
      } else {
        response.setContentType(answer.content_type);
        response.sendBuffer(answer.body.data(), answer.body.size());
      }
    } catch (const std::exception& e) {
      // The client went away; it was not told anything, so it will resend.
      EXPLAINER_LOG(logger(), warning)
          << "fhir_response_not_sent listener=" << shared_->config.name;
    }
  }

 private:
  static Answer internal_error(RequestLogic& logic) {
    Answer a;
    try {
      a = logic.error(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, fhir::IssueType::kException,
                      "internal error; the request was not accepted");
    } catch (...) {
      a.status = HTTPResponse::HTTP_INTERNAL_SERVER_ERROR;
    }
    a.close = true;
    return a;
  }

  std::shared_ptr<const Shared> shared_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(std::shared_ptr<const Shared> shared) : shared_(std::move(shared)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new RequestHandler(shared_);
  }

 private:
  std::shared_ptr<const Shared> shared_;
};

std::string auth_description(const FhirServerConfig& config) {
  const bool tokens = !config.bearer_tokens.empty();
  const bool certificates = config.tls && config.tls->verify_client != ClientVerification::kNone;
  if (tokens && certificates) return "bearer_or_client_certificate";
  if (tokens) return "bearer";
  return certificates ? "client_certificate" : "none";
}

// Runs on the accept thread: when every request thread is busy and the queue is full, the
// connection is answered 503 at once (instead of Poco closing it silently) and counted.
class AdmissionFilter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  AdmissionFilter(std::shared_ptr<const Shared> shared, std::shared_ptr<std::atomic<std::uint64_t>> refused)
      : shared_(std::move(shared)), refused_(std::move(refused)) {}
  void attach(Poco::Net::TCPServer* server) { server_.store(server); }

  bool accept(const Poco::Net::StreamSocket& socket) override {
    Poco::Net::TCPServer* server = server_.load();
    if (!server) return true;
    const int capacity = shared_->config.max_threads + shared_->config.max_queued;
    if (server->currentConnections() + server->queuedConnections() < capacity) return true;
    refused_->fetch_add(1);
    if (shared_->config.on_error) shared_->config.on_error(503, "transient");
    EXPLAINER_LOG(logger(), warning) << "fhir_connection_refused listener=" << shared_->config.name
                                     << " reason=max_connections(" << capacity << ") reached";
    // Over TLS nothing can be said before the handshake: the connection is just closed.
    if (shared_->config.tls) return false;
    try {
      static const std::string body =
          R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient",)"
          R"("diagnostics":"too many connections; retry later"}]})";
      const std::string reply = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/fhir+json; "
                                "charset=utf-8\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
      Poco::Net::StreamSocket s(socket);
      s.setSendTimeout(Poco::Timespan(1, 0));
      s.sendBytes(reply.data(), static_cast<int>(reply.size()));
      s.shutdownSend();
    } catch (...) {
    }
    return false;
  }

 private:
  std::shared_ptr<const Shared> shared_;
  std::shared_ptr<std::atomic<std::uint64_t>> refused_;
  std::atomic<Poco::Net::TCPServer*> server_{nullptr};
};

}  // namespace

const char* to_string(FhirInteraction interaction) {
  switch (interaction) {
    case FhirInteraction::kCreate:
      return "create";
    case FhirInteraction::kUpdate:
      return "update";
    case FhirInteraction::kTransaction:
      return "transaction";
    case FhirInteraction::kBatch:
      return "batch";
  }
  return "?";
}

std::set<std::string> load_bearer_tokens(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the bearer token file " + path);
  std::set<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = Poco::trim(line);
    if (!t.empty() && t.front() != '#') tokens.insert(t);
  }
  if (tokens.empty()) throw std::runtime_error("the bearer token file " + path + " holds no token");
  return tokens;
}

FhirServer::FhirServer(FhirServerConfig config, std::shared_ptr<FhirHandler> handler)
    : config_(std::move(config)), handler_(std::move(handler)) {
  if (!handler_) throw std::invalid_argument("FhirServer needs a handler");
}

FhirServer::~FhirServer() {
  stop();
}

void FhirServer::start() {
  if (server_) return;
  auto shared = std::make_shared<Shared>();
  shared->config = config_;
  shared->base = normalise_base(config_.base_path);
  shared->handler = handler_;
  if (config_.rate_limit_per_second > 0) {
    shared->limiter = std::make_unique<RateLimiter>(
        config_.rate_limit_per_second,
        config_.rate_limit_burst > 0 ? config_.rate_limit_burst : std::max(1.0, config_.rate_limit_per_second));
  }
  shared->capability = make_capability_statement(
      {config_.software_version, Poco::DateTimeFormatter::format(Poco::DateTime(), "%Y-%m-%d"),
       !config_.bearer_tokens.empty(),
       config_.tls && config_.tls->verify_client != ClientVerification::kNone});

  Poco::Net::ServerSocket socket =
      config_.tls ? Poco::Net::SecureServerSocket(make_server_context(*config_.tls))
                  : Poco::Net::ServerSocket();
  socket.bind(Poco::Net::SocketAddress(config_.bind_address, config_.port), true);
  socket.listen(64);
  bound_port_ = socket.address().port();

  auto* params = new Poco::Net::HTTPServerParams;  // owned by the server (AutoPtr)
  params->setMaxThreads(config_.max_threads);
  params->setMaxQueued(config_.max_queued);
  params->setTimeout(Poco::Timespan(static_cast<long>(config_.read_timeout.count()), 0));
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(1000);  // Poco's default 0 would close after every request
  params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(config_.read_timeout.count()), 0));
  params->setServerName("Explainer");
  pool_ = std::make_unique<Poco::ThreadPool>(1, std::max(2, config_.max_threads + 1));
  server_ =
      std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(shared), *pool_, socket, params);
  Poco::AutoPtr<AdmissionFilter> filter(new AdmissionFilter(shared, refused_));
  filter->attach(server_.get());
  server_->setConnectionFilter(filter);
  server_->start();
  EXPLAINER_LOG(logger(), info)
      << "fhir_listener_started listener=" << config_.name << " bind=" << config_.bind_address
      << " port=" << bound_port_ << " base=" << (shared->base.empty() ? "/" : shared->base)
      << " auth=" << auth_description(config_) << " tls="
      << (config_.tls ? std::string("on min_version=") + to_string(config_.tls->min_version) +
                            " verify_client=" + to_string(config_.tls->verify_client)
                      : std::string("off"));
}

FhirServerStats FhirServer::stats() const {
  FhirServerStats s;
  s.connections_refused = refused_->load();
  if (server_) {
    s.connections_active = static_cast<std::uint64_t>(std::max(0, server_->currentConnections()));
    s.connections_refused += static_cast<std::uint64_t>(std::max(0, server_->refusedConnections()));
  }
  return s;
}

void FhirServer::stop() {
  if (!server_) return;
  // Stop accepting; idle keep-alive connections close, requests in progress finish.
  server_->stopAll(false);
  pool_->joinAll();
  server_.reset();
  pool_.reset();
  EXPLAINER_LOG(logger(), info) << "fhir_listener_stopped listener=" << config_.name;
}

}  // namespace explainer::transport

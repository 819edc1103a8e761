#include "app/fhir_sink.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <stdexcept>

#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::app {

namespace {

constexpr std::size_t kMaxDiagnostics = 200;

bool is_xml(const std::string& payload) {
  for (char c : payload) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '<';
  }
  return false;
}

std::string diagnostics_of(const std::string& body) {
  if (body.empty()) return {};
  auto parsed = is_xml(body) ? fhir::parse_xml(body) : fhir::parse_json(body);
  if (!parsed || parsed->resource_type != "OperationOutcome") return {};
  std::string text;
  for (const auto* issue : parsed->children_named("issue")) {
    std::string part = issue->value_of("diagnostics");
    if (part.empty()) part = issue->value_at("details.text");
    if (part.empty()) part = issue->value_of("code");
    if (part.empty()) continue;
    text += (text.empty() ? "" : "; ") + part;
  }
  if (text.size() > kMaxDiagnostics) text = text.substr(0, kMaxDiagnostics) + "...";
  return text;
}

}  // namespace

core::DeliveryOutcome classify_fhir_response(int status, const std::string& reason_phrase,
                                             const std::string& body) {
  if (status >= 200 && status < 300) return core::DeliveryOutcome::delivered();
  std::string why =
      "HTTP " + std::to_string(status) + (reason_phrase.empty() ? "" : " " + reason_phrase);
  const std::string diagnostics = diagnostics_of(body);
  if (!diagnostics.empty()) why += ": " + diagnostics;
  if (status == 408 || status == 429 || status >= 500) return core::DeliveryOutcome::retry(why);
  return core::DeliveryOutcome::permanent(why);
}

FhirSink::FhirSink(FhirSinkOptions options) : options_(std::move(options)) {
  Poco::URI uri(options_.base_url);
  scheme_ = uri.getScheme();
  if (scheme_ != "http" && scheme_ != "https") {
    throw std::invalid_argument("FHIR destination base_url must start with http:// or https://");
  }
  host_ = uri.getHost();
  port_ = uri.getPort();
  base_path_ = uri.getPath();
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
  if (scheme_ == "https") tls_context_ = transport::make_client_context(options_.tls, host_);
}

core::DeliveryOutcome FhirSink::deliver(const delivery::DeliveryItem& item) {
  const bool xml = is_xml(item.payload);
  auto parsed = xml ? fhir::parse_xml(item.payload) : fhir::parse_json(item.payload);
  if (!parsed) return core::DeliveryOutcome::permanent("payload is not a FHIR resource");
  const std::string type = parsed->resource_type;
  const std::string id = parsed->value_of("id");
  const std::string bundle_type = parsed->value_of("type");

  std::string method = Poco::Net::HTTPRequest::HTTP_POST;
  std::string path = base_path_;
  if (type == "Bundle" && (bundle_type == "transaction" || bundle_type == "batch")) {
    if (path.empty()) path = "/";
  } else if (!id.empty()) {
    method = Poco::Net::HTTPRequest::HTTP_PUT;
    path += "/" + type + "/" + id;
  } else {
    path += "/" + type;
  }

  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (scheme_ == "https") {
      transport::take_verification_error();
      session = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, tls_context_);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
    }
    session->setTimeout(Poco::Timespan(static_cast<long>(options_.timeout.count()), 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    const std::string media = xml ? "application/fhir+xml" : "application/fhir+json";
    request.setContentType(media + "; charset=utf-8");
    request.set("Accept", media);
    request.setContentLength(static_cast<std::streamsize>(item.payload.size()));
    if (!options_.bearer_token.empty()) {
      request.set("Authorization", "Bearer " + options_.bearer_token);
    } else if (!options_.user.empty()) {
      Poco::Net::HTTPBasicCredentials(options_.user, options_.password).authenticate(request);
    }
    session->sendRequest(request) << item.payload;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    return classify_fhir_response(static_cast<int>(response.getStatus()), response.getReason(),
                                  body);
  } catch (const Poco::Net::SSLException& e) {
    return core::DeliveryOutcome::retry(transport::describe_tls_failure(e.displayText()));
  } catch (const Poco::Exception& e) {
    return core::DeliveryOutcome::retry(e.className() + std::string(": ") + e.message());
  } catch (const std::exception& e) {
    return core::DeliveryOutcome::retry(e.what());
  }
}

}  // namespace explainer::app

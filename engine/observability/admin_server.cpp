#include "observability/admin_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "core/log.h"
#include "observability/metrics.h"

namespace explainer::observability {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

core::Logger& logger() {
  static core::Logger log = core::make_logger("admin");
  return log;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

struct AdminServer::Shared {
  AdminServerConfig config;
  Registry* registry = nullptr;
  std::function<Readiness()> readiness;
};

namespace {

struct Reply {
  HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply json_error(HTTPResponse::HTTPStatus status, const std::string& message) {
  return {status, "application/json", "{\"error\":" + json_string(message) + "}\n", {}};
}

template <class SharedT>
class AdminHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit AdminHandler(std::shared_ptr<SharedT> shared) : shared_(std::move(shared)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    // Thread entry point: nothing escapes.
    Reply reply;
    try {
      reply = handle(request);
    } catch (const std::exception& e) {
      EXPLAINER_LOG(logger(), error) << "admin_internal_error path=" << safe_path(request);
      EXPLAINER_LOG(logger(), debug) << "admin_internal_error detail=\"" << e.what() << "\"";
      reply = json_error(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error");
    } catch (...) {
      reply = json_error(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error");
    }
    try {
      response.setStatusAndReason(reply.status);
      for (const auto& [k, v] : reply.headers) response.set(k, v);
      response.setContentType(reply.content_type);
      if (request.getMethod() == "HEAD") {
        response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
        response.send();
      } else {
        response.sendBuffer(reply.body.data(), reply.body.size());
      }
    } catch (...) {
      // The client went away; nothing to do.
    }
  }

 private:
  static std::string safe_path(const HTTPServerRequest& request) {
    try {
      return Poco::URI(request.getURI()).getPath();
    } catch (...) {
      return "?";
    }
  }

  bool authorised(const HTTPServerRequest& request) const {
    const auto& tokens = shared_->config.bearer_tokens;
    if (tokens.empty()) return true;
    const std::string header = request.get("Authorization", "");
    if (header.size() < 7 || Poco::icompare(header.substr(0, 7), "Bearer ") != 0) return false;
    return tokens.count(Poco::trim(header.substr(7))) > 0;
  }

  Reply handle(HTTPServerRequest& request) {
    const std::string path = safe_path(request);
    if (!authorised(request)) {
      EXPLAINER_LOG(logger(), warning) << "admin_request_rejected status=401 path=" << path;
      Reply r = json_error(HTTPResponse::HTTP_UNAUTHORIZED, "a valid bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"explainer-admin\"");
      return r;
    }
    if (path != "/healthz" && path != "/readyz" && path != "/metrics") {
      return json_error(HTTPResponse::HTTP_NOT_FOUND,
                        "unknown path; try /healthz, /readyz or /metrics");
    }
    const std::string method = request.getMethod();
    if (method != "GET" && method != "HEAD") {
      Reply r = json_error(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are allowed");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    if (path == "/healthz")
      return {HTTPResponse::HTTP_OK, "application/json", "{\"status\":\"ok\"}\n", {}};
    if (path == "/readyz") return ready();
    Reply r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = shared_->registry->render();
    return r;
  }

  Reply ready() {
    Readiness readiness;
    try {
      readiness = shared_->readiness ? shared_->readiness() : Readiness{};
    } catch (const std::exception& e) {
      readiness = {false, {std::string("readiness check failed: ") + e.what()}};
    }
    if (readiness.ready)
      return {HTTPResponse::HTTP_OK, "application/json", "{\"status\":\"ready\"}\n", {}};
    std::string body = "{\"status\":\"not_ready\",\"reasons\":[";
    for (std::size_t i = 0; i < readiness.reasons.size(); ++i) {
      body += (i ? "," : "") + json_string(readiness.reasons[i]);
    }
    body += "]}\n";
    return {HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "application/json", body, {}};
  }

  std::shared_ptr<SharedT> shared_;
};

template <class SharedT>
class AdminHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit AdminHandlerFactory(std::shared_ptr<SharedT> shared) : shared_(std::move(shared)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new AdminHandler<SharedT>(shared_);
  }

 private:
  std::shared_ptr<SharedT> shared_;
};

}  // namespace

AdminServer::AdminServer(AdminServerConfig config, Registry& registry,
                         std::function<Readiness()> readiness)
    : config_(std::move(config)), shared_(std::make_shared<Shared>()) {
  shared_->config = config_;
  shared_->registry = &registry;
  shared_->readiness = std::move(readiness);
}

AdminServer::~AdminServer() {
  stop();
}

void AdminServer::start() {
  if (server_) return;
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress(config_.bind_address, config_.port), true);
  socket.listen(16);
  bound_port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;  // owned by the server
  params->setMaxThreads(2);
  params->setMaxQueued(16);
  params->setTimeout(Poco::Timespan(config_.read_timeout_s, 0));
  // One request per connection: two threads must not be held by idle keep-alive scrapers
  // while a readiness probe waits.
  params->setKeepAlive(false);
  params->setServerName("Explainer-admin");
  pool_ = std::make_unique<Poco::ThreadPool>(1, 3);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new AdminHandlerFactory<Shared>(shared_),
                                                    *pool_, socket, params);
  server_->start();
  EXPLAINER_LOG(logger(), info) << "admin_listener_started bind=" << config_.bind_address
                                << " port=" << bound_port_
                                << " auth=" << (config_.bearer_tokens.empty() ? "none" : "bearer");
}

void AdminServer::stop() {
  if (!server_) return;
  server_->stopAll(true);
  pool_->joinAll();
  server_.reset();
  pool_.reset();
  EXPLAINER_LOG(logger(), info) << "admin_listener_stopped";
}

}  // namespace explainer::observability

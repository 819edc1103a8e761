#include "app/fhir_sink.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace explainer::app {
namespace {

using core::DeliveryStatus;

TEST(FhirSink, StatusesAreClassified) {
  EXPECT_EQ(classify_fhir_response(200, "OK", "").status, DeliveryStatus::kDelivered);
  EXPECT_EQ(classify_fhir_response(201, "Created", "").status, DeliveryStatus::kDelivered);
  for (int retry : {408, 429, 500, 502, 503, 504}) {
    EXPECT_EQ(classify_fhir_response(retry, "", "").status, DeliveryStatus::kRetry) << retry;
  }
  for (int permanent : {301, 400, 401, 403, 404, 409, 412, 422}) {
    EXPECT_EQ(classify_fhir_response(permanent, "", "").status, DeliveryStatus::kPermanent)
        << permanent;
  }
}

TEST(FhirSink, OperationOutcomeDiagnosticsAreKeptTruncated) {
  const std::string long_text(500, 'x');
  const auto outcome = classify_fhir_response(
      422, "Unprocessable Entity",
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invariant","diagnostics":"dgr-1 failed"},)"
      R"({"severity":"error","code":"value","diagnostics":")" +
          long_text + R"("}]})");
  EXPECT_EQ(outcome.status, DeliveryStatus::kPermanent);
  EXPECT_EQ(outcome.detail.rfind("HTTP 422 Unprocessable Entity: dgr-1 failed; xxx", 0), 0u)
      << outcome.detail;
  EXPECT_LT(outcome.detail.size(), 260u);
  const auto xml = classify_fhir_response(
      400, "",
      R"(<OperationOutcome xmlns="http://hl7.org/fhir"><issue><severity value="error"/><code value="structure"/><diagnostics value="bad xml"/></issue></OperationOutcome>)");
  EXPECT_EQ(xml.detail, "HTTP 400: bad xml");
  EXPECT_EQ(classify_fhir_response(400, "", "not fhir").detail, "HTTP 400");
}

TEST(FhirSink, RefusesNonHttpBaseUrls) {
  EXPECT_THROW(
      FhirSink(FhirSinkOptions{"ftp://example.org/fhir", {}, {}, {}, std::chrono::seconds(1)}),
      std::invalid_argument);
  EXPECT_NO_THROW(
      FhirSink(FhirSinkOptions{"https://example.org/fhir", {}, {}, {}, std::chrono::seconds(1)}));
}

TEST(FhirSink, UnreachableServerIsRetried) {
  FhirSink sink(FhirSinkOptions{"http://127.0.0.1:1/fhir", {}, {}, {}, std::chrono::seconds(2)});
  delivery::DeliveryItem item;
  item.payload =
      R"({"resourceType":"DiagnosticReport","id":"a","status":"final","code":{"text":"x"}})";
  EXPECT_EQ(sink.deliver(item).status, DeliveryStatus::kRetry);
  item.payload = "not a resource";
  EXPECT_EQ(sink.deliver(item).status, DeliveryStatus::kPermanent);
}

}  // namespace
}  // namespace explainer::app

#include "transport/http/fhir_media.h"

#include <gtest/gtest.h>

namespace explainer::transport {
namespace {

TEST(FhirMedia, ContentTypesMapToFormats) {
  EXPECT_EQ(format_from_content_type("application/fhir+json"), FhirFormat::kJson);
  EXPECT_EQ(format_from_content_type("application/fhir+json; charset=utf-8; fhirVersion=4.0"),
            FhirFormat::kJson);
  EXPECT_EQ(format_from_content_type("Application/JSON"), FhirFormat::kJson);
  EXPECT_EQ(format_from_content_type("application/json+fhir"), FhirFormat::kJson);
  EXPECT_EQ(format_from_content_type("application/fhir+xml"), FhirFormat::kXml);
  EXPECT_EQ(format_from_content_type("text/xml;charset=UTF-8"), FhirFormat::kXml);
  EXPECT_FALSE(format_from_content_type("text/plain"));
  EXPECT_FALSE(format_from_content_type(""));
}

TEST(FhirMedia, FormatParameterOverridesAccept) {
  EXPECT_EQ(negotiate_response("xml", "application/fhir+json", FhirFormat::kJson).format,
            FhirFormat::kXml);
  EXPECT_EQ(negotiate_response("application/fhir+json", "application/xml", FhirFormat::kXml).format,
            FhirFormat::kJson);
  EXPECT_FALSE(negotiate_response("ttl", "", FhirFormat::kJson).acceptable);
}

TEST(FhirMedia, AcceptPicksFirstProducibleType) {
  EXPECT_EQ(
      negotiate_response("", "text/html, application/fhir+xml;q=0.9", FhirFormat::kJson).format,
      FhirFormat::kXml);
  EXPECT_EQ(negotiate_response("", "*/*", FhirFormat::kXml).format, FhirFormat::kXml);
  EXPECT_EQ(negotiate_response("", "", FhirFormat::kJson).format, FhirFormat::kJson);
  EXPECT_EQ(
      negotiate_response("", "application/fhir+xml;q=0, application/json", FhirFormat::kXml).format,
      FhirFormat::kJson);
  EXPECT_FALSE(negotiate_response("", "text/html", FhirFormat::kJson).acceptable);
}

}  // namespace
}  // namespace explainer::transport

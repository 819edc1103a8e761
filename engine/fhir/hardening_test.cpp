// Hostile XML and JSON are rejected as values, quickly and without expanding entities.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>

#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::fhir {
namespace {

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

const char* kBillionLaughs = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Patient xmlns="http://hl7.org/fhir"><id value="&lol9;"/></Patient>)";

TEST(Hardening, BillionLaughsIsRejectedWithoutExpansion) {
  const long before = max_rss_kib();
  for (int i = 0; i < 20; ++i) {
    auto parsed = parse_xml(kBillionLaughs);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kForbidden) << parsed.error().describe();
  }
  // Expansion would need gigabytes; allow generous slack for allocator noise.
  EXPECT_LT(max_rss_kib() - before, 64 * 1024);
}

TEST(Hardening, ExternalEntitiesAreNeverLoaded) {
  const std::string secret_path = std::string(EXPLAINER_BINARY_DIR) + "/fhir-xxe-secret.txt";
  std::ofstream(secret_path) << "TOP-SECRET";
  const std::string xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file://" + secret_path +
      "\">]><Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&x;\"/></Patient>";
  auto parsed = parse_xml(xxe);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(parsed.error().message.find("TOP-SECRET"), std::string::npos);

  const std::string external_dtd =
      "<!DOCTYPE Patient SYSTEM \"http://127.0.0.1:1/evil.dtd\"><Patient "
      "xmlns=\"http://hl7.org/fhir\"/>";
  auto with_dtd = parse_xml(external_dtd);
  ASSERT_FALSE(with_dtd.ok());
  EXPECT_EQ(with_dtd.error().code, ErrorCode::kForbidden);
}

TEST(Hardening, SizeLimitAppliesBeforeParsing) {
  ReadOptions options;
  options.max_bytes = 64;
  std::string big = "<Patient xmlns=\"http://hl7.org/fhir\">";
  for (int i = 0; i < 10; ++i) big += "<active value=\"true\"/>";
  big += "</Patient>";
  auto parsed = parse_xml(big, options);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(parse_xml(big).ok());
}

TEST(Hardening, DeepXmlNestingIsRejected) {
  std::string deep = "<Basic xmlns=\"http://hl7.org/fhir\">";
  for (int i = 0; i < 20000; ++i) deep += "<x>";
  for (int i = 0; i < 20000; ++i) deep += "</x>";
  deep += "</Basic>";
  auto parsed = parse_xml(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message, "");
}

TEST(Hardening, NestingLimitsKeepBothFormatsReadable) {
  std::string nested = "<Basic xmlns=\"http://hl7.org/fhir\">";
  for (int i = 0; i < 200; ++i) nested += "<x>";
  for (int i = 0; i < 200; ++i) nested += "</x>";
  nested += "</Basic>";
  auto parsed = parse_xml(nested);  // libxml2 accepts 200, the element limit is 128
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTooDeep);

  Element root = make_resource("Basic");
  Element* tip = &root;
  for (int i = 0; i < 300; ++i) {
    tip->children.push_back(make_complex("x"));
    tip = &tip->children.back();
  }
  auto xml = write_xml(root);
  ASSERT_FALSE(xml.ok());
  EXPECT_EQ(xml.error().code, ErrorCode::kTooDeep);
}

TEST(Hardening, ManyJsonKeysStayFast) {
  // Duplicate detection must not be quadratic; this would take minutes if it were.
  std::string wide = R"({"resourceType":"Basic","x":{)";
  for (int i = 0; i < 200000; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  wide += "}}";
  auto parsed = parse_json(wide);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->child("x")->children.size(), 200000u);
  auto written = write_json(*parsed);  // grouping by name must not be quadratic either
  ASSERT_TRUE(written.ok());
  EXPECT_GT(written->size(), wide.size() / 2);
}

}  // namespace
}  // namespace explainer::fhir

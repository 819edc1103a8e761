#include "fhir/xml_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fhir/json_format.h"
#include "fhir/test_support.h"

namespace explainer::fhir {
namespace {

using testing::canonical_xml;
using testing::fixture_dir;
using testing::read_file;

Element parse_ok(const std::string& text) {
  auto parsed = parse_xml(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().describe();
  return parsed.ok() ? *parsed : Element{};
}

std::string tricky_xml() {
  return read_file(fixture_dir() / "handwritten" / "tricky-report.xml");
}

TEST(XmlFormat, ReadsIdsPrimitiveExtensionsAndValueKinds) {
  const Element report = parse_ok(tricky_xml());
  EXPECT_EQ(report.resource_type, "DiagnosticReport");
  EXPECT_EQ(report.value_of("id"), "tricky-1");             // resource id is an element
  EXPECT_EQ(report.child("status")->value_of("id"), "st");  // element id is an attribute
  EXPECT_FALSE(report.child("issued")->value.has_value());
  EXPECT_NE(report.child("issued")->child("extension"), nullptr);
  const Element* decimal = report.child("extension")->child("valueDecimal");
  EXPECT_EQ(*decimal->value, "0.10");
  EXPECT_EQ(decimal->value_kind, ValueKind::kNumber);
  EXPECT_EQ(report.child("extension")->value_of("url"),
            "https://example.org/fhir/StructureDefinition/score");
  EXPECT_EQ(report.value_of("conclusion").find("line1\nline2") != std::string::npos, true);
}

TEST(XmlFormat, KeepsNarrativeXhtmlWithEntitiesAndComments) {
  const Element report = parse_ok(tricky_xml());
  const Element* div = report.find_path("text.div");
  ASSERT_NE(div, nullptr);
  EXPECT_EQ(div->kind, NodeKind::kXhtml);
  const std::string& markup = *div->value;
  EXPECT_EQ(markup.rfind("<div xmlns=\"http://www.w3.org/1999/xhtml\">", 0), 0u) << markup;
  EXPECT_NE(markup.find("&amp; neck"), std::string::npos);
  EXPECT_NE(markup.find("&lt;findings&gt;"), std::string::npos);
  EXPECT_NE(markup.find("caf\xC3\xA9"), std::string::npos);
  EXPECT_NE(markup.find("<!-- kept inside the div -->"), std::string::npos);
  EXPECT_NE(markup.find("a=1&amp;b=2"), std::string::npos);
}

TEST(XmlFormat, RoundTripKeepsOrderAndDropsOnlyCommentsOutsideNarrative) {
  const std::string input = tricky_xml();
  auto output = write_xml(parse_ok(input), {true});
  ASSERT_TRUE(output.ok()) << output.error().describe();
  EXPECT_EQ(canonical_xml(input), canonical_xml(*output));
  EXPECT_EQ(output->find("Hand-written for Explainer"), std::string::npos);
  EXPECT_NE(output->find("kept inside the div"), std::string::npos);
  EXPECT_EQ(output->rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
}

TEST(XmlFormat, KeepsUnknownElementsInPlace) {
  const std::string input =
      R"(<Basic xmlns="http://hl7.org/fhir"><id value="b"/><futureThing id="f"><a value="1"/>)"
      R"(<extension url="u"><valueString value="s"/></extension></futureThing>)"
      R"(<code><futureInCode value="x"/><text value="t"/></code><futureTail/></Basic>)";
  auto output = write_xml(parse_ok(input));
  ASSERT_TRUE(output.ok()) << output.error().describe();
  EXPECT_EQ(canonical_xml(input), canonical_xml(*output));
}

TEST(XmlFormat, AcceptsPrefixedFhirAndXhtmlNamespaces) {
  const std::string input =
      R"(<f:Patient xmlns:f="http://hl7.org/fhir" xmlns:h="http://www.w3.org/1999/xhtml">)"
      R"(<f:text><f:status value="generated"/><h:div><h:p>Hi</h:p></h:div></f:text>)"
      R"(<f:active value="true"/></f:Patient>)";
  const Element patient = parse_ok(input);
  const Element* div = patient.find_path("text.div");
  ASSERT_NE(div, nullptr);
  // The dumped div is self-contained: it declares the namespace it uses.
  EXPECT_NE(div->value->find("xmlns:h=\"http://www.w3.org/1999/xhtml\""), std::string::npos)
      << *div->value;
  auto json = write_json(patient);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find("\"active\":true"), std::string::npos) << *json;
  auto xml = write_xml(patient);
  ASSERT_TRUE(xml.ok()) << xml.error().describe();
  // Same data; the writer uses the default FHIR namespace, the div keeps its prefix.
  EXPECT_EQ(
      canonical_xml(*xml),
      canonical_xml(R"(<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>)"
                    R"(<h:div xmlns:h="http://www.w3.org/1999/xhtml"><h:p>Hi</h:p></h:div>)"
                    R"(</text><active value="true"/></Patient>)"));
}

TEST(XmlFormat, IgnoresSchemaLocationAttribute) {
  auto parsed = parse_xml(
      R"(<Patient xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance")"
      R"( xsi:schemaLocation="http://hl7.org/fhir fhir.xsd"><id value="p"/></Patient>)");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->value_of("id"), "p");
}

struct BadXml {
  const char* name;
  const char* text;
  ErrorCode code;
};

class XmlErrors : public ::testing::TestWithParam<BadXml> {};

TEST_P(XmlErrors, AreReportedAsValues) {
  auto parsed = parse_xml(GetParam().text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, GetParam().code) << parsed.error().describe();
  EXPECT_FALSE(parsed.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, XmlErrors,
    ::testing::Values(
        BadXml{"Empty", "", ErrorCode::kMalformed},
        BadXml{"Unclosed", R"(<Patient xmlns="http://hl7.org/fhir"><id value="p"/>)",
               ErrorCode::kMalformed},
        BadXml{"Mismatched", R"(<Patient xmlns="http://hl7.org/fhir"><id></name></Patient>)",
               ErrorCode::kMalformed},
        BadXml{"UndefinedEntity",
               R"(<Patient xmlns="http://hl7.org/fhir"><id value="&foo;"/></Patient>)",
               ErrorCode::kMalformed},
        BadXml{"NoNamespace", R"(<Patient><id value="p"/></Patient>)", ErrorCode::kNotFhir},
        BadXml{
            "ForeignChild",
            R"(<Patient xmlns="http://hl7.org/fhir"><x:id xmlns:x="urn:x" value="p"/></Patient>)",
            ErrorCode::kNotFhir},
        BadXml{"UnknownAttribute",
               R"(<Patient xmlns="http://hl7.org/fhir"><id value="p" foo="1"/></Patient>)",
               ErrorCode::kNotFhir},
        BadXml{"TextContent", R"(<Patient xmlns="http://hl7.org/fhir"><id>p</id></Patient>)",
               ErrorCode::kNotFhir},
        BadXml{
            "DivNotXhtml",
            R"(<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div/></text></Patient>)",
            ErrorCode::kNotFhir},
        BadXml{
            "TwoContainedResources",
            R"(<Patient xmlns="http://hl7.org/fhir"><contained><Basic/><Basic/></contained></Patient>)",
            ErrorCode::kNotFhir},
        BadXml{"BadQName", R"(<Patient xmlns="http://hl7.org/fhir"><:x value="1"/></Patient>)",
               ErrorCode::kMalformed},
        BadXml{"UndeclaredPrefix",
               R"(<Patient xmlns="http://hl7.org/fhir"><q:x value="1"/></Patient>)",
               ErrorCode::kMalformed},
        BadXml{"Doctype", R"(<!DOCTYPE Patient><Patient xmlns="http://hl7.org/fhir"/>)",
               ErrorCode::kForbidden}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(XmlFormat, MalformedInputReportsLine) {
  auto parsed = parse_xml(
      "<Patient xmlns=\"http://hl7.org/fhir\">\n<id value=\"p\"/>\n<active "
      "value=\"true\">\n</Patient>");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kMalformed);
  EXPECT_GE(parsed.error().line, 3u);
  EXPECT_NE(parsed.error().describe().find("line"), std::string::npos);
}

TEST(XmlFormat, WriterValidatesNarrativeFromJson) {
  auto broken = parse_json(
      R"({"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>open</div>"}})");
  ASSERT_TRUE(broken.ok());
  auto written = write_xml(*broken);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kUnwritable);

  auto entity_bomb = parse_json(
      R"({"resourceType":"Patient","text":{"status":"generated","div":"<!DOCTYPE div [<!ENTITY a \"aaaa\">]><div>&a;</div>"}})");
  ASSERT_TRUE(entity_bomb.ok());
  EXPECT_FALSE(write_xml(*entity_bomb).ok());

  auto no_namespace = parse_json(
      R"({"resourceType":"Patient","text":{"status":"generated","div":"<div><p>ok</p></div>"}})");
  ASSERT_TRUE(no_namespace.ok());
  auto fixed = write_xml(*no_namespace);
  ASSERT_TRUE(fixed.ok()) << fixed.error().describe();
  EXPECT_NE(fixed->find("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>ok</p></div>"),
            std::string::npos)
      << *fixed;
}

TEST(XmlFormat, WriterRefusesWhatXmlCannotCarry) {
  Element control = make_resource("Patient");
  insert_primitive(control, "id", std::string("a\x01z"));
  EXPECT_EQ(write_xml(control).error().code, ErrorCode::kUnwritable);

  Element bad_name = make_resource("Basic");
  bad_name.children.push_back(make_primitive("1 bad", "x"));
  EXPECT_EQ(write_xml(bad_name).error().code, ErrorCode::kUnwritable);

  Element not_resource = make_complex("code");
  EXPECT_FALSE(write_xml(not_resource).ok());
}

// Output of the writers validates against the official R4 schema.
TEST(XmlFormat, OutputValidatesAgainstFhirXsd) {
  if (!testing::have_xmllint()) GTEST_SKIP() << "xmllint not installed";
  const auto out_dir = std::filesystem::path(EXPLAINER_BINARY_DIR) / "fhir-xsd-check";
  std::filesystem::create_directories(out_dir);
  std::vector<std::filesystem::path> written;
  auto write_file = [&](const std::string& name, const std::string& xml) {
    const auto path = out_dir / name;
    std::ofstream(path, std::ios::binary) << xml;
    written.push_back(path);
  };
  for (const auto& path : testing::fixtures_with_extension(".json")) {
    auto model = parse_json(read_file(path));
    ASSERT_TRUE(model.ok()) << path << ": " << model.error().describe();
    auto xml = write_xml(*model, {true});
    ASSERT_TRUE(xml.ok()) << path << ": " << xml.error().describe();
    write_file(path.stem().string() + ".from-json.xml", *xml);
  }
  auto tricky = write_xml(parse_ok(tricky_xml()));
  ASSERT_TRUE(tricky.ok());
  write_file("tricky.roundtrip.xml", *tricky);

  std::string output;
  const int status = testing::xmllint_validate(written, &output);
  EXPECT_EQ(status, 0) << output;
}

}  // namespace
}  // namespace explainer::fhir

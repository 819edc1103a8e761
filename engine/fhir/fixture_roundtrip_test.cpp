// Every shared FHIR example survives JSON->model->JSON, XML->model->XML, and converts
// between JSON and XML into its published twin (compared as data, not bytes).
#include <gtest/gtest.h>

#include <filesystem>

#include "fhir/json_format.h"
#include "fhir/test_support.h"
#include "fhir/xml_format.h"

namespace explainer::fhir {
namespace {

using testing::canonical_xml;
using testing::fixtures_with_extension;
using testing::json_same;
using testing::read_file;

TEST(FixtureRoundTrip, FixturesArePresent) {
  EXPECT_GE(fixtures_with_extension(".json").size(), 19u);
  EXPECT_GE(fixtures_with_extension(".xml").size(), 17u);
}

// The comparison helpers must be able to fail, or the tests below prove nothing.
TEST(FixtureRoundTrip, ComparisonHelpersDetectDifferences) {
  std::string difference;
  EXPECT_TRUE(json_same(R"({"a":1.50,"b":[1,2]})", R"({"b":[1,2],"a":1.50})", false, &difference));
  EXPECT_FALSE(json_same(R"({"a":1.50})", R"({"a":1.5})", false, &difference));
  EXPECT_FALSE(json_same(R"({"a":"1"})", R"({"a":1})", false, &difference));
  EXPECT_FALSE(json_same(R"({"a":[1,2]})", R"({"a":[2,1]})", false, &difference));
  EXPECT_FALSE(json_same(R"({"a":1})", R"({"a":1,"b":null})", false, &difference));
  const std::string x1 =
      R"(<a xmlns="http://hl7.org/fhir"><b value="1"/><!-- c --><c value="2"/></a>)";
  const std::string x2 =
      "<a xmlns=\"http://hl7.org/fhir\">\n  <b value=\"1\"/>\n  <c value=\"2\"/>\n</a>";
  const std::string x3 = R"(<a xmlns="http://hl7.org/fhir"><c value="2"/><b value="1"/></a>)";
  EXPECT_EQ(canonical_xml(x1), canonical_xml(x2));
  EXPECT_NE(canonical_xml(x1), canonical_xml(x3));
}

TEST(FixtureRoundTrip, JsonToModelToJsonKeepsEveryElement) {
  for (const auto& path : fixtures_with_extension(".json")) {
    SCOPED_TRACE(path.filename().string());
    const std::string input = read_file(path);
    auto model = parse_json(input);
    ASSERT_TRUE(model.ok()) << model.error().describe();
    auto output = write_json(*model);
    ASSERT_TRUE(output.ok()) << output.error().describe();
    std::string difference;
    EXPECT_TRUE(json_same(input, *output, false, &difference)) << difference;
  }
}

TEST(FixtureRoundTrip, XmlToModelToXmlKeepsEveryElement) {
  for (const auto& path : fixtures_with_extension(".xml")) {
    SCOPED_TRACE(path.filename().string());
    const std::string input = read_file(path);
    auto model = parse_xml(input);
    ASSERT_TRUE(model.ok()) << model.error().describe();
    for (bool pretty : {false, true}) {
      auto output = write_xml(*model, {pretty});
      ASSERT_TRUE(output.ok()) << output.error().describe();
      const std::string expected = canonical_xml(input);
      ASSERT_FALSE(expected.empty());
      EXPECT_EQ(expected, canonical_xml(*output));
    }
  }
}

TEST(FixtureRoundTrip, XmlConvertsToTheJsonTwin) {
  for (const auto& path : fixtures_with_extension(".xml")) {
    auto twin = path;
    twin.replace_extension(".json");
    if (!std::filesystem::exists(twin)) continue;
    SCOPED_TRACE(path.filename().string());
    auto model = parse_xml(read_file(path));
    ASSERT_TRUE(model.ok()) << model.error().describe();
    auto json = write_json(*model);
    ASSERT_TRUE(json.ok()) << json.error().describe();
    std::string difference;
    EXPECT_TRUE(json_same(read_file(twin), *json, true, &difference)) << difference;
  }
}

TEST(FixtureRoundTrip, JsonConvertsToTheXmlTwin) {
  for (const auto& path : fixtures_with_extension(".json")) {
    auto twin = path;
    twin.replace_extension(".xml");
    if (!std::filesystem::exists(twin)) continue;
    SCOPED_TRACE(path.filename().string());
    auto model = parse_json(read_file(path));
    ASSERT_TRUE(model.ok()) << model.error().describe();
    auto xml = write_xml(*model);
    ASSERT_TRUE(xml.ok()) << xml.error().describe();
    EXPECT_EQ(canonical_xml(read_file(twin)), canonical_xml(*xml));
  }
}

TEST(FixtureRoundTrip, ModelsFromJsonAndXmlTwinsAreEqual) {
  for (const auto& path : fixtures_with_extension(".json")) {
    auto twin = path;
    twin.replace_extension(".xml");
    if (!std::filesystem::exists(twin)) continue;
    SCOPED_TRACE(path.filename().string());
    auto from_json = parse_json(read_file(path));
    auto from_xml = parse_xml(read_file(twin));
    ASSERT_TRUE(from_json.ok() && from_xml.ok());
    // Both end in the same JSON (XHTML compared as XML).
    auto a = write_json(*from_json);
    auto b = write_json(*from_xml);
    ASSERT_TRUE(a.ok() && b.ok());
    std::string difference;
    EXPECT_TRUE(json_same(*a, *b, true, &difference)) << difference;
  }
}

}  // namespace
}  // namespace explainer::fhir

#include "fhir/json_format.h"

#include <gtest/gtest.h>

#include "fhir/fhir.h"
#include "fhir/test_support.h"

namespace explainer::fhir {
namespace {

using testing::fixture_dir;
using testing::json_same;
using testing::read_file;

Element parse_ok(const std::string& text) {
  auto parsed = parse_json(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().describe();
  return parsed.ok() ? *parsed : Element{};
}

Element tricky() {
  return parse_ok(read_file(fixture_dir() / "handwritten" / "tricky-report.json"));
}

TEST(JsonFormat, KeepsDecimalLexicalFormAndJsonTypes) {
  const Element report = tricky();
  const Element* observation = report.children_named("contained").at(1);
  const Element* quantity_value = observation->find_path("valueQuantity.value");
  ASSERT_NE(quantity_value, nullptr);
  EXPECT_EQ(*quantity_value->value, "1.50");
  EXPECT_EQ(quantity_value->value_kind, ValueKind::kNumber);
  const Element* score = report.children_named("extension").at(0)->child("valueDecimal");
  EXPECT_EQ(*score->value, "0.10");
  const Element* flag = report.child("contained")->find_path("modifierExtension.valueBoolean");
  ASSERT_NE(flag, nullptr);
  EXPECT_EQ(flag->value_kind, ValueKind::kBoolean);
  EXPECT_EQ(*flag->value, "true");
}

TEST(JsonFormat, PairsPrimitiveExtensionsAndArrayNulls) {
  const Element report = tricky();
  const Element& patient = *report.child("contained");
  ASSERT_EQ(patient.resource_type, "Patient");
  const Element* birth_date = patient.child("birthDate");
  ASSERT_NE(birth_date, nullptr);
  EXPECT_EQ(*birth_date->value, "1970-03-30");
  ASSERT_NE(birth_date->child("extension"), nullptr);
  EXPECT_EQ(birth_date->child("extension")->value_of("url"),
            "http://hl7.org/fhir/StructureDefinition/patient-birthTime");

  const auto given = patient.child("name")->children_named("given");
  ASSERT_EQ(given.size(), 3u);
  EXPECT_EQ(*given[0]->value, "Ann");
  EXPECT_TRUE(given[0]->children.empty());
  EXPECT_FALSE(given[1]->value.has_value());
  EXPECT_EQ(given[1]->child("extension")->value_at("valueCode"), "masked");
  EXPECT_EQ(*given[2]->value, "Zo\xC3\xAB");
  EXPECT_EQ(given[2]->value_of("id"), "g3");

  const Element* issued = report.child("issued");
  ASSERT_NE(issued, nullptr);
  EXPECT_FALSE(issued->value.has_value());
  EXPECT_EQ(report.child("status")->value_of("id"), "st");
}

TEST(JsonFormat, ChildrenFollowDefinitionOrderWhateverTheJsonOrder) {
  const Element report = tricky();
  std::vector<std::string> names;
  for (const Element& child : report.children) {
    if (names.empty() || names.back() != child.name) names.push_back(child.name);
  }
  const std::vector<std::string> expected = {
      "id",   "meta",    "text",   "contained", "extension",  "modifierExtension", "status",
      "code", "subject", "issued", "result",    "conclusion", "presentedForm"};
  EXPECT_EQ(names, expected);
}

TEST(JsonFormat, RoundTripsTheTrickyResourcePrettyAndCompact) {
  const std::string input = read_file(fixture_dir() / "handwritten" / "tricky-report.json");
  const Element report = parse_ok(input);
  for (bool pretty : {false, true}) {
    auto output = write_json(report, {pretty});
    ASSERT_TRUE(output.ok()) << output.error().describe();
    std::string difference;
    EXPECT_TRUE(json_same(input, *output, false, &difference)) << difference;
    EXPECT_NE(output->find("1.50"), std::string::npos);
    EXPECT_EQ(parse_ok(*output), report);
  }
}

TEST(JsonFormat, KeepsUnknownElementsAndTheirShape) {
  const std::string input = R"({"resourceType":"Basic","id":"b",
    "futureThing":{"a":[1,2.0],"b":"x","nested":{"resourceType":"Patient","id":"p"}},
    "futureList":[{"c":true}],
    "futurePrim":"v","_futurePrim":{"id":"z"},
    "futureArray":["a",null],"_futureArray":[null,{"id":"q"}],
    "code":{"text":"t","futureInCode":[{"x":"y"}]}})";
  const Element basic = parse_ok(input);
  auto output = write_json(basic);
  ASSERT_TRUE(output.ok()) << output.error().describe();
  std::string difference;
  EXPECT_TRUE(json_same(input, *output, false, &difference)) << difference << "\n" << *output;
  EXPECT_EQ(basic.find_path("futureThing.nested")->resource_type, "Patient");
}

TEST(JsonFormat, UnknownResourceTypesRoundTrip) {
  const std::string input = R"({"resourceType":"FutureResource","id":"f","thing":[{"a":"b"}]})";
  auto output = write_json(parse_ok(input));
  ASSERT_TRUE(output.ok());
  EXPECT_TRUE(json_same(input, *output, false, nullptr));
}

struct BadJson {
  const char* name;
  const char* text;
  ErrorCode code;
};

class JsonErrors : public ::testing::TestWithParam<BadJson> {};

TEST_P(JsonErrors, AreReportedAsValues) {
  auto parsed = parse_json(GetParam().text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, GetParam().code) << parsed.error().describe();
  EXPECT_FALSE(parsed.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, JsonErrors,
    ::testing::Values(
        BadJson{"Truncated", R"({"resourceType":"Patient","id":)", ErrorCode::kMalformed},
        BadJson{"TrailingGarbage", R"({"resourceType":"Patient"} x)", ErrorCode::kMalformed},
        BadJson{"InvalidUtf8", "{\"resourceType\":\"Patient\",\"id\":\"\xC3\x28\"}",
                ErrorCode::kMalformed},
        BadJson{"Empty", "", ErrorCode::kMalformed},
        BadJson{"NotAnObject", "[1,2]", ErrorCode::kNotFhir},
        BadJson{"NoResourceType", R"({"id":"x"})", ErrorCode::kNotFhir},
        BadJson{"DuplicateKey", R"({"resourceType":"Patient","id":"a","id":"b"})",
                ErrorCode::kNotFhir},
        BadJson{"NullScalar", R"({"resourceType":"Patient","gender":null})", ErrorCode::kNotFhir},
        BadJson{"NullWithoutUnderscore", R"({"resourceType":"Patient","name":[{"given":[null]}]})",
                ErrorCode::kNotFhir},
        BadJson{"UnderscoreLengthMismatch",
                R"({"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]})",
                ErrorCode::kNotFhir},
        BadJson{"EmptyArray", R"({"resourceType":"Patient","name":[]})", ErrorCode::kNotFhir},
        BadJson{"ObjectForPrimitive", R"({"resourceType":"Patient","gender":{"a":"b"}})",
                ErrorCode::kNotFhir},
        BadJson{"StringForComplex", R"({"resourceType":"Patient","maritalStatus":"M"})",
                ErrorCode::kNotFhir},
        BadJson{"ContainedWithoutResourceType",
                R"({"resourceType":"Patient","contained":[{"id":"x"}]})", ErrorCode::kNotFhir},
        BadJson{"DivNotString",
                R"({"resourceType":"Patient","text":{"status":"generated","div":1}})",
                ErrorCode::kNotFhir}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(JsonFormat, MalformedInputReportsLineAndColumn) {
  auto parsed = parse_json("{\n  \"resourceType\": \"Patient\",\n  \"id\": ,\n}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().line, 3u);
  EXPECT_GT(parsed.error().column, 1u);
  EXPECT_GT(parsed.error().offset, 0u);
  EXPECT_NE(parsed.error().describe().find("line 3"), std::string::npos);
}

TEST(JsonFormat, RejectsTooDeepAndTooLargeInput) {
  std::string deep = R"({"resourceType":"Basic","x":)";
  for (int i = 0; i < 5000; ++i) deep += "[";
  auto parsed = parse_json(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTooDeep);

  ReadOptions small;
  small.max_bytes = 10;
  auto too_large = parse_json(R"({"resourceType":"Patient"})", small);
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.error().code, ErrorCode::kTooLarge);
}

TEST(JsonFormat, AcceptsUtf8ByteOrderMark) {
  auto parsed = parse_json("\xEF\xBB\xBF{\"resourceType\":\"Patient\"}");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->resource_type, "Patient");
}

TEST(JsonFormat, WriterRefusesValuesItCannotRepresent) {
  Element patient = make_resource("Patient");
  insert_primitive(patient, "active", "maybe");  // boolean by the table
  auto written = write_json(patient);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kUnwritable);
  EXPECT_EQ(written.error().message.find("maybe"), std::string::npos);  // no values in errors

  Element basic = make_resource("Basic");
  basic.children.push_back(make_primitive("n", "1.2.3", ValueKind::kNumber));
  EXPECT_FALSE(write_json(basic).ok());

  Element bad_utf8 = make_resource("Basic");
  insert_primitive(bad_utf8, "id", "\xC3\x28");
  EXPECT_FALSE(write_json(bad_utf8, {true}).ok());
}

}  // namespace
}  // namespace explainer::fhir

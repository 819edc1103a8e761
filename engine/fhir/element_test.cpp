#include "fhir/element.h"

#include <gtest/gtest.h>

namespace explainer::fhir {
namespace {

TEST(Element, InsertChildKeepsDefinitionOrder) {
  Element report = make_resource("DiagnosticReport");
  insert_primitive(report, "conclusion", "c");
  insert_primitive(report, "status", "final");
  insert_primitive(report, "id", "r1");
  Element code = make_complex("code");
  insert_primitive(code, "text", "CT");
  insert_child(report, std::move(code));
  std::vector<std::string> names;
  for (const Element& child : report.children) names.push_back(child.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "status", "code", "conclusion"}));
  EXPECT_EQ(report.child("code")->child("text")->kind, NodeKind::kPrimitive);
}

TEST(Element, RepeatsAppendAfterExistingSiblings) {
  Element report = make_resource("DiagnosticReport");
  insert_primitive(report, "status", "final");
  Element first = make_complex("result");
  insert_primitive(first, "reference", "#a");
  insert_child(report, std::move(first));
  Element second = make_complex("result");
  insert_primitive(second, "reference", "#b");
  insert_child(report, std::move(second));
  const auto results = report.children_named("result");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]->value_of("reference"), "#a");
  EXPECT_EQ(results[1]->value_of("reference"), "#b");
}

TEST(Element, TableDecidesPrimitiveValueKinds) {
  Element patient = make_resource("Patient");
  Element& active = insert_primitive(patient, "active", "true");
  EXPECT_EQ(active.value_kind, ValueKind::kBoolean);
  Element observation = make_resource("Observation");
  Element& value = insert_child(observation, make_complex("valueQuantity"));
  EXPECT_EQ(insert_primitive(value, "value", "1.50").value_kind, ValueKind::kNumber);
}

TEST(Element, UnknownChildrenGoLastAndNavigationHelpersWork) {
  Element basic = make_resource("Basic");
  basic.children.push_back(make_primitive("futureThing", "x"));
  insert_primitive(basic, "id", "b");
  EXPECT_EQ(basic.children.front().name, "id");
  EXPECT_EQ(basic.value_of("futureThing"), "x");
  EXPECT_EQ(basic.value_of("missing"), "");
  EXPECT_EQ(basic.child_value("missing"), nullptr);
  EXPECT_EQ(basic.find_path("a.b.c"), nullptr);
  EXPECT_EQ(basic.value_at("id"), "b");
}

TEST(Element, ExtensionBuilderPutsUrlAndValue) {
  Element report = make_resource("DiagnosticReport");
  insert_primitive(report, "status", "final");
  Element& extension =
      add_extension(report, "https://example.org/x", make_primitive("valueString", "v"), true);
  EXPECT_EQ(extension.name, "modifierExtension");
  EXPECT_EQ(extension.value_of("url"), "https://example.org/x");
  EXPECT_EQ(extension.value_of("valueString"), "v");
  EXPECT_EQ(report.children.front().name, "modifierExtension");
}

TEST(Element, EqualityComparesStructure) {
  Element a = make_resource("Patient");
  insert_primitive(a, "id", "x");
  Element b = a;
  EXPECT_EQ(a, b);
  b.children[0].value = "y";
  EXPECT_FALSE(a == b);
}

}  // namespace
}  // namespace explainer::fhir

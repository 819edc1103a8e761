#include "fhir/type_table.h"

#include <gtest/gtest.h>

namespace explainer::fhir::types {
namespace {

TEST(TypeTable, KnowsDiagnosticReportElements) {
  const TypeId report = find_type("DiagnosticReport");
  ASSERT_NE(report, kUnknownType);
  EXPECT_EQ(kind(report), Kind::kResource);

  const auto result = find_element(report, "result");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->is_array);
  EXPECT_EQ(type_name(result->type), "Reference");

  const auto status = find_element(report, "status");
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->is_array);
  EXPECT_EQ(kind(status->type), Kind::kString);

  const auto contained = find_element(report, "contained");
  ASSERT_TRUE(contained);
  EXPECT_EQ(kind(contained->type), Kind::kAnyResource);

  // Definition order: infrastructure first, then the resource's own elements.
  EXPECT_LT(find_element(report, "id")->order, find_element(report, "text")->order);
  EXPECT_LT(find_element(report, "modifierExtension")->order, status->order);
  EXPECT_LT(status->order, find_element(report, "conclusion")->order);
}

TEST(TypeTable, ExpandsChoiceElementsWithPrimitiveKinds) {
  const TypeId extension = find_type("Extension");
  ASSERT_NE(extension, kUnknownType);
  EXPECT_EQ(kind(find_element(extension, "valueBoolean")->type), Kind::kBoolean);
  EXPECT_EQ(kind(find_element(extension, "valueDecimal")->type), Kind::kNumber);
  EXPECT_EQ(kind(find_element(extension, "valueInteger")->type), Kind::kNumber);
  EXPECT_EQ(type_name(find_element(extension, "valueCode")->type), "code");
  EXPECT_EQ(type_name(find_element(extension, "valueQuantity")->type), "Quantity");
  EXPECT_FALSE(find_element(extension, "value"));
  EXPECT_FALSE(find_element(extension, "_valueString"));
}

TEST(TypeTable, NestedResourceSlotsAndNarrative) {
  EXPECT_EQ(kind(find_element(find_type("Bundle_Entry"), "resource")->type), Kind::kAnyResource);
  EXPECT_EQ(kind(find_element(find_type("Parameters_Parameter"), "resource")->type),
            Kind::kAnyResource);
  EXPECT_EQ(kind(find_element(find_type("Narrative"), "div")->type), Kind::kXhtml);
  EXPECT_TRUE(find_element(find_type("HumanName"), "given")->is_array);
  // Inline enums (code) and arrays of them.
  EXPECT_EQ(type_name(find_element(find_type("Bundle"), "type")->type), "code");
}

TEST(TypeTable, UnknownNamesAreReportedAsUnknown) {
  EXPECT_EQ(find_type("NoSuchType"), kUnknownType);
  EXPECT_EQ(kind(kUnknownType), Kind::kUnknown);
  EXPECT_FALSE(find_element(find_type("DiagnosticReport"), "noSuchElement"));
  EXPECT_FALSE(find_element(kUnknownType, "id"));
  EXPECT_EQ(type_name(kUnknownType), "");
}

}  // namespace
}  // namespace explainer::fhir::types

#include "fhir/operation_outcome.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fhir/json_format.h"
#include "fhir/test_support.h"
#include "fhir/xml_format.h"

namespace explainer::fhir {
namespace {

TEST(OperationOutcome, SerialisesToJson) {
  const Element outcome =
      make_operation_outcome({{IssueSeverity::kError,
                               IssueType::kStructure,
                               "JSON parse error <here>",
                               {"Bundle.entry[0]"}},
                              {IssueSeverity::kWarning, IssueType::kNotSupported, "", {}}});
  auto json = write_json(outcome);
  ASSERT_TRUE(json.ok()) << json.error().describe();
  EXPECT_NE(
      json->find(
          R"("issue":[{"severity":"error","code":"structure","diagnostics":"JSON parse error <here>","expression":["Bundle.entry[0]"]},{"severity":"warning","code":"not-supported"}])"),
      std::string::npos)
      << *json;
  EXPECT_NE(json->find("&lt;here&gt;"), std::string::npos);  // escaped in the narrative
}

TEST(OperationOutcome, EmptyIssueListStillHasOneIssue) {
  const Element outcome = make_operation_outcome({});
  EXPECT_EQ(outcome.children_named("issue").size(), 1u);
  EXPECT_EQ(outcome.child("issue")->value_of("code"), "informational");
}

TEST(OperationOutcome, IssueTypeCodes) {
  EXPECT_STREQ(to_code(IssueType::kMultipleMatches), "multiple-matches");
  EXPECT_STREQ(to_code(IssueType::kTooLong), "too-long");
  EXPECT_STREQ(to_code(IssueType::kBusinessRule), "business-rule");
  EXPECT_STREQ(to_code(IssueSeverity::kFatal), "fatal");
}

TEST(OperationOutcome, XmlValidatesAgainstSchema) {
  const Element outcome = make_operation_outcome({{IssueSeverity::kFatal,
                                                   IssueType::kTooLong,
                                                   "body too large & \"odd\"",
                                                   {"DiagnosticReport"}}});
  auto xml = write_xml(outcome, {true});
  ASSERT_TRUE(xml.ok()) << xml.error().describe();
  EXPECT_NE(xml->find("<severity value=\"fatal\"/>"), std::string::npos) << *xml;
  auto reparsed = parse_xml(*xml);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(reparsed->child("issue")->value_of("diagnostics"), "body too large & \"odd\"");
  if (!testing::have_xmllint()) GTEST_SKIP() << "xmllint not installed";
  const auto path = std::filesystem::path(EXPLAINER_BINARY_DIR) / "fhir-operation-outcome.xml";
  std::ofstream(path, std::ios::binary) << *xml;
  std::string output;
  EXPECT_EQ(testing::xmllint_validate({path}, &output), 0) << output;
}

}  // namespace
}  // namespace explainer::fhir

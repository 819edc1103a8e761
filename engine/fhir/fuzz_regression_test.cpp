// Inputs that once broke a fuzz property (tests/fixtures/fhir/fuzz_regressions/*.json
// / *.xml) keep passing the same checks the fuzz targets apply.
#include <gtest/gtest.h>

#include <filesystem>

#include "fhir/fuzz/fuzz_oracle.h"
#include "fhir/test_support.h"

namespace explainer::fhir {
namespace {

TEST(FuzzRegressions, StoredInputsSatisfyTheFuzzProperties) {
  const auto dir = testing::fixture_dir() / "fuzz_regressions";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string text = testing::read_file(entry.path());
    SCOPED_TRACE(entry.path().filename().string());
    if (entry.path().extension() == ".json") {
      EXPECT_EQ(fuzz::check_json_input(text), "");
    } else if (entry.path().extension() == ".xml") {
      EXPECT_EQ(fuzz::check_xml_input(text), "");
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// From fuzzing: an XML element named "_x" would be written as a JSON `_x` property,
// which means "extensions of x" in JSON. The JSON writer must refuse it instead.
TEST(FuzzRegressions, UnderscoreElementNamesAreNotWrittenToJson) {
  auto model = parse_xml(R"(<Basic xmlns="http://hl7.org/fhir"><_code value="1"/></Basic>)");
  ASSERT_TRUE(model.ok());
  auto json = write_json(*model);
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kUnwritable);
  EXPECT_TRUE(write_xml(*model).ok());
}

}  // namespace
}  // namespace explainer::fhir

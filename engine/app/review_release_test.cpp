#include "app/review_release.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hl7v2/message.h"

namespace explainer::app {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(EXPLAINER_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

DestinationConfig destination(const std::string& name, const std::string& type) {
  DestinationConfig d;
  d.name = name;
  d.type = type;
  return d;
}

class PlanRelease : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = content::ContentLibrary::load(std::string(EXPLAINER_SOURCE_DIR) + "/content");
    ASSERT_TRUE(loaded.ok());
    library_ = new std::shared_ptr<const content::ContentLibrary>(loaded.library);
  }
  static void TearDownTestSuite() { delete library_; }

  static store::HeldItem held(const std::string& format, std::vector<std::string> destinations) {
    store::HeldItem item;
    item.id = 7;
    item.message_id = 3;
    item.format = format;
    item.entry.destinations = std::move(destinations);
    item.entry.report_index = 0;
    item.entry.accession = "ACC100005";
    item.entry.finding_id = "spinal_metastasis";
    item.entry.content_id = "spinal_metastasis";
    item.entry.content_version = "0.9.0";  // older than the library's
    item.entry.language = "en";
    return item;
  }
  static std::shared_ptr<const content::ContentLibrary>* library_;
};

std::shared_ptr<const content::ContentLibrary>* PlanRelease::library_ = nullptr;

TEST_F(PlanRelease, EachDestinationGetsTheFormOfItsKindAndUnknownOnesAreSkipped) {
  EngineConfig config;
  config.destinations = {destination("portal", "mllp"), destination("archive", "file"),
                         destination("letters", "letter")};
  config.destinations[0].obx_format = ObxFormat::kEncapsulatedHtml;
  const std::string oru = read_source_file("tests/fixtures/radiology/mri-spine-metastasis.hl7");
  const ReleasePlan plan = plan_release(held("hl7v2", {"portal", "archive", "letters", "gone"}),
                                        oru, config, **library_, 1764086400000);
  ASSERT_TRUE(plan.error.empty()) << plan.error;
  ASSERT_EQ(plan.follow_ups.size(), 2u);
  EXPECT_EQ(plan.follow_ups[0].destination, "portal");
  EXPECT_NE(plan.follow_ups[0].payload.find("\rOBX|1|ED|"), std::string::npos);
  EXPECT_EQ(plan.follow_ups[1].destination, "archive");
  EXPECT_NE(plan.follow_ups[1].payload.find("\rOBX|1|FT|"), std::string::npos);
  EXPECT_EQ(plan.control_id, "XH7-764086400");
  const auto parsed = hl7v2::parse(plan.follow_ups[1].payload);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.message->header().control_id, plan.control_id);
  std::string notes;
  for (const auto& n : plan.notes) notes += n + "\n";
  EXPECT_NE(notes.find("letters (letter) takes no follow-up"), std::string::npos) << notes;
  EXPECT_NE(notes.find("gone is no longer configured"), std::string::npos) << notes;
  EXPECT_NE(notes.find("held at 0.9.0"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("ACC100005"), std::string::npos) << "notes carry no patient data";
}

TEST_F(PlanRelease, FhirReportsGetABundleInTheDestinationsFormat) {
  EngineConfig config;
  config.destinations = {destination("ehr", "fhir"), destination("archive", "file")};
  config.destinations[0].format = "xml";
  const std::string report =
      R"({"resourceType":"DiagnosticReport","id":"t1","status":"final","code":{"text":"MRI"},)"
      R"("subject":{"reference":"Patient/p1"},"conclusion":"Osseous metastatic disease in L2."})";
  store::HeldItem item = held("fhir-json", {"ehr", "archive"});
  item.entry.report_id = "t1";
  const ReleasePlan plan = plan_release(item, report, config, **library_, 1764086400000);
  ASSERT_TRUE(plan.error.empty()) << plan.error;
  ASSERT_EQ(plan.follow_ups.size(), 2u);
  EXPECT_NE(plan.follow_ups[0].payload.find("<Bundle xmlns=\"http://hl7.org/fhir\""),
            std::string::npos)
      << plan.follow_ups[0].payload;
  EXPECT_NE(plan.follow_ups[1].payload.find("\"resourceType\":\"Bundle\""), std::string::npos);
  EXPECT_NE(plan.follow_ups[1].payload.find("DiagnosticReport/t1"), std::string::npos);
}

TEST_F(PlanRelease, NothingToSendIsAnError) {
  EngineConfig config;
  config.destinations = {destination("letters", "letter")};
  const ReleasePlan plan =
      plan_release(held("hl7v2", {"letters"}), "MSH|^~\\&|x\r", config, **library_, 1764086400000);
  EXPECT_FALSE(plan.error.empty());
  EXPECT_TRUE(plan.follow_ups.empty());
}

}  // namespace
}  // namespace explainer::app

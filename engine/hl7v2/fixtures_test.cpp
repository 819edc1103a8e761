// Runs every copied public HL7 v2 fixture (tests/fixtures/hl7v2) and every synthetic radiology
// message (tests/fixtures/radiology) through parse, serialise, dump, groups and ACK building.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hl7v2/hl7v2.h"

namespace explainer::hl7v2 {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Independent statement of the writer's normalisation (see message.h).
std::string normalised(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::string out;
  std::string line;
  for (char c : bytes) {
    if (c == '\r' || c == '\n') {
      if (!line.empty()) out += line + "\r";
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  if (!line.empty()) out += line + "\r";
  return out;
}

std::vector<fs::path> fixture_files(const std::string& folder) {
  std::vector<fs::path> files;
  const fs::path root = fs::path(EXPLAINER_SOURCE_DIR) / "tests" / "fixtures" / folder;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".hl7")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Fixtures, AllPublicAndSyntheticMessagesParseAndRoundTrip) {
  std::vector<fs::path> files = fixture_files("hl7v2");
  const std::vector<fs::path> radiology = fixture_files("radiology");
  files.insert(files.end(), radiology.begin(), radiology.end());
  ASSERT_GE(files.size(), 40u);
  for (const fs::path& path : files) {
    SCOPED_TRACE(path.filename().string());
    const std::string bytes = read_file(path);
    const ParseResult result = parse(bytes);
    if (path.filename() == "BundleToHl7v2.hl7") {  // FHS/BHS batch: refused clearly
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error.location.segment, "FHS");
      EXPECT_EQ(check_inbound(result).verdict, InboundVerdict::kReject);
      continue;
    }
    ASSERT_TRUE(result.ok()) << result.error.text;
    const Message& m = *result.message;
    EXPECT_EQ(m.serialize(), normalised(bytes));
    EXPECT_FALSE(dump_structure(m).empty());
    EXPECT_FALSE(m.header().message_code.empty());
    const std::string ack = build_ack(m, AckRequest{});
    const ParseResult ack_parsed = parse(ack);
    ASSERT_TRUE(ack_parsed.ok());
    EXPECT_EQ(ack_parsed.message->header().message_code, "ACK");
    EXPECT_EQ(ack_parsed.message->segment(1).raw(2), m.segment(0).raw(10));
    const InboundCheck check = check_inbound(result);
    if (m.header().message_type() == "ORU^R01") {
      EXPECT_EQ(check.verdict, InboundVerdict::kAccept);
    } else {
      EXPECT_NE(check.verdict, InboundVerdict::kAccept);
    }
  }
}

TEST(Fixtures, Dcm4cheRadiologyReport) {
  const fs::path path =
      fs::path(EXPLAINER_SOURCE_DIR) / "tests/fixtures/hl7v2/dcm4che_testdata/ORU_R01-SR.hl7";
  const ParseResult result = parse(read_file(path));
  ASSERT_TRUE(result.ok());
  const Message& m = *result.message;
  EXPECT_EQ(m.charset(), Charset::kLatin1);
  EXPECT_EQ(m.header().control_id, "1001129");
  const auto groups = find_obr_groups(m);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].observations.size(), 15u);
  EXPECT_EQ(m.segment(groups[0].obr).text(25), "F");
  const std::string dump = dump_structure(m);
  EXPECT_NE(dump.find("OBX-3.2"), std::string::npos);
  EXPECT_NE(dump.find("Procedure Findings"), std::string::npos);
}

TEST(Fixtures, BomAndLineFeedsInMicrosoftSamples) {
  const fs::path path =
      fs::path(EXPLAINER_SOURCE_DIR) / "tests/fixtures/hl7v2/ms_fhir_converter/LAB-ORU-1.hl7";
  const ParseResult result = parse(read_file(path));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.message->had_bom());
  EXPECT_GT(result.message->segment_count(), 10u);
  EXPECT_EQ(result.message->header().message_type(), "ORU^R01");
}

}  // namespace
}  // namespace explainer::hl7v2

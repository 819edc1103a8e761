#include "delivery/file_sink.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store/test_dir.h"

namespace explainer::delivery {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

DeliveryItem item(std::int64_t message_id, std::int64_t outbox_id, std::string payload) {
  DeliveryItem result;
  result.message_id = message_id;
  result.outbox_id = outbox_id;
  result.destination = "drop";
  result.payload = std::move(payload);
  return result;
}

TEST(FileSink, WritesTheExactBytesUnderAnOrderedNameAndLeavesNoTemporaryFile) {
  store::testing::TempDir dir;
  FileSink sink({dir.path() / "out", ".hl7", true});
  const std::string bytes("MSH|^~\\&|A\r\0\xff end", 16);
  const auto outcome = sink.deliver(item(42, 43, bytes));
  ASSERT_EQ(outcome.status, core::DeliveryStatus::kDelivered) << outcome.detail;
  const auto expected = dir.path() / "out" / "000000000042-000000000043.hl7";
  EXPECT_EQ(sink.path_for(item(42, 43, "")), expected);
  EXPECT_EQ(read_file(expected), bytes);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out")) {
    (void)entry;
    files++;
  }
  EXPECT_EQ(files, 1);
}

TEST(FileSink, RedeliveryRewritesTheSameFile) {
  store::testing::TempDir dir;
  FileSink sink({dir.path(), ".json", false});
  ASSERT_EQ(sink.deliver(item(1, 2, "{}")).status, core::DeliveryStatus::kDelivered);
  ASSERT_EQ(sink.deliver(item(1, 2, "{}")).status, core::DeliveryStatus::kDelivered);
  EXPECT_EQ(read_file(dir.path() / "000000000001-000000000002.json"), "{}");
}

TEST(FileSink, AMissingFolderIsATransientFailure) {
  store::testing::TempDir dir;
  FileSink sink({dir.path() / "gone", ".hl7", true});
  std::filesystem::remove_all(dir.path() / "gone");
  const auto outcome = sink.deliver(item(1, 1, "x"));
  EXPECT_EQ(outcome.status, core::DeliveryStatus::kRetry);
  EXPECT_NE(outcome.detail.find("open"), std::string::npos) << outcome.detail;
}

}  // namespace
}  // namespace explainer::delivery

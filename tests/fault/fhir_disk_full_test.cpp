// A full disk under the store, seen from the FHIR endpoint: explainerd answers 503 with an
// OperationOutcome (never 201) for what it cannot commit, keeps running, answers 201 again once
// space is freed, and delivers exactly what it acknowledged. (The MLLP side, AR 207: see
// disk_full_test.cpp.) Needs a tmpfs mount (root or CAP_SYS_ADMIN); skipped otherwise.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "fault/fault_support.h"
#include "fault/small_filesystem.h"
#include "fhir/fhir.h"

namespace explainer::fault {
namespace {

using test_support::free_port;
using test_support::TempDir;
using test_support::wait_for_port;

struct Reply {
  int status = -1;  // -1: no answer
  std::string body;
};

Reply post_report(std::uint16_t port, const std::string& id) {
  // 16 KiB of narrative per report: fills the WAL quickly.
  const std::string body =
      R"({"resourceType":"DiagnosticReport","id":")" + id +
      R"(","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">)" +
      std::string(16 * 1024, 'x') +
      R"(</div>"},"status":"final","code":{"text":"MRI lumbar spine"},"conclusion":"No acute abnormality."})";
  Reply reply;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest request("POST", "/fhir/DiagnosticReport",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/fhir+json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    reply.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, reply.body);
  } catch (const Poco::Exception& e) {
    reply.body = e.displayText();
  }
  return reply;
}

// The resource type of a JSON body and its first issue's code ("" when not parseable).
std::pair<std::string, std::string> outcome_of(const std::string& body) {
  auto parsed = fhir::parse_json(body);
  if (!parsed) return {};
  return {parsed->resource_type, parsed->value_at("issue.code")};
}

// The report ids found in the files a file destination wrote.
std::multiset<std::string> delivered_ids(const std::string& folder) {
  std::multiset<std::string> ids;
  if (!std::filesystem::exists(folder)) return ids;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = fhir::parse_json(text);
    if (parsed) ids.insert(parsed->value_of("id"));
  }
  return ids;
}

TEST(FhirDiskFullTest, Answers503WithAnOperationOutcomeWhileTheStoreCannotCommitAndRecovers) {
  TempDir dir;
  SmallFilesystem disk(dir.str("data"), "8m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.error() << ")";

  const std::uint16_t port = free_port();
  const std::string archive = dir.str("archive");  // outside the full disk
  const std::string config = dir.str("explainerd.properties");
  {
    std::ofstream out(config);
    out << "log.level = warning\n"
        << "log.file = " << dir.str("explainerd.log") << "\n"
        << "paths.data = " << dir.str("data") << "\n"
        << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
        << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
        << "listeners = api\n"
        << "listener.api.type = fhir\n"
        << "listener.api.port = " << port << "\n"
        << "destinations = archive\n"
        << "destination.archive.type = file\n"
        << "destination.archive.path = " << archive << "\n"
        << "destination.archive.enrich = false\n"
        << "retry.initial_ms = 50\nretry.max_ms = 500\n";
  }
  Explainerd daemon(config);
  daemon.start();
  ASSERT_TRUE(wait_for_port(port));

  std::set<std::string> acknowledged, refused;
  int seq = 0;
  auto next_id = [&] { return "r" + std::to_string(seq++); };
  for (int i = 0; i < 10; ++i) {
    const std::string id = next_id();
    ASSERT_EQ(post_report(port, id).status, 201) << "before the disk is full, " << id;
    acknowledged.insert(id);
  }

  ASSERT_GT(disk.fill("filler"), 0u);
  int refusals = 0;
  for (int i = 0; i < 1000 && refusals < 5; ++i) {
    const std::string id = next_id();
    const Reply r = post_report(port, id);
    if (r.status == 201) {
      acknowledged.insert(id);  // the WAL still had room it could reuse
      continue;
    }
    ASSERT_EQ(r.status, 503) << id << ": " << r.body;
    const auto [type, code] = outcome_of(r.body);
    EXPECT_EQ(type, "OperationOutcome") << r.body;
    EXPECT_FALSE(code.empty()) << r.body;
    refused.insert(id);
    ++refusals;
  }
  ASSERT_EQ(refusals, 5) << "the store never refused a report on a full disk";
  EXPECT_FALSE(daemon.has_exited());

  std::filesystem::remove(dir.str("data") + "/filler");
  Reply r;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string id;
  while ((r = post_report(port, id = next_id())).status != 201 &&
         std::chrono::steady_clock::now() < deadline) {
    refused.insert(id);
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(r.status, 201) << "still refusing after the space was freed: " << r.body;
  acknowledged.insert(id);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(post_report(port, id = next_id()).status, 201);
    acknowledged.insert(id);
  }
  std::cout << "[fault] disk full (FHIR): acknowledged=" << acknowledged.size()
            << " refused=" << refused.size() << "\n";

  std::multiset<std::string> delivered;
  const auto delivery_deadline = std::chrono::steady_clock::now() + 30s;
  while ((delivered = delivered_ids(archive)).size() < acknowledged.size() &&
         std::chrono::steady_clock::now() < delivery_deadline) {
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(300ms);
  delivered = delivered_ids(archive);
  for (const auto& a : acknowledged)
    EXPECT_EQ(delivered.count(a), 1u) << a << " acknowledged but not delivered once";
  for (const auto& x : refused)
    EXPECT_EQ(delivered.count(x), 0u) << x << " refused with 503 but delivered";
  EXPECT_EQ(daemon.terminate(10s), 0);
}

}  // namespace
}  // namespace explainer::fault

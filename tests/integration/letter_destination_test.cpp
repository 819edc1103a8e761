// The `letter` destination type with the real explainerd: an ORU in, a patient letter file out
// (named by message and outbox id only), holding the explanation's title; a report with nothing
// to explain writes no letter; with Chromium configured a PDF lies next to the HTML.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "support/files.h"
#include "support/process.h"

namespace explainer {
namespace {

using namespace test_support;

std::string write_letter_config(const TempDir& dir, std::uint16_t listen_port,
                                const std::string& extra = {}) {
  const std::string path = dir.str("explainerd.properties");
  std::ofstream out(path);
  out << "log.level = info\n"
      << "log.file = " << dir.str("explainerd.log") << "\n"
      << "paths.data = " << dir.str("data") << "\n"
      << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
      << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
      << "listeners = ris\n"
      << "listener.ris.port = " << listen_port << "\n"
      << "destinations = letters\n"
      << "destination.letters.type = letter\n"
      << "destination.letters.path = " << dir.str("letters") << "\n"
      << extra;
  return path;
}

std::vector<std::filesystem::path> files_in(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Waits until `dir` holds `count` files with `extension`; false after 60 s.
bool wait_for_files(const std::string& dir, std::size_t count, const std::string& extension) {
  for (int i = 0; i < 600; ++i) {
    std::size_t n = 0;
    for (const auto& f : files_in(dir)) n += f.extension() == extension ? 1 : 0;
    if (n >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

RunResult send(std::uint16_t port, const std::string& fixture) {
  return run(binary("explainer"),
             {"send", "--mllp", "127.0.0.1:" + std::to_string(port), fixture_path(fixture)});
}

TEST(LetterDestination, AnOruInAPatientLetterOutNamedByIdsOnly) {
  TempDir dir;
  const std::uint16_t port = free_port();
  Daemon daemon(binary("explainerd"), {"--config=" + write_letter_config(dir, port)});
  ASSERT_TRUE(wait_for_port(port));
  // Only a held (sensitive) finding: no letter. Then a spine report with routine findings.
  ASSERT_EQ(send(port, "radiology/mri-spine-metastasis.hl7").exit_code, 0);
  ASSERT_EQ(send(port, "radiology/mri-lumbar-spine.hl7").exit_code, 0);
  ASSERT_TRUE(wait_for_files(dir.str("letters"), 1, ".html")) << "no letter written";
  EXPECT_EQ(daemon.terminate(), 0);

  const auto files = files_in(dir.str("letters"));
  ASSERT_EQ(files.size(), 1u) << "one letter, no temporary files, none for the held-only report";
  const std::string name = files[0].filename().string();
  EXPECT_TRUE(std::regex_match(name, std::regex(R"(\d{12}-\d{12}\.html)"))) << name;
  EXPECT_EQ(name.substr(0, 12), "000000000002") << "the second message's id";
  const std::string letter = read_bytes(files[0].string());
  EXPECT_NE(letter.find("<h2>Disc bulge</h2>"), std::string::npos);
  EXPECT_NE(letter.find("</html>"), std::string::npos);
  const std::string log = read_bytes(dir.str("explainerd.log"));
  EXPECT_NE(log.find("letter_written"), std::string::npos);
  EXPECT_NE(log.find("letter_not_needed"), std::string::npos);
  EXPECT_EQ(log.find("ACC100"), std::string::npos) << "no accession numbers in the log";
}

TEST(LetterDestination, WithChromiumAPdfIsPrintedNextToTheHtml) {
  const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
  std::string chromium;
  for (const char* c : candidates) {
    if (std::filesystem::exists(c)) chromium = c;
  }
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed";
  TempDir dir;
  const std::uint16_t port = free_port();
  Daemon daemon(
      binary("explainerd"),
      {"--config=" +
       write_letter_config(dir, port, "destination.letters.chromium = " + chromium + "\n")});
  ASSERT_TRUE(wait_for_port(port));
  ASSERT_EQ(send(port, "radiology/mri-knee.hl7").exit_code, 0);
  ASSERT_TRUE(wait_for_files(dir.str("letters"), 1, ".pdf"))
      << read_bytes(dir.str("explainerd.log"));
  EXPECT_EQ(daemon.terminate(), 0);
  std::size_t html = 0, pdf = 0;
  for (const auto& f : files_in(dir.str("letters"))) {
    if (f.extension() == ".html") ++html;
    if (f.extension() == ".pdf") {
      ++pdf;
      EXPECT_EQ(read_bytes(f.string()).substr(0, 5), "%PDF-");
    }
  }
  EXPECT_EQ(html, 1u);
  EXPECT_EQ(pdf, 1u);
}

}  // namespace
}  // namespace explainer

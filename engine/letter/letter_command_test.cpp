#include "letter/letter_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "extract/extract.h"
#include "matching/rule_set.h"

namespace explainer::letter {
namespace {

const std::string kRoot = EXPLAINER_SOURCE_DIR;
const std::string kMappings = kRoot + "/mappings";
const std::string kContent = kRoot + "/content";

std::string fixture(const std::string& name) {
  return kRoot + "/tests/fixtures/radiology/" + name;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

CommandRun run(std::vector<std::string> args, bool with_defaults = true) {
  if (with_defaults) {
    args.insert(args.end(), {"--mappings", kMappings, "--content", kContent});
  }
  std::ostringstream out;
  std::ostringstream err;
  CommandRun result;
  result.code = run_letter_command(args, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Patient data in the fixtures that must never reach a letter or a log line.
void expect_no_patient_data(const std::string& text) {
  for (const char* value :
       {"TESTPATIENT", "ALEX", "MORGAN", "MRN1000", "ACC1000", "PLC1000", "19700101", "19900312",
        "EXAMPLE STREET", "TESTDOCTOR", "TESTRADIOLOGIST"}) {
    EXPECT_FALSE(contains(text, value)) << value;
  }
}

TEST(LetterCommand, RendersTheLumbarSpineLetterWithThreeExplanations) {
  const CommandRun r = run({fixture("mri-lumbar-spine.hl7")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_EQ(count_of(r.out, "<section class=\"explainer\""), 3u);
  EXPECT_TRUE(contains(r.out, "data-content-id=\"disc_bulge\""));
  EXPECT_TRUE(contains(r.out, "data-content-id=\"disc_herniation\""));
  EXPECT_TRUE(contains(r.out, "data-content-id=\"spinal_stenosis\""));
  EXPECT_TRUE(contains(r.out, "<dd>MRI LUMBAR SPINE WO CONTRAST</dd>"));
  EXPECT_TRUE(contains(r.out, "<dd>March 14, 2025</dd>"));
  // "No evidence of fracture or metastatic disease": negated, so not explained.
  EXPECT_FALSE(contains(r.out, "spinal_metastasis"));
  EXPECT_FALSE(contains(r.out, "vertebral_compression_fracture"));
  EXPECT_TRUE(r.err.empty()) << r.err;
  expect_no_patient_data(r.out);
}

TEST(LetterCommand, UsesThePatientLanguageOrTheOverride) {
  const CommandRun spanish = run({fixture("xr-chest-spanish.hl7")});
  ASSERT_EQ(spanish.code, 0) << spanish.err;
  EXPECT_EQ(spanish.out.rfind("<!DOCTYPE html>\n<html lang=\"es\">", 0), 0u);
  EXPECT_TRUE(contains(spanish.out, "<h1>Sobre su informe de imágenes</h1>"));
  EXPECT_TRUE(contains(spanish.out, "<dd>17 de marzo de 2025</dd>"));
  EXPECT_TRUE(contains(spanish.out, "data-content-id=\"atelectasis\""));
  expect_no_patient_data(spanish.out);

  const CommandRun english = run({fixture("xr-chest-spanish.hl7"), "--language", "en"});
  ASSERT_EQ(english.code, 0) << english.err;
  EXPECT_TRUE(contains(english.out, "<h1>About your imaging report</h1>"));
  EXPECT_TRUE(contains(english.out, "lang=\"en\" data-content-id=\"atelectasis\""));

  // No French content: English explanations inside a letter with English UI strings, each
  // marked as shown in another language.
  const CommandRun french = run({fixture("xr-chest-spanish.hl7"), "--language=fr"});
  ASSERT_EQ(french.code, 0) << french.err;
  EXPECT_TRUE(contains(french.out, "<html lang=\"en\">"));
  EXPECT_TRUE(contains(french.out, "class=\"explainer-fallback\""));
}

TEST(LetterCommand, WritesTheOutputFileAndACountOnlySummary) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("letter_command_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "letter.html";
  const CommandRun r = run({fixture("mri-lumbar-spine.hl7"), "--out", path.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(contains(r.err, "(3 explanations, 0 held, language en)")) << r.err;
  expect_no_patient_data(r.err);
  const std::string html = read_file(path);
  EXPECT_EQ(count_of(html, "<section class=\"explainer\""), 3u);

  const CommandRun unwritable =
      run({fixture("mri-lumbar-spine.hl7"), "--out", (dir / "missing" / "x.html").string()});
  EXPECT_EQ(unwritable.code, 1);
  EXPECT_TRUE(contains(unwritable.err, "cannot write"));
  std::filesystem::remove_all(dir);
}

TEST(LetterCommand, HeldFindingsBecomeANoteNotAnExplanation) {
  const CommandRun r = run({fixture("mri-spine-metastasis.hl7")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count_of(r.out, "<section class=\"explainer\""), 0u);
  EXPECT_TRUE(contains(r.out, "One explanation is being reviewed by your care team"));
  EXPECT_FALSE(contains(r.out, "spinal_metastasis"));
}

TEST(LetterCommand, PicksTheRequestedReport) {
  const CommandRun first = run({fixture("two-reports.hl7")});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "data-content-id=\"renal_cyst\""));
  EXPECT_FALSE(contains(first.out, "data-content-id=\"rotator_cuff_tendinosis\""));

  const CommandRun second = run({fixture("two-reports.hl7"), "--report", "1"});
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_TRUE(contains(second.out, "data-content-id=\"rotator_cuff_tendinosis\""));
  EXPECT_FALSE(contains(second.out, "data-content-id=\"renal_cyst\""));
  // "without rotator cuff tear": negated.
  EXPECT_FALSE(contains(second.out, "data-content-id=\"rotator_cuff_tear\""));

  const CommandRun out_of_range = run({fixture("two-reports.hl7"), "--report", "2"});
  EXPECT_EQ(out_of_range.code, 2);
  EXPECT_TRUE(contains(out_of_range.err, "out of range"));
}

TEST(LetterCommand, FailsWhenThereIsNothingToExplain) {
  const CommandRun preliminary = run({fixture("preliminary-report.hl7")});
  EXPECT_EQ(preliminary.code, 1);
  EXPECT_TRUE(contains(preliminary.err, "nothing to explain"));
  EXPECT_TRUE(preliminary.out.empty());

  const CommandRun not_released = run({fixture("preliminary-report.hl7"), "--report", "0"});
  EXPECT_EQ(not_released.code, 1);
  EXPECT_TRUE(contains(not_released.err, "not released"));

  const CommandRun no_impression = run({fixture("no-impression.hl7")});
  EXPECT_EQ(no_impression.code, 1);

  const CommandRun missing = run({fixture("does-not-exist.hl7")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(contains(missing.err, "cannot read"));

  const CommandRun not_hl7 = run({kContent + "/FORMAT.md"});
  EXPECT_EQ(not_hl7.code, 1);
  EXPECT_TRUE(contains(not_hl7.err, "is not an HL7 v2 message"));

  const CommandRun bad_rules =
      run({fixture("mri-lumbar-spine.hl7"), "--mappings", kRoot + "/no-such-dir"}, false);
  EXPECT_EQ(bad_rules.code, 1);
  EXPECT_TRUE(contains(bad_rules.err, "do not load"));
}

TEST(LetterCommand, RejectsBadUsage) {
  EXPECT_EQ(run({}, false).code, 2);
  EXPECT_EQ(run({"a.hl7", "b.hl7"}).code, 2);
  EXPECT_EQ(run({fixture("mri-lumbar-spine.hl7"), "--bogus"}).code, 2);
  EXPECT_EQ(run({fixture("mri-lumbar-spine.hl7"), "--report", "x"}).code, 2);
  EXPECT_EQ(run({fixture("mri-lumbar-spine.hl7"), "--report", "-1"}).code, 2);
  EXPECT_EQ(run({fixture("mri-lumbar-spine.hl7"), "--out"}, false).code, 2);
  const CommandRun help = run({"--help"}, false);
  EXPECT_EQ(help.code, 0);
  EXPECT_TRUE(contains(help.out, "usage: explainer letter FILE"));
}

TEST(LetterForMessage, ReturnsTheFirstReleasedReportWithExplanations) {
  const auto rules = matching::RuleSet::load_directory(kMappings);
  ASSERT_TRUE(rules.ok());
  const auto content = content::ContentLibrary::load(kContent);
  ASSERT_TRUE(content.ok());
  const matching::Matcher matcher(rules.rules);
  const enrich::Policy policy;

  auto letter_for = [&](const std::string& name) {
    std::string bytes = read_file(fixture(name));
    for (char& c : bytes) {
      if (c == '\n') c = '\r';
    }
    auto parsed = hl7v2::parse(bytes);
    EXPECT_TRUE(parsed.ok()) << name;
    const auto reports = extract::extract_reports(*parsed.message);
    return letter_for_message(*parsed.message, reports, matcher, *content.library, policy);
  };

  const auto lumbar = letter_for("mri-lumbar-spine.hl7");
  ASSERT_TRUE(lumbar.has_value());
  EXPECT_EQ(count_of(*lumbar, "<section class=\"explainer\""), 3u);

  // A report without a patient language gets the default language without a fallback note.
  {
    std::string bytes = read_file(fixture("xr-chest-spanish.hl7"));
    auto parsed = hl7v2::parse(bytes);
    ASSERT_TRUE(parsed.ok());
    auto reports = extract::extract_reports(*parsed.message);
    ASSERT_FALSE(reports.empty());
    reports[0].patient_language.clear();
    const auto letter = build_letter(reports[0], matcher, *content.library, policy);
    ASSERT_TRUE(letter.has_value());
    EXPECT_EQ(letter->language, "en");
    EXPECT_EQ(letter->attached, 1);
    EXPECT_TRUE(contains(letter->html, "lang=\"en\" data-content-id=\"atelectasis\""));
    EXPECT_FALSE(contains(letter->html, "class=\"explainer-fallback\""));
  }

  const auto two = letter_for("two-reports.hl7");
  ASSERT_TRUE(two.has_value());
  EXPECT_TRUE(contains(*two, "data-content-id=\"renal_cyst\""));

  EXPECT_FALSE(letter_for("preliminary-report.hl7").has_value());
  EXPECT_FALSE(letter_for("no-impression.hl7").has_value());
  // Only a held (sensitive) finding: nothing to send as a letter.
  EXPECT_FALSE(letter_for("mri-spine-metastasis.hl7").has_value());

  enrich::Policy attach_all = policy;
  attach_all.sensitive = enrich::Action::kAttach;
  std::string bytes = read_file(fixture("mri-spine-metastasis.hl7"));
  auto parsed = hl7v2::parse(bytes);
  ASSERT_TRUE(parsed.ok());
  const auto reports = extract::extract_reports(*parsed.message);
  const auto attached =
      letter_for_message(*parsed.message, reports, matcher, *content.library, attach_all);
  ASSERT_TRUE(attached.has_value());
  EXPECT_TRUE(contains(*attached, "data-content-id=\"spinal_metastasis\""));
}

}  // namespace
}  // namespace explainer::letter

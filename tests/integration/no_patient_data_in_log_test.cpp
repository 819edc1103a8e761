// Principle 5, end to end: every fixture (HL7 v2 over MLLP, FHIR over HTTP) goes through a
// real explainerd at the default log level (info), log captured to a file; the test fails if
// any patient name, identifier, birth date, accession number or impression text taken from
// those fixtures appears in it. The values are extracted from the fixtures programmatically
// (PID-3, PID-5, PID-7, OBR-2/3, impression; FHIR Patient name/identifier/birthDate,
// subject.display, DiagnosticReport identifier and conclusion), so a new fixture is covered
// without editing this test.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "app/cli.h"
#include "extract/extract.h"
#include "hl7v2/message.h"
#include "support/files.h"
#include "support/process.h"

namespace explainer {
namespace {

using namespace test_support;
namespace fs = std::filesystem;

std::vector<std::string> files_under(const std::string& relative_dir,
                                     const std::set<std::string>& extensions) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(fixture_path(relative_dir))) {
    if (e.is_regular_file() && extensions.count(e.path().extension().string()))
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What must never reach the log, and why (for the failure message).
struct Secrets {
  std::map<std::string, std::string> values;  // value -> where it came from
  void add(const std::string& raw, const std::string& origin, std::size_t min_length = 4) {
    std::string v = raw;
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(v.begin());
    if (v.size() >= min_length) values.emplace(v, origin);
  }
  // Report text: the whole text and every run of four consecutive words, so a fragment of
  // it in the log is found too, while single clinical words (which finding ids share) are not.
  void add_text(const std::string& text, const std::string& origin) {
    std::istringstream words(text);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    for (std::size_t i = 0; i + 4 <= w.size(); ++i) {
      add(w[i] + " " + w[i + 1] + " " + w[i + 2] + " " + w[i + 3], origin, 12);
    }
    if (w.size() < 4) add(text, origin, 12);
  }
};

void collect_hl7(const std::string& message, const std::string& origin, Secrets& secrets) {
  const auto parsed = hl7v2::parse(message);
  if (!parsed.ok()) return;
  const hl7v2::Message& m = *parsed.message;
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    const auto seg = m.segment(i);
    if (seg.id() == "PID") {
      for (int r = 1; r <= seg.repetition_count(3); ++r)
        secrets.add(seg.text(3, r, 1), origin + " PID-3");
      for (int r = 1; r <= seg.repetition_count(5); ++r) {
        secrets.add(seg.text(5, r, 1), origin + " PID-5 family");
        secrets.add(seg.text(5, r, 2), origin + " PID-5 given");
      }
      secrets.add(seg.text(7, 1, 1), origin + " PID-7", 8);
    } else if (seg.id() == "OBR") {
      secrets.add(seg.text(2, 1, 1), origin + " OBR-2");
      secrets.add(seg.text(3, 1, 1), origin + " OBR-3");
    }
  }
  extract::ExtractOptions options;
  for (const auto& report : extract::extract_reports(m, options)) {
    secrets.add_text(report.impression, origin + " impression");
  }
}

void collect_json(const rapidjson::Value& v, const std::string& origin, Secrets& secrets,
                  const std::string& resource_type = {}) {
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) collect_json(item, origin, secrets, resource_type);
    return;
  }
  if (!v.IsObject()) return;
  std::string type = resource_type;
  if (v.HasMember("resourceType") && v["resourceType"].IsString())
    type = v["resourceType"].GetString();
  for (const auto& member : v.GetObject()) {
    const std::string key = member.name.GetString();
    const auto& value = member.value;
    if (type == "Patient" && key == "name" && value.IsArray()) {
      for (const auto& name : value.GetArray()) {
        if (name.HasMember("family") && name["family"].IsString())
          secrets.add(name["family"].GetString(), origin + " Patient.name.family");
        if (name.HasMember("given") && name["given"].IsArray()) {
          for (const auto& g : name["given"].GetArray()) {
            if (g.IsString()) secrets.add(g.GetString(), origin + " Patient.name.given");
          }
        }
        if (name.HasMember("text") && name["text"].IsString())
          secrets.add(name["text"].GetString(), origin + " Patient.name.text");
      }
    }
    if ((type == "Patient" || type == "DiagnosticReport") && key == "identifier" &&
        value.IsArray()) {
      for (const auto& id : value.GetArray()) {
        if (id.HasMember("value") && id["value"].IsString())
          secrets.add(id["value"].GetString(), origin + " " + type + ".identifier");
      }
    }
    if (type == "Patient" && key == "birthDate" && value.IsString())
      secrets.add(value.GetString(), origin + " birthDate", 10);
    if (type == "DiagnosticReport" && key == "conclusion" && value.IsString()) {
      secrets.add_text(value.GetString(), origin + " conclusion");
    }
    if (type == "DiagnosticReport" && key == "subject" && value.IsObject() &&
        value.HasMember("display") && value["display"].IsString()) {
      secrets.add(value["display"].GetString(), origin + " subject.display");
    }
    collect_json(value, origin, secrets,
                 value.IsObject() && value.HasMember("resourceType") ? std::string() : type);
  }
}

void collect_xml(const std::string& xml, const std::string& origin, Secrets& secrets) {
  // The FHIR XML fixtures keep values in value="..." attributes.
  static const std::regex pattern(R"re(<(family|given|birthDate|conclusion)\s+value="([^"]*)")re");
  for (std::sregex_iterator it(xml.begin(), xml.end(), pattern), end; it != end; ++it) {
    const std::string element = (*it)[1];
    if (element == "conclusion") {
      secrets.add_text((*it)[2], origin + " conclusion");
    } else {
      secrets.add((*it)[2], origin + " " + element, element == "birthDate" ? 10 : 4);
    }
  }
}

// Where `value` occurs in `text` as a whole token (not inside a longer run of letters and
// digits: "12345" is not found in "control_id=1234567890"); npos when it does not.
std::size_t find_token(const std::string& text, const std::string& value) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + 1)) {
    const bool open_before = at == 0 || !alnum(text[at - 1]) || !alnum(value.front());
    const std::size_t end = at + value.size();
    const bool open_after = end >= text.size() || !alnum(text[end]) || !alnum(value.back());
    if (open_before && open_after) return at;
  }
  return std::string::npos;
}

int post(std::uint16_t port, const std::string& path, const std::string& body,
         const std::string& content_type) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType(content_type);
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string ignored;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), ignored);
  return static_cast<int>(response.getStatus());
}

TEST(NoPatientDataInLog, FixturesThroughARealExplainerdLeaveNoPatientDataInTheInfoLog) {
  TempDir dir;
  const std::uint16_t mllp_port = free_port();
  const std::uint16_t fhir_port = free_port();
  const std::string log = dir.str("explainerd.log");
  const std::string config = dir.str("explainerd.properties");
  {
    std::ofstream out(config);
    // No log.level: the default (info) is what is tested.
    out << "log.file = " << log << "\n"
        << "paths.data = " << dir.str("data") << "\n"
        << "paths.mappings = " << EXPLAINER_SOURCE_DIR << "/mappings\n"
        << "paths.content = " << EXPLAINER_SOURCE_DIR << "/content\n"
        << "listeners = ris, hook\n"
        << "listener.ris.port = " << mllp_port << "\n"
        << "listener.ris.wrong_message_type = forward\n"
        << "listener.hook.type = fhir\nlistener.hook.port = " << fhir_port << "\n"
        << "destinations = drop\ndestination.drop.type = file\ndestination.drop.path = "
        << dir.str("out") << "\n";
  }
  Secrets secrets;
  std::vector<std::string> hl7_files = files_under("radiology", {".hl7"});
  for (const auto& f : files_under("hl7v2", {".hl7"})) hl7_files.push_back(f);
  for (const auto& f : hl7_files) {
    for (const auto& message : app::split_hl7_batch(read_bytes(f)))
      collect_hl7(message, f, secrets);
  }
  std::vector<std::string> fhir_files;
  for (const char* sub :
       {"fhir/radiology", "fhir/spec_examples", "fhir/us_core", "fhir/handwritten"}) {
    for (const auto& f : files_under(sub, {".json", ".xml"})) fhir_files.push_back(f);
  }
  for (const auto& f : fhir_files) {
    const std::string text = read_bytes(f);
    if (f.size() > 5 && f.substr(f.size() - 5) == ".json") {
      rapidjson::Document doc;
      doc.Parse(text.c_str());
      ASSERT_FALSE(doc.HasParseError()) << f;
      collect_json(doc, f, secrets);
    } else {
      collect_xml(text, f, secrets);
    }
  }
  ASSERT_GT(secrets.values.size(), 50u) << "the fixtures should yield many patient values";
  // The matcher finds a value as a whole token, not inside a longer id.
  ASSERT_NE(find_token("message_rejected name=TESTPATIENT^JORDAN", "TESTPATIENT"),
            std::string::npos);
  ASSERT_EQ(find_token("control_id=1234567890", "12345"), std::string::npos);
  // The extraction itself is checked against values known to be in the fixtures.
  for (const char* known : {"TESTPATIENT", "MRN100002", "19851120", "ACC100002"}) {
    EXPECT_EQ(secrets.values.count(known), 1u) << known;
  }

  Daemon daemon(binary("explainerd"), {"--config=" + config});
  ASSERT_TRUE(wait_for_port(mllp_port));
  ASSERT_TRUE(wait_for_port(fhir_port));
  // One client for every file. Some fixtures ask for no acknowledgement (MSH-15 NE): the
  // short timeout keeps those from stalling the run; they are stored all the same.
  std::vector<std::string> send_args = {"send", "--timeout", "1", "--mllp",
                                        "127.0.0.1:" + std::to_string(mllp_port)};
  send_args.insert(send_args.end(), hl7_files.begin(), hl7_files.end());
  const auto sent = run(binary("explainer"), send_args);
  int accepted_hl7 = 0;
  for (std::size_t at = sent.out.find("MSA|"); at != std::string::npos;
       at = sent.out.find("MSA|", at + 1)) {
    accepted_hl7 +=
        (sent.out.compare(at, 7, "MSA|AA|") == 0 || sent.out.compare(at, 7, "MSA|CA|") == 0) ? 1
                                                                                             : 0;
  }
  int accepted_fhir = 0;
  for (const auto& f : fhir_files) {
    const bool xml = f.substr(f.size() - 4) == ".xml";
    const std::string body = read_bytes(f);
    const bool bundle =
        body.find("\"Bundle\"") != std::string::npos || body.find("<Bundle") != std::string::npos;
    const int status = post(fhir_port, bundle ? "/fhir" : "/fhir/DiagnosticReport", body,
                            xml ? "application/fhir+xml" : "application/fhir+json");
    accepted_fhir += (status == 200 || status == 201) ? 1 : 0;
  }
  EXPECT_EQ(daemon.terminate(), 0);
  EXPECT_GT(accepted_hl7, 10) << "most HL7 fixtures must be accepted, or the test proves little";
  EXPECT_GT(accepted_fhir, 10) << "most FHIR fixtures must be accepted, or the test proves little";

  std::string text = read_bytes(log);
  // Paths the test configured (the start-up line names the store file) are not patient data,
  // but the temporary folder's name ("explainer-test-...") would match a fixture's "Test".
  for (std::size_t at = text.find(dir.str()); at != std::string::npos; at = text.find(dir.str(), at))
    text.replace(at, dir.str().size(), "<tmp>");
  ASSERT_NE(text.find("message_accepted"), std::string::npos) << "the log must show the events";
  ASSERT_TRUE(std::regex_search(text, std::regex(" explanations=[1-9]")))
      << "enrichment must have run";
  // Which finding a message had is health data tied to a message id: debug only.
  EXPECT_EQ(text.find("finding="), std::string::npos);
  for (const auto& [value, origin] : secrets.values) {
    const auto at = find_token(text, value);
    if (at == std::string::npos) continue;
    const auto line_start = text.rfind('\n', at) + 1;
    ADD_FAILURE() << "the log holds '" << value << "' (" << origin << ") in:\n"
                  << text.substr(line_start, text.find('\n', at) - line_start);
  }
}

}  // namespace
}  // namespace explainer

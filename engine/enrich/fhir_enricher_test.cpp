#include "enrich/fhir_enricher.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "extract/fhir_extract.h"
#include "fhir/diagnostic_report.h"
#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::enrich {
namespace {

using fhir::Element;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

std::filesystem::path fixtures() {
  return std::filesystem::path(EXPLAINER_SOURCE_DIR) / "tests/fixtures/fhir";
}

Element parse(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  auto parsed = first != std::string::npos && text[first] == '<' ? fhir::parse_xml(text)
                                                                 : fhir::parse_json(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().describe());
  return parsed.ok() ? std::move(*parsed) : fhir::make_resource("Basic");
}

bool is_ours(const Element& resource) {
  if (resource.resource_type != "DocumentReference") return false;
  const Element* meta = resource.child("meta");
  if (!meta) return false;
  for (const Element* tag : meta->children_named("tag")) {
    if (tag->value_of("system") == kTagSystem && tag->value_of("code") == "generated") return true;
  }
  return false;
}

// The document minus everything the enricher adds, for comparison with the input as data.
void strip_additions(Element& element) {
  auto& c = element.children;
  c.erase(std::remove_if(c.begin(), c.end(),
                         [](const Element& child) {
                           if (child.name == "extension" &&
                               child.value_of("url") == kExplanationExtension)
                             return true;
                           if (child.name == "contained" && is_ours(child)) return true;
                           if (child.name == "entry") {
                             const Element* r = child.child("resource");
                             return r && is_ours(*r);
                           }
                           return false;
                         }),
          c.end());
  for (Element& child : c) strip_additions(child);
}

std::vector<const Element*> our_documents(const Element& document) {
  std::vector<const Element*> out;
  for (const Element* e : document.children_named("entry")) {
    if (const Element* r = e->child("resource"); r && is_ours(*r)) out.push_back(r);
  }
  for (const Element* c : document.children_named("contained")) {
    if (is_ours(*c)) out.push_back(c);
  }
  return out;
}

std::vector<std::string> explanation_references(const Element& report) {
  std::vector<std::string> refs;
  for (const Element* e : report.children_named("extension")) {
    if (e->value_of("url") == kExplanationExtension)
      refs.push_back(e->value_at("valueReference.reference"));
  }
  return refs;
}

std::string decoded_attachment(const Element& document_reference, std::size_t index) {
  const auto contents = document_reference.children_named("content");
  if (index >= contents.size()) return {};
  std::string out;
  EXPECT_TRUE(extract::decode_base64(contents[index]->value_at("attachment.data"), out));
  return out;
}

class FhirEnricherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rules_ = new matching::RuleSetHolder;
    rules_->reload(std::string(EXPLAINER_SOURCE_DIR) + "/mappings");
    ASSERT_TRUE(rules_->current()) << "shipped mappings must load";
    auto lib = content::ContentLibrary::load(std::string(EXPLAINER_SOURCE_DIR) + "/content");
    ASSERT_TRUE(lib.ok());
    content_ = new content::ContentLibraryHolder(lib.library);
  }
  static void TearDownTestSuite() {
    delete rules_;
    delete content_;
  }

  FhirEnrichment run(const Element& input, FhirEnrichOptions options = {}, Policy policy = {}) {
    Element copy = input;
    const auto reports = extract::extract_fhir_reports(copy);
    options.now = "2026-11-25T12:00:00Z";
    FhirEnricher enricher(*rules_, *content_, policy);
    return enricher.enrich(input, reports, options);
  }

  Element fixture(const std::string& relative) { return parse(read_file(fixtures() / relative)); }

  static Element report_with_conclusion(const std::string& conclusion,
                                        const std::string& status = "final") {
    return parse(
        R"({"resourceType":"DiagnosticReport","id":"t1","status":")" + status +
        R"(","code":{"text":"MRI lumbar spine"},"subject":{"reference":"Patient/p1"},"conclusion":")" +
        conclusion + "\"}");
  }

  static matching::RuleSetHolder* rules_;
  static content::ContentLibraryHolder* content_;
};

matching::RuleSetHolder* FhirEnricherTest::rules_ = nullptr;
content::ContentLibraryHolder* FhirEnricherTest::content_ = nullptr;

TEST_F(FhirEnricherTest, SpineReportBecomesATransactionWithOneDocumentReferencePerAffirmedFinding) {
  const Element input = fixture("radiology/mri-lumbar-spine.json");
  const auto result = run(input);
  ASSERT_TRUE(result.document) << result.reason;
  ASSERT_TRUE(result.payload);
  std::vector<std::string> ids;
  for (const auto& a : result.added) ids.push_back(a.finding_id);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "disc_bulge"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "facet_arthropathy"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "spinal_metastasis"), ids.end()) << "negated";
  EXPECT_TRUE(result.held.empty());

  const Element& bundle = *result.document;
  EXPECT_EQ(bundle.resource_type, "Bundle");
  EXPECT_EQ(bundle.value_of("type"), "transaction");
  const auto entries = fhir::bundle_entries(bundle);
  ASSERT_EQ(entries.size(), 1 + result.added.size());
  EXPECT_EQ(entries[0].request_method, "PUT");
  EXPECT_EQ(entries[0].request_url, "DiagnosticReport/mri-lspine-1");
  const Element& report = *entries[0].resource;
  const auto refs = explanation_references(report);
  ASSERT_EQ(refs.size(), result.added.size());
  for (std::size_t i = 1; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].request_method, "POST");
    EXPECT_EQ(entries[i].request_url, "DocumentReference");
    EXPECT_EQ(entries[i].full_url, refs[i - 1]);
    EXPECT_EQ(entries[i].full_url.rfind("urn:uuid:", 0), 0u);
    EXPECT_EQ(entries[i]
                  .entry->value_at("request.ifNoneExist")
                  .rfind("identifier=urn:ietf:rfc:3986|urn:uuid:", 0),
              0u);
    const Element& doc = *entries[i].resource;
    EXPECT_EQ(doc.value_of("status"), "current");
    EXPECT_EQ(doc.value_of("docStatus"), "preliminary") << "shipped content is draft";
    EXPECT_EQ(doc.value_at("type.coding.code"), "34895-3");
    EXPECT_EQ(doc.value_at("type.coding.system"), "http://loinc.org");
    EXPECT_EQ(doc.value_at("subject.reference"), "Patient/test-patient-1");
    EXPECT_EQ(doc.value_at("context.related.reference"), "DiagnosticReport/mri-lspine-1");
    EXPECT_EQ(doc.value_at("meta.profile"), kEducationDocumentProfile);
    EXPECT_EQ(doc.value_of("language"), "en");
    EXPECT_EQ(doc.value_of("date"), "2026-11-25T12:00:00Z");
    const auto contents = doc.children_named("content");
    ASSERT_EQ(contents.size(), 2u);
    EXPECT_EQ(contents[0]->value_at("attachment.contentType"), "text/html; charset=utf-8");
    EXPECT_EQ(contents[1]->value_at("attachment.contentType"), "text/plain; charset=utf-8");
    EXPECT_NE(decoded_attachment(doc, 0).find("<section class=\"explainer\""), std::string::npos);
    EXPECT_EQ(decoded_attachment(doc, 1).find('<'), std::string::npos);
  }
}

TEST_F(FhirEnricherTest, EveryOriginalElementIsLeftExactlyAsItWas) {
  const Element input = fixture("radiology/mri-lumbar-spine.json");
  for (FhirMode mode : {FhirMode::kTransactionBundle, FhirMode::kContained}) {
    FhirEnrichOptions options;
    options.mode = mode;
    const auto result = run(input, options);
    ASSERT_TRUE(result.document);
    Element report = mode == FhirMode::kContained
                         ? *result.document
                         : *fhir::bundle_entries(*result.document)[0].resource;
    report.name.clear();
    EXPECT_NE(report, input) << "something was added";
    EXPECT_EQ(report.value_of("conclusion"), input.value_of("conclusion"));
    strip_additions(report);
    EXPECT_EQ(report, input) << to_string(mode);
  }
}

TEST_F(FhirEnricherTest, ContainedModeReferencesLocalIds) {
  const Element input = fixture("radiology/ct-head-contained.xml");
  FhirEnrichOptions options;
  options.mode = FhirMode::kContained;
  options.format = FhirFormat::kXml;
  const auto result = run(input, options);
  ASSERT_TRUE(result.document) << result.reason;
  const Element& report = *result.document;
  EXPECT_EQ(report.resource_type, "DiagnosticReport");
  const auto docs = our_documents(report);
  ASSERT_FALSE(docs.empty());
  const auto refs = explanation_references(report);
  ASSERT_EQ(refs.size(), docs.size());
  EXPECT_EQ(refs[0], "#docref-1");
  EXPECT_EQ(docs[0]->value_of("id"), "docref-1");
  EXPECT_EQ(docs[0]->value_at("context.related.reference"), "#");
  EXPECT_EQ(docs[0]->value_at("subject.reference"), "#pat");
  // The site's own extension stays first and unchanged.
  EXPECT_EQ(report.children_named("extension")[0]->value_of("url"),
            "http://example.test/fhir/StructureDefinition/site-flag");
  ASSERT_TRUE(result.payload);
  Element round = parse(*result.payload);
  EXPECT_EQ(round, report) << "XML payload reads back as the enriched document";
  strip_additions(round);
  EXPECT_EQ(round, input);
}

TEST_F(FhirEnricherTest,
       CollectionBundleBecomesTransactionKeepingEveryEntryAndSpanishPatientGetsSpanish) {
  const Element input = fixture("radiology/bundle-spanish-patient.json");
  const auto result = run(input);
  ASSERT_TRUE(result.document) << result.reason;
  ASSERT_FALSE(result.added.empty());
  for (const auto& a : result.added) {
    EXPECT_EQ(a.language, "es");
    EXPECT_FALSE(a.used_fallback);
  }
  const Element& bundle = *result.document;
  EXPECT_EQ(bundle.value_of("type"), "transaction");
  const auto original = fhir::bundle_entries(input);
  const auto entries = fhir::bundle_entries(bundle);
  ASSERT_EQ(entries.size(), original.size() + result.added.size());
  for (std::size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(entries[i].full_url, original[i].full_url);
    EXPECT_EQ(entries[i].request_method, "PUT");
    Element resource = *entries[i].resource;
    strip_additions(resource);
    EXPECT_EQ(resource, *original[i].resource) << i;
  }
  const auto docs = our_documents(bundle);
  ASSERT_EQ(docs.size(), result.added.size());
  EXPECT_EQ(docs[0]->value_of("language"), "es");
  EXPECT_EQ(docs[0]->children_named("content")[0]->value_at("attachment.language"), "es");
  EXPECT_EQ(docs[0]->value_at("context.related.reference"),
            "https://ehr.example.test/fhir/DiagnosticReport/xr-chest-3");
  EXPECT_NE(decoded_attachment(*docs[0], 1).find("pleural"), std::string::npos);
  EXPECT_NE(docs[0]->value_of("description").find("Líquido"), std::string::npos) << "Spanish title";
}

TEST_F(FhirEnricherTest, TransactionInputKeepsItsTypeAndEntries) {
  const Element input = parse(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:3f1f5a5e-0000-4000-8000-000000000001","resource":{"resourceType":"DiagnosticReport","status":"final",
     "code":{"text":"MRI lumbar spine"},"conclusion":"Disc bulge at L4-L5."},"request":{"method":"POST","url":"DiagnosticReport"}}]})");
  const auto result = run(input);
  ASSERT_TRUE(result.document) << result.reason;
  const auto entries = fhir::bundle_entries(*result.document);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(result.document->value_of("type"), "transaction");
  EXPECT_EQ(entries[0].request_method, "POST");
  EXPECT_EQ(entries[1].resource->value_at("context.related.reference"),
            "urn:uuid:3f1f5a5e-0000-4000-8000-000000000001");
  Element stripped = *result.document;
  strip_additions(stripped);
  EXPECT_EQ(stripped, input);
}

// A transaction whose entry is a Bundle (e.g. a document forwarded as a whole) holding the
// report; `signature` adds a Bundle.signature to the nested Bundle.
Element nested_bundle_transaction(bool signature) {
  return parse(
      std::string(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:3f1f5a5e-0000-4000-8000-0000000000aa","resource":{"resourceType":"Bundle","type":"collection",)") +
      (signature
           ? R"("signature":{"type":[{"system":"urn:iso-astm:E1762-95:2013","code":"1.2.840.10065.1.12.1.1"}],"when":"2026-11-25T10:00:00Z","who":{"display":"RIS"}},)"
           : "") +
      R"("entry":[{"fullUrl":"https://ehr.example.test/fhir/DiagnosticReport/n1","resource":{"resourceType":"DiagnosticReport","id":"n1","status":"final",
        "code":{"text":"MRI lumbar spine"},"subject":{"reference":"Patient/p1"},"conclusion":"Disc bulge at L4-L5."}}]},
     "request":{"method":"POST","url":"Bundle"}}]})");
}

TEST_F(FhirEnricherTest, ReportInANestedBundleGetsExplanationsContainedInItInBothModes) {
  const Element input = nested_bundle_transaction(false);
  for (FhirMode mode : {FhirMode::kTransactionBundle, FhirMode::kContained}) {
    FhirEnrichOptions options;
    options.mode = mode;
    const auto result = run(input, options);
    ASSERT_TRUE(result.document) << result.reason;
    ASSERT_FALSE(result.added.empty());
    const Element& outer = *result.document;
    EXPECT_EQ(outer.value_of("type"), "transaction");
    // Nothing is added at the outer level: a reference from there would not resolve.
    ASSERT_EQ(fhir::bundle_entries(outer).size(), 1u);
    EXPECT_TRUE(our_documents(outer).empty());
    const Element& nested = *fhir::bundle_entries(outer)[0].resource;
    const Element& report = *fhir::bundle_entries(nested)[0].resource;
    const auto docs = our_documents(report);
    ASSERT_EQ(docs.size(), result.added.size());
    const auto refs = explanation_references(report);
    ASSERT_EQ(refs.size(), docs.size());
    EXPECT_EQ(refs[0], "#docref-1");
    EXPECT_EQ(docs[0]->value_at("context.related.reference"), "#");
    EXPECT_EQ(docs[0]->value_at("subject.reference"), "Patient/p1");
    EXPECT_EQ(result.added[0].document_reference, "#docref-1");
    Element stripped = outer;
    strip_additions(stripped);
    EXPECT_EQ(stripped, input) << "nothing we did not add changes";
  }
}

TEST_F(FhirEnricherTest, ReportInASignedNestedBundleIsLeftAlone) {
  const auto result = run(nested_bundle_transaction(true));
  EXPECT_FALSE(result.document);
  EXPECT_TRUE(result.added.empty());
  ASSERT_EQ(result.reports.size(), 1u);
  EXPECT_EQ(result.reports[0].reason, "signed_bundle_report");
}

TEST_F(FhirEnricherTest, ReportContainedInAnotherResourceIsLeftAloneWithTheReason) {
  const Element input = parse(R"({"resourceType":"Composition","id":"c1","status":"final",
    "type":{"text":"Imaging summary"},"date":"2026-11-25","title":"Summary","author":[{"display":"RIS"}],
    "contained":[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"MRI lumbar spine"},
      "conclusion":"Disc bulge at L4-L5."}],
    "section":[{"title":"Report","entry":[{"reference":"#dr"}]}]})");
  for (FhirMode mode : {FhirMode::kTransactionBundle, FhirMode::kContained}) {
    FhirEnrichOptions options;
    options.mode = mode;
    const auto result = run(input, options);
    EXPECT_FALSE(result.document);
    EXPECT_TRUE(result.added.empty());
    ASSERT_EQ(result.reports.size(), 1u);
    EXPECT_EQ(result.reports[0].reason, "contained_report");
  }
}

TEST_F(FhirEnricherTest, FallbackNoteOnlyWhenThePatientsLanguageIsMissing) {
  const auto unknown = run(report_with_conclusion("Disc bulge at L4-L5."));
  ASSERT_FALSE(unknown.added.empty());
  EXPECT_FALSE(unknown.added[0].used_fallback) << "no language requested: nothing fell back";
  EXPECT_EQ(decoded_attachment(*our_documents(*unknown.document)[0], 1).find("not available"),
            std::string::npos);

  const Element french = parse(R"({"resourceType":"DiagnosticReport","id":"t2","status":"final",
    "contained":[{"resourceType":"Patient","id":"p","communication":[{"language":{"coding":[{"code":"fr"}]}}]}],
    "code":{"text":"MRI lumbar spine"},"subject":{"reference":"#p"},"conclusion":"Disc bulge at L4-L5."})");
  FhirEnrichOptions contained;
  contained.mode = FhirMode::kContained;
  const auto result = run(french, contained);
  ASSERT_FALSE(result.added.empty());
  EXPECT_TRUE(result.added[0].used_fallback);
  EXPECT_EQ(result.added[0].language, "en");
  EXPECT_NE(
      decoded_attachment(*our_documents(*result.document)[0], 1).find("requested language (fr)"),
      std::string::npos);
}

TEST_F(FhirEnricherTest, NegatedFindingsProduceNothing) {
  const auto result = run(report_with_conclusion(
      "No evidence of metastatic disease. No fracture. No disc herniation."));
  EXPECT_FALSE(result.document);
  EXPECT_FALSE(result.payload);
  EXPECT_TRUE(result.added.empty());
  EXPECT_GT(result.not_explained.count("negated"), 0u);
  EXPECT_EQ(result.reason, "nothing_to_explain");
}

TEST_F(FhirEnricherTest, SensitiveFindingsAreHeldNotAttached) {
  const auto result =
      run(report_with_conclusion("Osseous metastatic disease involving the L2 vertebral body."));
  ASSERT_FALSE(result.held.empty());
  EXPECT_EQ(result.held[0].finding_id, "spinal_metastasis");
  EXPECT_EQ(result.held[0].report_id, "t1");
  for (const auto& a : result.added) EXPECT_NE(a.finding_id, "spinal_metastasis");
  if (result.added.empty()) {
    EXPECT_FALSE(result.document);
    EXPECT_EQ(result.reason, "held_for_review");
  }
  Policy attach_all;
  attach_all.sensitive = Action::kAttach;
  const auto attached =
      run(report_with_conclusion("Osseous metastatic disease involving the L2 vertebral body."), {},
          attach_all);
  EXPECT_TRUE(attached.held.empty());
  EXPECT_FALSE(attached.added.empty());
}

TEST_F(FhirEnricherTest, PdfOnlyAndUnreleasedReportsPassThroughWithTheReason) {
  const auto pdf = run(fixture("radiology/pdf-only.json"));
  EXPECT_FALSE(pdf.document);
  EXPECT_EQ(pdf.reason, "presented_form_pdf_only");
  ASSERT_EQ(pdf.reports.size(), 1u);
  EXPECT_EQ(pdf.reports[0].reason, "presented_form_pdf_only");

  const auto preliminary = run(report_with_conclusion("Disc bulge at L4-L5.", "preliminary"));
  EXPECT_FALSE(preliminary.document);
  EXPECT_EQ(preliminary.reason, "not_released");
}

TEST_F(FhirEnricherTest, ApprovedContentIsFinalDraftIsPreliminary) {
  Policy require_approved;
  require_approved.require_approved = true;
  const auto result = run(report_with_conclusion("Disc bulge at L4-L5."), {}, require_approved);
  EXPECT_TRUE(result.added.empty()) << "shipped content is all draft";
  EXPECT_GT(result.not_explained.count("content_not_approved"), 0u);
}

TEST_F(FhirEnricherTest, SummaryJsonListsFindingsAndExplanations) {
  const auto result = run(fixture("radiology/mri-lumbar-spine.json"));
  const std::string json = fhir_enrichment_summary_json(result);
  rapidjson::Document d;
  ASSERT_FALSE(d.Parse(json.c_str()).HasParseError());
  ASSERT_TRUE(d["reports"].IsArray());
  const auto& report = d["reports"][0];
  EXPECT_STREQ(report["id"].GetString(), "mri-lspine-1");
  EXPECT_STREQ(report["impression_source"].GetString(), "conclusion");
  bool metastasis_negated = false, bulge_attached = false;
  for (const auto& f : report["findings"].GetArray()) {
    const std::string id = f["finding_id"].GetString();
    if (id == "spinal_metastasis")
      metastasis_negated = std::string(f["outcome"].GetString()) == "negated";
    if (id == "disc_bulge") bulge_attached = std::string(f["outcome"].GetString()) == "attached";
  }
  EXPECT_TRUE(metastasis_negated);
  EXPECT_TRUE(bulge_attached);
  EXPECT_EQ(report["explanations"].Size(), result.added.size());
  EXPECT_EQ(json.find("ACC-TEST"), std::string::npos) << "no accession numbers";
}

TEST_F(FhirEnricherTest, SpecExamplesEitherPassThroughOrStayIntact) {
  for (const auto& entry : std::filesystem::directory_iterator(fixtures() / "spec_examples")) {
    const Element input = parse(read_file(entry.path()));
    for (FhirMode mode : {FhirMode::kTransactionBundle, FhirMode::kContained}) {
      FhirEnrichOptions options;
      options.mode = mode;
      const auto result = run(input, options);
      if (!result.document) continue;
      EXPECT_TRUE(result.payload) << entry.path().filename() << " " << result.reason;
      Element out = *result.document;
      strip_additions(out);
      if (out.resource_type == input.resource_type) {
        EXPECT_EQ(out, input) << entry.path().filename();
      } else {
        ASSERT_EQ(out.resource_type, "Bundle");
        Element report = *fhir::bundle_entries(out)[0].resource;
        report.name.clear();
        EXPECT_EQ(report, input) << entry.path().filename();
      }
    }
  }
}

TEST(FhirEnricherNames, ModeAndFormatParse) {
  EXPECT_EQ(parse_fhir_mode("bundle"), FhirMode::kTransactionBundle);
  EXPECT_EQ(parse_fhir_mode("contained"), FhirMode::kContained);
  EXPECT_FALSE(parse_fhir_mode("other"));
  EXPECT_EQ(parse_fhir_format("xml"), FhirFormat::kXml);
  EXPECT_FALSE(parse_fhir_format("yaml"));
}

}  // namespace
}  // namespace explainer::enrich

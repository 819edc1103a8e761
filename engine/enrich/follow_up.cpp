#include "enrich/follow_up.h"

#include <Poco/UUID.h>
#include <Poco/UUIDGenerator.h>

#include <chrono>
#include <ctime>

#include "extract/fhir_extract.h"
#include "fhir/diagnostic_report.h"
#include "fhir/json_format.h"
#include "fhir/xml_format.h"
#include "hl7v2/groups.h"

namespace explainer::enrich {

namespace {

// The current document for what was held, as a Chosen the builders accept; error otherwise.
std::optional<Chosen> chosen_for(const HeldReference& held, const content::ContentLibrary& library,
                                 std::string* error) {
  const auto lookup = library.find(held.content_id, held.language, held.language);
  if (!lookup) {
    *error = "content " + held.content_id + " (" + held.language + ") is no longer in the library";
    return std::nullopt;
  }
  if (lookup.document->review_status == content::ReviewStatus::kRetired) {
    *error = "content " + held.content_id + " (" + held.language + ") is retired";
    return std::nullopt;
  }
  Chosen chosen;
  chosen.finding_id = held.finding_id;
  chosen.content_id = held.content_id;
  chosen.document = lookup.document;
  chosen.requested_language = held.language;
  chosen.used_fallback = false;
  chosen.action = Action::kAttach;
  return chosen;
}

std::string raw_field(const hl7v2::Segment& segment, int field) {
  return std::string(segment.raw(field));
}

std::string utc_instant() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string name_uuid(const std::string& name) {
  return Poco::UUIDGenerator::defaultGenerator().createFromName(Poco::UUID::uri(), name).toString();
}

}  // namespace

FollowUp build_v2_follow_up(const std::string& original, const HeldReference& held,
                            const content::ContentLibrary& library, V2Form form,
                            const std::string& control_id, const std::string& now) {
  FollowUp result;
  const hl7v2::ParseResult parsed = hl7v2::parse(original);
  if (!parsed.ok()) {
    result.error = "the stored report is not a readable HL7 v2 message";
    return result;
  }
  const hl7v2::Message& oru = *parsed.message;
  const auto groups = hl7v2::find_obr_groups(oru);
  if (held.report_index < 0 || static_cast<std::size_t>(held.report_index) >= groups.size()) {
    result.error = "the stored report has no OBR group " + std::to_string(held.report_index);
    return result;
  }
  const hl7v2::ObrGroup& group = groups[static_cast<std::size_t>(held.report_index)];
  if (!group.patient) {
    result.error = "the stored report has no PID before its OBR";
    return result;
  }
  std::optional<Chosen> chosen = chosen_for(held, library, &result.error);
  if (!chosen) return result;
  const content::ContentDocument& doc = *chosen->document;
  result.content_version = doc.version;

  const hl7v2::Delimiters& d = oru.delimiters();
  const hl7v2::Segment msh = oru.segment(0);
  const hl7v2::Segment obr = oru.segment(group.obr);
  std::vector<std::string> msh_fields = {"EXPLAINER",
                                         raw_field(msh, 4),
                                         raw_field(msh, 5),
                                         raw_field(msh, 6),
                                         now,
                                         "",
                                         hl7v2::join_components({"MDM", "T02", "MDM_T02"}, d),
                                         oru.encode(control_id),
                                         raw_field(msh, 11),
                                         raw_field(msh, 12)};
  if (!raw_field(msh, 18).empty()) {
    msh_fields.resize(15);  // MSH-3 .. MSH-17; MSH-18 next
    msh_fields.push_back(raw_field(msh, 18));
  }
  std::string mdm = hl7v2::build_segment("MSH", msh_fields, d) + "\r";
  mdm += hl7v2::build_segment("EVN", {"T02", now}, d) + "\r";
  mdm += std::string(oru.segment(*group.patient).raw()) + "\r";
  for (std::size_t i = *group.patient + 1; i < group.obr; ++i) {
    const hl7v2::Segment segment = oru.segment(i);
    if (segment.id() == "PV1") {
      mdm += std::string(segment.raw()) + "\r";
      break;
    }
  }
  const bool approved = doc.review_status == content::ReviewStatus::kApproved;
  mdm += hl7v2::build_segment(
             "TXA",
             {"1", "PE", form == V2Form::kEncapsulatedHtml ? "TEXT" : "FT", now, "", now, "", "",
              "", "", "", hl7v2::join_components({oru.encode(control_id), "EXPLAINER"}, d),
              oru.encode(held.accession), raw_field(obr, 2), raw_field(obr, 3), "",
              approved ? "AU" : "DO", "", "AV"},
             d) +
         "\r";
  mdm += build_explanation_obx(oru, library, *chosen, form, 1) + "\r";
  result.payload = std::move(mdm);
  return result;
}

FollowUp build_fhir_follow_up(const std::string& original, FhirFormat input,
                              const HeldReference& held, const content::ContentLibrary& library,
                              FhirFormat output, const std::string& now) {
  FollowUp result;
  auto parsed = input == FhirFormat::kXml ? fhir::parse_xml(original) : fhir::parse_json(original);
  if (!parsed) {
    result.error = "the stored request is not a readable FHIR resource";
    return result;
  }
  fhir::Element document = std::move(*parsed);
  const auto reports = extract::extract_fhir_reports(document, extract::FhirExtractOptions{});
  const extract::FhirReport* report = nullptr;
  for (const auto& r : reports) {
    if (r.view.group_index == held.report_index) report = &r;
  }
  if (!report || report->id != held.report_id) {
    result.error =
        "the stored request has no DiagnosticReport " + std::to_string(held.report_index);
    return result;
  }
  std::string related;
  if (!report->full_url.empty() && report->full_url.rfind("urn:", 0) != 0) {
    related = report->full_url;
  } else if (!report->id.empty()) {
    related = "DiagnosticReport/" + report->id;
  } else {
    result.error = "the report has neither an id nor a resolvable fullUrl to reference";
    return result;
  }
  std::optional<Chosen> chosen = chosen_for(held, library, &result.error);
  if (!chosen) return result;
  const content::ContentDocument& doc = *chosen->document;
  result.content_version = doc.version;
  // The identifier the enricher would have given this explanation (fhir_enricher.cpp), so a
  // server with ifNoneExist support never stores it twice.
  const std::string uuid_base = report->full_url.empty() ? related : report->full_url;
  const std::string uuid =
      name_uuid("explainer:" + uuid_base + ":" + std::to_string(report->view.group_index) + ":" +
                chosen->content_id + ":" + doc.version + ":" + doc.language);
  fhir::Element document_reference =
      build_explanation_document_reference(library, *chosen, report->found.report->child("subject"),
                                           related, uuid, now.empty() ? utc_instant() : now);

  fhir::Element bundle = fhir::make_resource("Bundle");
  fhir::insert_primitive(bundle, "type", "transaction");
  fhir::Element& entry =
      fhir::add_bundle_entry(bundle, std::move(document_reference),
                             "urn:uuid:" + name_uuid(uuid + ":entry"), "POST", "DocumentReference");
  if (fhir::Element* request = entry.child("request")) {
    fhir::insert_primitive(*request, "ifNoneExist",
                           "identifier=urn:ietf:rfc:3986|urn:uuid:" + uuid);
  }
  auto written = output == FhirFormat::kXml ? fhir::write_xml(bundle) : fhir::write_json(bundle);
  if (!written) {
    result.error = "the follow-up Bundle could not be serialised";
    return result;
  }
  result.payload = std::move(*written);
  return result;
}

}  // namespace explainer::enrich

#include "app/review_release.h"

#include <ctime>
#include <map>
#include <optional>

#include "enrich/follow_up.h"

namespace explainer::app {

namespace {

std::string format_utc(std::int64_t now_ms, const char* pattern) {
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, pattern, &tm);
  return buffer;
}

const DestinationConfig* find_destination(const EngineConfig& config, const std::string& name) {
  for (const auto& d : config.destinations) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace

ReleasePlan plan_release(const store::HeldItem& item, const std::string& original_payload,
                         const EngineConfig& config, const content::ContentLibrary& library,
                         std::int64_t now_ms) {
  ReleasePlan plan;
  const store::HeldEntry& e = item.entry;
  const enrich::HeldReference held{e.report_index, e.report_id,       e.accession, e.finding_id,
                                   e.content_id,   e.content_version, e.language};
  const bool v2 = item.format == "hl7v2";
  const bool fhir_xml = item.format == "fhir-xml";
  if (!v2 && item.format != "fhir-json" && !fhir_xml) {
    plan.error = "stored message format '" + item.format + "' has no follow-up form";
    return plan;
  }
  // MSH-10 stays within 20 characters (HL7 v2.5 ST length) for ids below 10^9.
  plan.control_id =
      "XH" + std::to_string(item.id) + "-" + std::to_string(now_ms / 1000 % 1000000000);
  const std::string hl7_now = format_utc(now_ms, "%Y%m%d%H%M%S");
  const std::string fhir_now = format_utc(now_ms, "%Y-%m-%dT%H:%M:%SZ");

  std::map<std::string, enrich::FollowUp> built;  // by form, built once
  for (const auto& name : e.destinations) {
    const DestinationConfig* d = find_destination(config, name);
    if (!d) {
      plan.notes.push_back("destination " + name + " is no longer configured: skipped");
      continue;
    }
    std::string form;
    if (v2 && (d->type == "mllp" || d->type == "file")) {
      form = d->type == "mllp" && d->obx_format == ObxFormat::kEncapsulatedHtml ? "v2-ed" : "v2-ft";
    } else if (!v2 && d->type == "fhir") {
      form = d->format == "xml" ? "fhir-xml" : "fhir-json";
    } else if (!v2 && d->type == "file") {
      form = fhir_xml ? "fhir-xml" : "fhir-json";
    } else {
      plan.notes.push_back("destination " + name + " (" + d->type +
                           ") takes no follow-up for this report: skipped");
      continue;
    }
    auto it = built.find(form);
    if (it == built.end()) {
      enrich::FollowUp follow_up;
      if (form == "v2-ft" || form == "v2-ed") {
        follow_up = enrich::build_v2_follow_up(
            original_payload, held, library,
            form == "v2-ed" ? enrich::V2Form::kEncapsulatedHtml : enrich::V2Form::kFormattedText,
            plan.control_id, hl7_now);
      } else {
        follow_up = enrich::build_fhir_follow_up(
            original_payload, fhir_xml ? enrich::FhirFormat::kXml : enrich::FhirFormat::kJson, held,
            library, form == "fhir-xml" ? enrich::FhirFormat::kXml : enrich::FhirFormat::kJson,
            fhir_now);
      }
      it = built.emplace(form, std::move(follow_up)).first;
      if (it->second.payload && it->second.content_version != e.content_version) {
        plan.notes.push_back("content " + e.content_id + " is now version " +
                             it->second.content_version + " (held at " + e.content_version +
                             "): the current version is sent");
      }
    }
    if (!it->second.payload) {
      plan.error = it->second.error;
      plan.follow_ups.clear();
      return plan;
    }
    plan.follow_ups.push_back({name, *it->second.payload});
  }
  if (plan.follow_ups.empty() && plan.error.empty()) {
    plan.error = "none of the destinations it was held from can take a follow-up";
  }
  return plan;
}

}  // namespace explainer::app

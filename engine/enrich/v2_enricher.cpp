#include "enrich/v2_enricher.h"

#include <Poco/Base64Encoder.h>

#include <sstream>

#include "content/render.h"
#include "hl7v2/groups.h"

namespace explainer::enrich {

namespace {

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

int highest_set_id(const hl7v2::Message& message, const hl7v2::ObrGroup& group) {
  int highest = 0;
  for (std::size_t index : group.observations) {
    const std::string text = message.segment(index).text(1);
    try {
      highest = std::max(highest, std::stoi(text));
    } catch (const std::exception&) {
      // A non-numeric OBX-1 does not stop numbering.
    }
  }
  return std::max<int>(highest, static_cast<int>(group.observations.size()));
}

std::string fallback_note(const Chosen& chosen) {
  return "This explanation is not available in the requested language (" +
         chosen.requested_language + "), so it is shown in " + chosen.document->language + ".";
}

}  // namespace

std::string build_explanation_obx(const hl7v2::Message& message,
                                  const content::ContentLibrary& library, const Chosen& chosen,
                                  V2Form form, int set_id) {
  const auto& d = message.delimiters();
  const auto& doc = *chosen.document;
  std::string value;
  if (form == V2Form::kEncapsulatedHtml) {
    std::string html = library.html_fragment(doc);
    if (chosen.used_fallback)
      html = "<p class=\"explainer-fallback\">" + fallback_note(chosen) + "</p>\n" + html;
    value = hl7v2::join_components({"", "TEXT", "HTML", "Base64", base64(html)}, d);
  } else {
    std::string text = library.plain_text(doc);
    if (chosen.used_fallback) text = fallback_note(chosen) + "\n\n" + text;
    value = message.encode(text);
  }
  const std::string code =
      hl7v2::join_components({message.encode("EXPL-" + chosen.content_id + "-" + doc.version),
                              message.encode("Patient explanation: " + doc.title), "99EXPLAINER"},
                             d);
  return hl7v2::build_segment(
      "OBX",
      {std::to_string(set_id), form == V2Form::kEncapsulatedHtml ? "ED" : "FT", code,
       message.encode(doc.language), value, "", "", "", "", "", "F"},
      d);
}

V2Enricher::V2Enricher(const matching::RuleSetHolder& rules,
                       const content::ContentLibraryHolder& content, Policy policy)
    : rules_(rules), content_(content), policy_(std::move(policy)) {}

V2Enrichment V2Enricher::enrich(const hl7v2::Message& message,
                                const std::vector<core::ReportView>& reports, V2Form form) const {
  V2Enrichment result;
  const auto rules = rules_.current();
  const auto library = content_.current();
  if (!rules || !library) {
    result.reason = "rules_or_content_not_loaded";
    return result;
  }
  const matching::Matcher matcher(rules);
  const auto groups = hl7v2::find_obr_groups(message);

  hl7v2::Message enriched = message;
  for (const auto& report : reports) {
    const Selection selection = select_explanations(report, matcher, *library, policy_);
    for (const auto& [why, n] : selection.not_explained) result.not_explained[why] += n;
    if (result.reason.empty() && !selection.reason.empty()) result.reason = selection.reason;
    if (report.group_index < 0 || static_cast<std::size_t>(report.group_index) >= groups.size())
      continue;
    const auto& group = groups[static_cast<std::size_t>(report.group_index)];
    int set_id = highest_set_id(message, group);

    for (const auto& chosen : selection.chosen) {
      const auto& doc = *chosen.document;
      if (chosen.action == Action::kHold) {
        result.held.push_back({report.group_index, report.accession, chosen.finding_id,
                               chosen.content_id, doc.version, doc.language});
        continue;
      }
      ++set_id;
      const std::string obx = build_explanation_obx(message, *library, chosen, form, set_id);
      enriched.insert_after(group.insert_after, obx);
      result.added.push_back({report.group_index, chosen.finding_id, chosen.content_id, doc.version,
                              doc.language, content::to_string(doc.review_status),
                              chosen.used_fallback, std::to_string(set_id)});
    }
  }
  if (!result.added.empty()) {
    result.payload = enriched.serialize();
    result.reason.clear();
  } else if (result.reason.empty()) {
    result.reason = result.held.empty() ? "nothing_to_explain" : "held_for_review";
  }
  return result;
}

}  // namespace explainer::enrich

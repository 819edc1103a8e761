#include "enrich/v2_enricher.h"

#include <Poco/Base64Encoder.h>

#include <algorithm>
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
    // OBX-1 decoded; plain ASCII without escapes decodes to itself (no decode copy).
    const std::string_view raw = message.segment(index).raw(1);
    const bool plain = std::none_of(raw.begin(), raw.end(), [&message](char c) {
      return c == message.delimiters().escape || static_cast<unsigned char>(c) >= 0x80;
    });
    const std::string text = plain ? std::string(raw) : message.segment(index).text(1);
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

// OBX-2 onwards of the explanation segment, each field preceded by the field separator:
// "|FT|EXPL-<id>-<version>^Patient explanation: <title>^99EXPLAINER|<language>|<text>||||||F".
// A pure function of the arguments' content; cached per snapshot (obx_cache.h).
std::string obx_tail(const content::ContentLibrary& library, const Chosen& chosen,
                     const hl7v2::Message& message, V2Form form) {
  const auto& doc = *chosen.document;
  const auto& d = message.delimiters();
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
  // An empty id gives the fields alone, each after a field separator; "F" keeps them all.
  return hl7v2::build_segment("",
                              {form == V2Form::kEncapsulatedHtml ? "ED" : "FT", code,
                               message.encode(doc.language), value, "", "", "", "", "", "F"},
                              d);
}

// Everything obx_tail() depends on besides the snapshot: the document (a pointer into the
// snapshot), content id, form, fallback note, delimiters and charset.
std::string cache_key(const Chosen& chosen, const hl7v2::Message& message, V2Form form) {
  const auto& d = message.delimiters();
  std::string key(reinterpret_cast<const char*>(&chosen.document), sizeof chosen.document);
  key.push_back(form == V2Form::kEncapsulatedHtml ? 'E' : 'F');
  key.push_back(static_cast<char>('0' + static_cast<int>(message.charset())));
  key.push_back(d.field);
  key += d.encoding_characters();
  key.push_back('\0');
  key += chosen.content_id;
  if (chosen.used_fallback) {
    key.push_back('\0');
    key += chosen.requested_language;
  }
  return key;
}

}  // namespace

std::string build_explanation_obx(const hl7v2::Message& message,
                                  const content::ContentLibrary& library, const Chosen& chosen,
                                  V2Form form, int set_id) {
  std::string obx = "OBX";
  obx.push_back(message.delimiters().field);
  obx += std::to_string(set_id);
  obx += obx_tail(library, chosen, message, form);
  return obx;
}

V2Enricher::V2Enricher(const matching::RuleSetHolder& rules,
                       const content::ContentLibraryHolder& content, Policy policy)
    : rules_(rules),
      content_(content),
      policy_(std::move(policy)),
      cache_(std::make_shared<ExplanationObxCache>()) {}

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
  const auto& d = message.delimiters();

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
      const auto tail = cache_->get_or_build(library, cache_key(chosen, message, form), [&] {
        return obx_tail(*library, chosen, message, form);
      });
      std::string obx;
      const std::string set_id_text = std::to_string(set_id);
      obx.reserve(4 + set_id_text.size() + tail->size());
      obx.append("OBX").push_back(d.field);
      obx.append(set_id_text).append(*tail);
      enriched.insert_after(group.insert_after, std::move(obx));
      result.added.push_back({report.group_index, chosen.finding_id, chosen.content_id, doc.version,
                              doc.language, content::to_string(doc.review_status),
                              chosen.used_fallback, set_id_text});
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

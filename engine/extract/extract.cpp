#include "extract/extract.h"

#include <algorithm>
#include <cctype>

#include "extract/inference.h"
#include "extract/sections.h"
#include "hl7v2/groups.h"

namespace explainer::extract {
namespace {

using hl7v2::Message;
using hl7v2::Segment;

constexpr std::string_view kImpressionLoinc = "19005-8";

std::string trimmed(std::string s) {
  const auto not_space = [](char c) { return !std::isspace(static_cast<unsigned char>(c)); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

bool is_text_type(std::string_view type) {
  return type == "TX" || type == "FT" || type == "ST";
}
bool is_coded_type(std::string_view type) {
  return type == "CE" || type == "CWE";
}

bool skipped(const Segment& obx, const ExtractOptions& options) {
  return contains(options.skipped_observation_statuses, trimmed(obx.text(11)));
}

// OBX-3 is LOINC 19005-8 (primary or alternate identifier) or a battery code ending "&IMP".
bool is_impression_observation(const Segment& obx, const Message& m) {
  if (trimmed(obx.text(3, 1, 1, 1)) == kImpressionLoinc) return true;
  if (trimmed(obx.text(3, 1, 4, 1)) == kImpressionLoinc) return true;
  const std::string_view identifier = obx.raw(3, 1, 1);
  const std::size_t last_sub = identifier.rfind(m.delimiters().subcomponent);
  if (last_sub == std::string_view::npos) return false;
  return upper(m.decode(identifier.substr(last_sub + 1))) == "IMP";
}

// OBX-5 repetitions, split once (Segment accessors rescan the segment on every call, which
// would make many repetitions quadratic).
std::vector<std::string_view> repetitions_of(const Segment& obx, const Message& m) {
  const std::string_view value = obx.raw(5);
  if (value.empty()) return {};
  return hl7v2::split(value, m.delimiters().repetition);
}

std::string_view component_of(std::string_view repetition, int component, const Message& m) {
  const std::vector<std::string_view> parts = hl7v2::split(repetition, m.delimiters().component);
  return component <= static_cast<int>(parts.size()) ? parts[component - 1] : std::string_view{};
}

// Text lines of one OBX-5: each repetition, split at decoded line breaks. Coded values give
// their text component (the v2.3 convention for dictated impressions), else the code.
std::vector<std::string> value_lines(const Segment& obx, const Message& m) {
  std::vector<std::string> lines;
  const std::string type = upper(trimmed(obx.text(2)));
  const bool text_type = is_text_type(type);
  if (!text_type && !is_coded_type(type)) return lines;
  for (std::string_view repetition : repetitions_of(obx, m)) {
    std::string text;
    if (text_type) {
      text = m.decode(repetition);
    } else {
      text = m.decode(component_of(repetition, 2, m));
      if (text.empty()) text = m.decode(component_of(repetition, 1, m));
    }
    for (std::string& line : split_lines(text)) lines.push_back(std::move(line));
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += lines[i];
  }
  return out;
}

// Text from impression observations; a leading "IMPRESSION:" heading line is dropped.
std::string impression_from_observations(const Message& m, const hl7v2::ObrGroup& group,
                                         const ExtractOptions& options) {
  std::vector<std::string> lines;
  for (std::size_t index : group.observations) {
    const Segment obx = m.segment(index);
    if (skipped(obx, options) || !is_impression_observation(obx, m)) continue;
    for (std::string& line : value_lines(obx, m)) {
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
        line.pop_back();
      }
      lines.push_back(std::move(line));
    }
  }
  std::size_t first = 0;
  std::size_t end = lines.size();
  while (first < end && trimmed(lines[first]).empty()) ++first;
  std::string_view rest;
  if (first < end && is_impression_header(lines[first], &rest)) {
    if (rest.empty()) {
      ++first;
      while (first < end && trimmed(lines[first]).empty()) ++first;
    } else {
      lines[first] = std::string(rest);
    }
  }
  while (end > first && trimmed(lines[end - 1]).empty()) --end;
  return join_lines({lines.begin() + static_cast<std::ptrdiff_t>(first),
                     lines.begin() + static_cast<std::ptrdiff_t>(end)});
}

std::vector<std::string> report_lines(const Message& m, const hl7v2::ObrGroup& group,
                                      const ExtractOptions& options) {
  std::vector<std::string> lines;
  for (std::size_t index : group.observations) {
    const Segment obx = m.segment(index);
    if (skipped(obx, options) || !is_text_type(upper(trimmed(obx.text(2))))) continue;
    std::vector<std::string> value = value_lines(obx, m);
    if (value.empty()) value.emplace_back();  // an empty OBX-5 is a blank line
    for (std::string& line : value) lines.push_back(std::move(line));
  }
  return lines;
}

void add_code(std::vector<core::Code>& codes, std::string system, std::string code,
              std::string display) {
  if (code.empty()) return;
  codes.push_back({std::move(system), std::move(code), std::move(display)});
}

std::vector<core::Code> coded_values(const Message& m, const hl7v2::ObrGroup& group,
                                     const ExtractOptions& options) {
  std::vector<core::Code> codes;
  for (std::size_t index : group.observations) {
    const Segment obx = m.segment(index);
    if (skipped(obx, options) || !is_coded_type(upper(trimmed(obx.text(2))))) continue;
    for (std::string_view repetition : repetitions_of(obx, m)) {
      const std::vector<std::string_view> c = hl7v2::split(repetition, m.delimiters().component);
      auto part = [&c, &m](std::size_t n) { return n < c.size() ? m.decode(c[n]) : std::string(); };
      add_code(codes, part(2), trimmed(part(0)), part(1));
      add_code(codes, part(5), trimmed(part(3)), part(4));
    }
  }
  return codes;
}

core::ReportView view_of(const Message& m, const hl7v2::ObrGroup& group, int index,
                         const ExtractOptions& options) {
  core::ReportView view;
  view.group_index = index;
  const Segment obr = m.segment(group.obr);
  view.accession = trimmed(obr.text(3, 1, 1));
  if (view.accession.empty()) view.accession = trimmed(obr.text(2, 1, 1));
  view.status = trimmed(obr.text(25, 1, 1));
  view.released = contains(options.released_statuses, view.status);
  view.study_name = trimmed(obr.text(4, 1, 2));
  if (view.study_name.empty()) view.study_name = trimmed(obr.text(4, 1, 1));
  view.study_datetime = trimmed(obr.text(7, 1, 1));
  view.modality = infer_modality(trimmed(obr.text(24, 1, 1)), view.study_name);
  view.body_region = infer_body_region(view.study_name);
  if (group.patient) {
    const Segment pid = m.segment(*group.patient);
    view.patient_language = iso639_1_language(pid.text(15, 1, 1), pid.text(15, 1, 2));
  }

  view.impression = impression_from_observations(m, group, options);
  if (!view.impression.empty()) {
    view.impression_source = core::ImpressionSource::kImpressionObservation;
  } else {
    view.impression = impression_section(report_lines(m, group, options));
    if (!view.impression.empty()) {
      view.impression_source = core::ImpressionSource::kReportTextSection;
    }
  }
  view.codes = coded_values(m, group, options);
  return view;
}

}  // namespace

std::vector<core::ReportView> extract_reports(const Message& message,
                                              const ExtractOptions& options) {
  std::vector<core::ReportView> views;
  const std::vector<hl7v2::ObrGroup> groups = hl7v2::find_obr_groups(message);
  views.reserve(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    views.push_back(view_of(message, groups[i], static_cast<int>(i), options));
  }
  return views;
}

std::string report_text(const Message& message, std::size_t group_index,
                        const ExtractOptions& options) {
  const std::vector<hl7v2::ObrGroup> groups = hl7v2::find_obr_groups(message);
  if (group_index >= groups.size()) return {};
  return join_lines(report_lines(message, groups[group_index], options));
}

}  // namespace explainer::extract

#include "extract/extract.h"

#include <algorithm>
#include <array>
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

// Piece `n` (0-based) of `text` split at `separator`; "" when there are fewer (as
// Segment::raw gives for a missing part).
std::string_view piece(std::string_view text, char separator, std::size_t n) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t next = text.find(separator, start);
    if (next == std::string_view::npos) return {};
    start = next + 1;
  }
  const std::size_t end = text.find(separator, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// The decoded (UTF-8) text of a raw value: the raw bytes themselves when decoding cannot change
// them (no escape character and only ASCII, which every supported charset maps to itself), else
// Message::decode() into `storage`. Same text as Message::decode() either way, without a copy
// for the common case.
std::string_view decoded(std::string_view raw, const Message& m, std::string& storage) {
  const char escape = m.delimiters().escape;
  for (const char c : raw) {
    if (c == escape || static_cast<unsigned char>(c) >= 0x80) {
      storage = m.decode(raw);
      return storage;
    }
  }
  return raw;
}

std::string_view trim_view(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// upper(s) == upper_literal, for an upper-case ASCII literal.
bool upper_equals(std::string_view s, std::string_view upper_literal) {
  if (s.size() != upper_literal.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) != upper_literal[i]) return false;
  }
  return true;
}

enum class ValueKind { kOther, kText, kCoded };

// One OBX of a group with the fields extraction reads, located in one pass over the segment
// (Segment accessors rescan the segment on every call).
struct Obx {
  std::string_view identifier;         // OBX-3, raw
  std::string_view value;              // OBX-5, raw
  ValueKind kind = ValueKind::kOther;  // from OBX-2 (TX/FT/ST, CE/CWE)
  bool skipped = false;                // OBX-11 in skipped_observation_statuses
};

Obx read_obx(const Segment& segment, const Message& m, const ExtractOptions& options) {
  // Pieces of the segment at the field separator: [0] is the id, [n] is OBX-n.
  std::array<std::string_view, 12> fields{};
  const std::string_view text = segment.raw();
  const char separator = m.delimiters().field;
  std::size_t start = 0;
  for (std::size_t n = 0; n < fields.size(); ++n) {
    const std::size_t end = text.find(separator, start);
    fields[n] =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  Obx obx;
  obx.identifier = fields[3];
  obx.value = fields[5];
  std::string storage;
  obx.skipped =
      contains(options.skipped_observation_statuses, trim_view(decoded(fields[11], m, storage)));
  const std::string_view type = trim_view(decoded(fields[2], m, storage));
  if (upper_equals(type, "TX") || upper_equals(type, "FT") || upper_equals(type, "ST")) {
    obx.kind = ValueKind::kText;
  } else if (upper_equals(type, "CE") || upper_equals(type, "CWE")) {
    obx.kind = ValueKind::kCoded;
  }
  return obx;
}

std::vector<Obx> read_observations(const Message& m, const hl7v2::ObrGroup& group,
                                   const ExtractOptions& options) {
  std::vector<Obx> observations;
  observations.reserve(group.observations.size());
  for (std::size_t index : group.observations) {
    observations.push_back(read_obx(m.segment(index), m, options));
  }
  return observations;
}

// OBX-3 is LOINC 19005-8 (primary or alternate identifier) or a battery code ending "&IMP".
bool is_impression_observation(const Obx& obx, const Message& m) {
  const hl7v2::Delimiters& d = m.delimiters();
  const std::string_view first_repetition = piece(obx.identifier, d.repetition, 0);
  std::string storage;
  const std::string_view primary = piece(first_repetition, d.component, 0);
  if (trim_view(decoded(piece(primary, d.subcomponent, 0), m, storage)) == kImpressionLoinc) {
    return true;
  }
  const std::string_view alternate = piece(first_repetition, d.component, 3);
  if (trim_view(decoded(piece(alternate, d.subcomponent, 0), m, storage)) == kImpressionLoinc) {
    return true;
  }
  const std::size_t last_sub = primary.rfind(d.subcomponent);
  if (last_sub == std::string_view::npos) return false;
  return upper_equals(decoded(primary.substr(last_sub + 1), m, storage), "IMP");
}

// OBX-5 repetitions, split once.
std::vector<std::string_view> repetitions_of(const Obx& obx, const Message& m) {
  if (obx.value.empty()) return {};
  return hl7v2::split(obx.value, m.delimiters().repetition);
}

std::string_view component_of(std::string_view repetition, int component, const Message& m) {
  const std::vector<std::string_view> parts = hl7v2::split(repetition, m.delimiters().component);
  return component <= static_cast<int>(parts.size()) ? parts[component - 1] : std::string_view{};
}

// split_lines(text), appended to `lines`.
void append_lines(std::string_view text, std::vector<std::string>& lines) {
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

// Appends the text lines of one OBX-5 to `lines`: each repetition, split at decoded line
// breaks. Coded values give their text component (the v2.3 convention for dictated
// impressions), else the code. Returns the number of lines appended.
std::size_t append_value_lines(const Obx& obx, const Message& m, std::vector<std::string>& lines) {
  const std::size_t before = lines.size();
  if (obx.kind == ValueKind::kOther || obx.value.empty()) return 0;
  std::string storage;
  const char repetition_separator = m.delimiters().repetition;
  std::size_t start = 0;
  while (true) {  // the repetitions of OBX-5 (hl7v2::split without the vector)
    const std::size_t end = obx.value.find(repetition_separator, start);
    const std::string_view repetition = obx.value.substr(
        start, end == std::string_view::npos ? std::string_view::npos : end - start);
    std::string_view text;
    if (obx.kind == ValueKind::kText) {
      text = decoded(repetition, m, storage);
    } else {
      storage = m.decode(component_of(repetition, 2, m));
      if (storage.empty()) storage = m.decode(component_of(repetition, 1, m));
      text = storage;
    }
    append_lines(text, lines);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines.size() - before;
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
std::string impression_from_observations(const Message& m, const std::vector<Obx>& observations) {
  std::vector<std::string> lines;
  // Report text OBX usually share one OBX-3: the answer for the previous identifier is reused
  // (is_impression_observation is a pure function of the identifier's bytes).
  std::string_view previous_identifier;
  bool previous_answer = false;
  bool have_previous = false;
  for (const Obx& obx : observations) {
    if (obx.skipped) continue;
    if (!have_previous || obx.identifier != previous_identifier) {
      previous_identifier = obx.identifier;
      previous_answer = is_impression_observation(obx, m);
      have_previous = true;
    }
    if (!previous_answer) continue;
    const std::size_t added = append_value_lines(obx, m, lines);
    for (std::size_t i = lines.size() - added; i < lines.size(); ++i) {
      std::string& line = lines[i];
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
        line.pop_back();
      }
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

std::vector<std::string> report_lines(const Message& m, const std::vector<Obx>& observations) {
  std::vector<std::string> lines;
  for (const Obx& obx : observations) {
    if (obx.skipped || obx.kind != ValueKind::kText) continue;
    // An empty OBX-5 is a blank line.
    if (append_value_lines(obx, m, lines) == 0) lines.emplace_back();
  }
  return lines;
}

void add_code(std::vector<core::Code>& codes, std::string system, std::string code,
              std::string display) {
  if (code.empty()) return;
  codes.push_back({std::move(system), std::move(code), std::move(display)});
}

std::vector<core::Code> coded_values(const Message& m, const std::vector<Obx>& observations) {
  std::vector<core::Code> codes;
  for (const Obx& obx : observations) {
    if (obx.skipped || obx.kind != ValueKind::kCoded) continue;
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

  const std::vector<Obx> observations = read_observations(m, group, options);
  view.impression = impression_from_observations(m, observations);
  if (!view.impression.empty()) {
    view.impression_source = core::ImpressionSource::kImpressionObservation;
  } else {
    view.impression = impression_section(report_lines(m, observations));
    if (!view.impression.empty()) {
      view.impression_source = core::ImpressionSource::kReportTextSection;
    }
  }
  view.codes = coded_values(m, observations);
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
  return join_lines(
      report_lines(message, read_observations(message, groups[group_index], options)));
}

}  // namespace explainer::extract

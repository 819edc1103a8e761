#include "hl7v2/dump.h"

#include <cstdio>

namespace explainer::hl7v2 {
namespace {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02X", u);
      out += buffer;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void line(std::string& out, int indent, const std::string& label, std::string_view value) {
  out.append(static_cast<std::size_t>(indent), ' ');
  out += label;
  if (label.size() < 12) out.append(12 - label.size(), ' ');
  out.push_back(' ');
  out += printable(value);
  out.push_back('\n');
}

void dump_field(std::string& out, const Message& m, const std::string& label,
                std::string_view field) {
  const Delimiters& d = m.delimiters();
  if (field.find_first_of(std::string{d.repetition, d.component, d.subcomponent}) ==
      std::string_view::npos) {
    line(out, 2, label, m.decode(field));
    return;
  }
  line(out, 2, label, field);
  const auto repetitions = split(field, d.repetition);
  for (std::size_t r = 0; r < repetitions.size(); ++r) {
    const std::string rep_label =
        repetitions.size() > 1 ? label + "[" + std::to_string(r + 1) + "]" : label;
    const auto components = split(repetitions[r], d.component);
    if (components.size() == 1) {
      const auto subs = split(components[0], d.subcomponent);
      if (subs.size() == 1) {
        line(out, 4, rep_label, m.decode(components[0]));
        continue;
      }
    }
    for (std::size_t c = 0; c < components.size(); ++c) {
      if (components[c].empty()) continue;
      const std::string comp_label = rep_label + "." + std::to_string(c + 1);
      const auto subs = split(components[c], d.subcomponent);
      if (subs.size() == 1) {
        line(out, 4, comp_label, m.decode(components[c]));
        continue;
      }
      for (std::size_t s = 0; s < subs.size(); ++s) {
        if (subs[s].empty()) continue;
        line(out, 6, comp_label + "." + std::to_string(s + 1), m.decode(subs[s]));
      }
    }
  }
}

}  // namespace

std::string dump_structure(const Message& message) {
  const Delimiters& d = message.delimiters();
  std::string out;
  out += "delimiters: field '" + std::string(1, d.field) + "' encoding '" +
         d.encoding_characters() + "'\n";
  out += std::string("charset: ") + to_string(message.charset()) +
         (message.charset_recognised() ? "" : " (MSH-18 not recognised)") +
         (message.had_bom() ? ", BOM" : "") + "\n";
  out += "segments: " + std::to_string(message.segment_count()) + "\n";
  for (const std::string& warning : message.warnings()) out += "warning: " + warning + "\n";
  for (std::size_t i = 0; i < message.segment_count(); ++i) {
    const Segment segment = message.segment(i);
    const std::string id(segment.id());
    out += "[" + std::to_string(i) + "] " + printable(id) + "\n";
    const auto pieces = split(segment.raw(), d.field);
    const bool header = (id == "MSH" || id == "BHS" || id == "FHS") && segment.raw().size() >= 4;
    if (header) {
      line(out, 2, id + "-1", std::string(1, d.field));
      if (pieces.size() > 1) line(out, 2, id + "-2", pieces[1]);
    }
    for (std::size_t p = header ? 2 : 1; p < pieces.size(); ++p) {
      if (pieces[p].empty()) continue;
      const std::size_t number = header ? p + 1 : p;
      dump_field(out, message, printable(id) + "-" + std::to_string(number), pieces[p]);
    }
  }
  return out;
}

}  // namespace explainer::hl7v2

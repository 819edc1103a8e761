// Test support: a strict-enough parser of the Prometheus text exposition format 0.0.4, so
// tests check what a scraper would read, not substrings.
//
// It rejects (returns an error): a sample line that does not parse, a metric whose family
// was not declared with # TYPE before its samples, a family declared twice, samples of one
// family not contiguous, an unknown type, a bad label block (unquoted value, bad escape).
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace explainer::test_support {

struct PromSample {
  std::string name;  // as written, e.g. "explainer_ack_latency_seconds_bucket"
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string type;  // counter, gauge, histogram, summary, untyped
  std::string help;
};

struct PromText {
  std::map<std::string, PromFamily> families;
  std::vector<PromSample> samples;
  std::string error;  // empty when the text parsed

  bool ok() const { return error.empty(); }

  // Sum of the values of `name` samples whose labels include every pair of `match`.
  double sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const {
    double total = 0;
    for (const auto& s : samples) {
      if (s.name != name) continue;
      bool all = true;
      for (const auto& [k, v] : match) {
        const auto it = s.labels.find(k);
        if (it == s.labels.end() || it->second != v) all = false;
      }
      if (all) total += s.value;
    }
    return total;
  }
  bool has(const std::string& name) const {
    for (const auto& s : samples) {
      if (s.name == name) return true;
    }
    return false;
  }
};

inline std::optional<double> parse_prom_value(const std::string& text) {
  if (text == "+Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return NAN;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

inline bool prom_name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// The family a sample name belongs to (histogram samples carry a suffix).
inline std::string prom_family_of(const std::string& name,
                                  const std::map<std::string, PromFamily>& families) {
  if (families.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      const auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || it->second.type == "summary"))
        return base;
    }
  }
  return {};
}

inline PromText parse_prometheus_text(const std::string& text) {
  PromText out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  std::string current_family;
  std::set<std::string> closed;  // families whose samples ended
  auto fail = [&](const std::string& why) {
    out.error = "line " + std::to_string(number) + ": " + why + ": " + line;
    return out;
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name;
      words >> hash >> kind >> name;
      if (kind == "TYPE") {
        std::string type;
        words >> type;
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped") {
          return fail("unknown type");
        }
        if (out.families.count(name) && !out.families[name].type.empty())
          return fail("family declared twice");
        out.families[name].type = type;
      } else if (kind == "HELP") {
        std::string rest;
        std::getline(words, rest);
        out.families[name].help = rest.empty() ? rest : rest.substr(1);
      }
      continue;
    }
    PromSample sample;
    std::size_t i = 0;
    while (i < line.size() && prom_name_char(line[i], i == 0)) ++i;
    if (i == 0) return fail("no metric name");
    sample.name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const std::size_t start = i;
        while (i < line.size() && prom_name_char(line[i], i == start)) ++i;
        const std::string key = line.substr(start, i - start);
        if (key.empty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"')
          return fail("bad label");
        i += 2;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) return fail("bad escape");
            const char e = line[i + 1];
            if (e == 'n') {
              value += '\n';
            } else if (e == '\\' || e == '"') {
              value += e;
            } else {
              return fail("bad escape");
            }
            i += 2;
          } else {
            value += line[i++];
          }
        }
        if (i >= line.size()) return fail("unterminated label value");
        ++i;  // closing quote
        sample.labels[key] = value;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return fail("unterminated label block");
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') return fail("no value");
    std::string value_text = line.substr(i + 1);
    const auto space = value_text.find(' ');  // optional timestamp
    if (space != std::string::npos) value_text = value_text.substr(0, space);
    const auto value = parse_prom_value(value_text);
    if (!value) return fail("bad value");
    sample.value = *value;
    const std::string family = prom_family_of(sample.name, out.families);
    if (family.empty() || out.families[family].type.empty())
      return fail("sample before its # TYPE");
    if (family != current_family) {
      if (closed.count(family)) return fail("samples of one family are not together");
      if (!current_family.empty()) closed.insert(current_family);
      current_family = family;
    }
    out.samples.push_back(std::move(sample));
  }
  return out;
}

}  // namespace explainer::test_support

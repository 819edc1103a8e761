#include "matching/rule_set.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "matching/rule_set_builder.h"
#include "matching/string_util.h"

namespace explainer::matching {

using detail::to_lower;
using detail::to_upper;
using detail::trim;

std::string_view to_string(Sensitivity s) {
  switch (s) {
    case Sensitivity::kRoutine:
      return "routine";
    case Sensitivity::kFollowUp:
      return "follow-up";
    case Sensitivity::kSensitive:
      return "sensitive";
  }
  return "routine";
}

namespace {

std::string hex16(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

const Finding* RuleSet::find(std::string_view id) const {
  const auto it = finding_index_.find(id);
  return it == finding_index_.end() ? nullptr : &findings_[it->second];
}

std::uint32_t RuleSet::token_id(std::string_view normalised_word) const {
  const auto it = vocabulary_.find(normalised_word);
  return it == vocabulary_.end() ? 0 : it->second;
}

std::string_view RuleSet::canonical_word(std::string_view normalised_word) const {
  const auto it = canonical_word_.find(normalised_word);
  return it == canonical_word_.end() ? normalised_word : std::string_view(it->second);
}

std::string RuleSet::canonical_modality(std::string_view modality) const {
  const std::string upper = to_upper(trim(modality));
  const auto it = modality_alias_.find(upper);
  return it == modality_alias_.end() ? upper : it->second;
}

std::vector<std::string> RuleSet::canonical_regions(std::string_view region) const {
  std::vector<std::string> out;
  const std::string lower = to_lower(trim(region));
  if (lower.empty()) return out;
  if (const auto it = region_alias_.find(lower); it != region_alias_.end()) {
    out.push_back(it->second);
    return out;
  }
  // "CT chest/abdomen/pelvis", "lumbar spine": look at each word.
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    std::string canonical = word;
    if (const auto it = region_alias_.find(word); it != region_alias_.end()) canonical = it->second;
    if (std::find(out.begin(), out.end(), canonical) == out.end()) out.push_back(canonical);
    word.clear();
  };
  for (const char c : lower) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::string RuleSet::canonical_code_system(std::string_view system) const {
  const std::string t = trim(system);
  const auto it = code_system_alias_.find(to_lower(t));
  return it == code_system_alias_.end() ? t : it->second;
}

const std::vector<std::uint32_t>* RuleSet::findings_for_code(std::string_view canonical_system,
                                                             std::string_view code) const {
  std::string key;
  key.reserve(canonical_system.size() + code.size() + 1);
  key.append(canonical_system).append("|").append(code);
  const auto it = code_index_.find(key);
  return it == code_index_.end() ? nullptr : &it->second;
}

LoadResult RuleSet::load_sources(const SourceFile& normalization, const SourceFile& lexicon,
                                 const std::vector<SourceFile>& finding_files) {
  LoadResult result;
  RuleSetBuilder builder(result.errors);
  builder.load_normalization(normalization);
  builder.load_lexicon(lexicon);
  for (const auto& f : finding_files) builder.load_findings(f);
  // FNV-1a over every byte, so two deployments can tell whether they run the same rules.
  std::uint64_t hash = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (const unsigned char c : s) {
      hash ^= c;
      hash *= 1099511628211ull;
    }
  };
  mix(normalization.text);
  mix(lexicon.text);
  for (const auto& f : finding_files) mix(f.text);
  std::string findings_versions;
  for (const auto& v : builder.finding_versions) {
    if (!findings_versions.empty()) findings_versions += ",";
    findings_versions += v;
  }
  auto rules = builder.finish("findings=" + findings_versions +
                              ";lexicon=" + builder.lexicon_version + ";sha=" + hex16(hash));
  if (rules->findings().empty() && result.errors.empty()) {
    result.errors.push_back({"", 0, "no findings loaded"});
  }
  if (result.errors.empty()) result.rules = std::move(rules);
  return result;
}

LoadResult RuleSet::load_directory(const std::filesystem::path& dir) {
  LoadResult result;
  auto read = [&](const std::filesystem::path& p, SourceFile& out) {
    out.name = p.string();
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      result.errors.push_back({p.string(), 0, "cannot read file"});
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out.text = ss.str();
    return true;
  };
  SourceFile normalization, lexicon;
  read(dir / "normalization.json", normalization);
  read(dir / "assertion" / "lexicon.json", lexicon);
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir / "findings", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && it->path().extension() == ".json") {
      paths.push_back(it->path());
    }
  }
  if (ec) result.errors.push_back({(dir / "findings").string(), 0, "cannot list: " + ec.message()});
  std::sort(paths.begin(), paths.end());
  std::vector<SourceFile> files(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) read(paths[i], files[i]);
  if (!result.errors.empty()) return result;
  return load_sources(normalization, lexicon, files);
}

}  // namespace explainer::matching

#include "matching/rule_set_builder.h"

#include <algorithm>

#include "matching/phrase_expansion.h"
#include "matching/string_util.h"

namespace explainer::matching {

using detail::is_comment_key;
using detail::to_lower;
using detail::to_upper;
using detail::trim;

namespace {
constexpr int kFormatVersion = 1;
}  // namespace

bool RuleSetBuilder::open(const SourceFile& file, const JsonSource& json, const char* array_key) {
  if (!json.ok()) {
    error(file.name, json.error_line(), "invalid JSON: " + json.error());
    return false;
  }
  const auto& root = json.root();
  if (!root.IsObject()) {
    error(file.name, json.line_of(root), "top level must be an object");
    return false;
  }
  const auto fv = root.FindMember("format_version");
  if (fv == root.MemberEnd()) {
    error(file.name, json.line_of(root), "missing \"format_version\"");
    return false;
  }
  if (!fv->value.IsInt() || fv->value.GetInt() != kFormatVersion) {
    error(file.name, json.line_of(fv->value),
          "unsupported \"format_version\" (expected " + std::to_string(kFormatVersion) + ")");
    return false;
  }
  if (array_key != nullptr) {
    const auto arr = root.FindMember(array_key);
    if (arr == root.MemberEnd() || !arr->value.IsArray()) {
      error(file.name, json.line_of(root), std::string("missing array \"") + array_key + "\"");
      return false;
    }
  }
  return true;
}

bool RuleSetBuilder::check_keys(const SourceFile& file, const JsonSource& json, const Value& obj,
                                std::initializer_list<std::string_view> allowed) {
  bool ok = true;
  for (const auto& m : obj.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (is_comment_key(key)) continue;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error(file.name, json.line_of(m.value), "unknown key \"" + std::string(key) + "\"");
      ok = false;
    }
  }
  return ok;
}

bool RuleSetBuilder::string_list(const SourceFile& file, const JsonSource& json, const Value& obj,
                                 const char* key, std::vector<std::string>& out) {
  const auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return true;
  if (!it->value.IsArray()) {
    error(file.name, json.line_of(it->value), std::string("\"") + key + "\" must be an array");
    return false;
  }
  for (const auto& e : it->value.GetArray()) {
    if (!e.IsString() || trim(e.GetString()).empty()) {
      error(file.name, json.line_of(e),
            std::string("\"") + key + "\" entries must be non-empty strings");
      return false;
    }
    out.push_back(trim(e.GetString()));
  }
  return true;
}

std::uint32_t RuleSetBuilder::intern(std::string_view word) {
  std::string_view canonical = word;
  if (const auto it = rules_->canonical_word_.find(word); it != rules_->canonical_word_.end()) {
    canonical = it->second;
  }
  auto& vocab = rules_->vocabulary_;
  auto it = vocab.find(canonical);
  if (it == vocab.end()) {
    it = vocab.emplace(std::string(canonical), static_cast<std::uint32_t>(vocab.size() + 1)).first;
  }
  const std::uint32_t id = it->second;
  if (canonical != word) vocab.emplace(std::string(word), id);
  return id;
}

bool RuleSetBuilder::phrase_ids(std::string_view phrase, std::vector<std::uint32_t>& ids,
                                std::string& why) {
  ids.clear();
  tokenize(phrase, tokens_, norm_);
  for (const auto& t : tokens_) {
    if (!is_wordlike(t.kind)) {
      why = "phrase contains punctuation \"" + std::string(token_text(t, norm_)) + "\"";
      return false;
    }
    ids.push_back(intern(token_text(t, norm_)));
  }
  if (ids.empty()) {
    why = "empty phrase";
    return false;
  }
  return true;
}

void RuleSetBuilder::load_normalization(const SourceFile& file) {
  JsonSource json(file.text);
  if (!open(file, json, nullptr)) return;
  const auto& root = json.root();
  check_keys(file, json, root,
             {"format_version", "token_variants", "body_region_aliases", "modality_aliases",
              "code_system_aliases"});
  // Each section maps canonical -> [aliases].
  auto section = [&](const char* key, auto&& add) {
    const auto it = root.FindMember(key);
    if (it == root.MemberEnd()) return;
    if (!it->value.IsObject()) {
      error(file.name, json.line_of(it->value), std::string("\"") + key + "\" must be an object");
      return;
    }
    for (const auto& m : it->value.GetObject()) {
      const std::string canonical = trim(m.name.GetString());
      if (canonical.empty() || !m.value.IsArray()) {
        error(file.name, json.line_of(m.value),
              std::string("\"") + key + "\" entries must map a non-empty name to an array");
        continue;
      }
      add(canonical, canonical, m.value);
      for (const auto& alias : m.value.GetArray()) {
        if (!alias.IsString() || trim(alias.GetString()).empty()) {
          error(file.name, json.line_of(alias), "aliases must be non-empty strings");
          continue;
        }
        add(canonical, trim(alias.GetString()), alias);
      }
    }
  };
  section("token_variants",
          [&](const std::string& canonical, const std::string& alias, const Value& where) {
            const std::string c = to_lower(canonical), a = to_lower(alias);
            if (a.find_first_of(" -/'") != std::string::npos ||
                c.find_first_of(" -/'") != std::string::npos) {
              error(file.name, json.line_of(where),
                    "token variants must be single words: \"" + alias + "\"");
              return;
            }
            if (const auto it = rules_->canonical_word_.find(a);
                it != rules_->canonical_word_.end() && it->second != c) {
              error(file.name, json.line_of(where),
                    "\"" + alias + "\" is already a variant of \"" + it->second + "\"");
              return;
            }
            rules_->canonical_word_[a] = c;
          });
  section("body_region_aliases",
          [&](const std::string& canonical, const std::string& alias, const Value&) {
            rules_->region_alias_[to_lower(alias)] = to_lower(canonical);
          });
  section("modality_aliases",
          [&](const std::string& canonical, const std::string& alias, const Value&) {
            rules_->modality_alias_[to_upper(alias)] = to_upper(canonical);
          });
  section("code_system_aliases",
          [&](const std::string& canonical, const std::string& alias, const Value&) {
            rules_->code_system_alias_[to_lower(alias)] = canonical;
          });
  // Make every variant a known token so text lookups resolve it.
  std::vector<std::pair<std::string, std::string>> variants(rules_->canonical_word_.begin(),
                                                            rules_->canonical_word_.end());
  for (const auto& [variant, canonical] : variants) intern(variant);
}

void RuleSetBuilder::load_lexicon(const SourceFile& file) {
  JsonSource json(file.text);
  if (!open(file, json, "groups")) return;
  const auto& root = json.root();
  check_keys(file, json, root, {"format_version", "lexicon_version", "groups"});
  if (const auto v = root.FindMember("lexicon_version");
      v != root.MemberEnd() && v->value.IsString()) {
    lexicon_version = v->value.GetString();
  }
  std::vector<std::uint32_t> ids;
  for (const auto& group : root["groups"].GetArray()) {
    const int line = json.line_of(group);
    if (!group.IsObject()) {
      error(file.name, line, "each group must be an object");
      continue;
    }
    if (!check_keys(file, json, group,
                    {"kind", "assertion", "direction", "max_scope", "phrases"})) {
      continue;
    }
    Cue cue;
    const auto kind = group.FindMember("kind");
    const std::string kind_text =
        kind != group.MemberEnd() && kind->value.IsString() ? kind->value.GetString() : "";
    if (kind_text == "trigger") {
      cue.kind = CueKind::kTrigger;
    } else if (kind_text == "pseudo") {
      cue.kind = CueKind::kPseudo;
    } else if (kind_text == "terminate") {
      cue.kind = CueKind::kTerminate;
    } else {
      error(file.name, line, "\"kind\" must be trigger, pseudo or terminate");
      continue;
    }
    if (cue.kind == CueKind::kTrigger) {
      const auto a = group.FindMember("assertion");
      const auto parsed = a != group.MemberEnd() && a->value.IsString()
                              ? assertion_from_string(a->value.GetString())
                              : std::nullopt;
      if (!parsed || *parsed == Assertion::kAffirmed) {
        error(file.name, line,
              "trigger \"assertion\" must be negated, uncertain, hypothetical or historical");
        continue;
      }
      cue.assertion = *parsed;
      const auto d = group.FindMember("direction");
      const std::string dir =
          d != group.MemberEnd() && d->value.IsString() ? d->value.GetString() : "";
      if (dir == "forward") {
        cue.direction = CueDirection::kForward;
      } else if (dir == "backward") {
        cue.direction = CueDirection::kBackward;
        cue.max_scope = 6;
      } else if (dir == "bidirectional") {
        cue.direction = CueDirection::kBidirectional;
        cue.max_scope = 6;
      } else {
        error(file.name, line, "\"direction\" must be forward, backward or bidirectional");
        continue;
      }
      if (const auto s = group.FindMember("max_scope"); s != group.MemberEnd()) {
        if (!s->value.IsUint() || s->value.GetUint() > 1000) {
          error(file.name, json.line_of(s->value), "\"max_scope\" must be an integer 0..1000");
          continue;
        }
        cue.max_scope = static_cast<std::uint16_t>(s->value.GetUint());
      }
    }
    const auto phrases = group.FindMember("phrases");
    if (phrases == group.MemberEnd() || !phrases->value.IsArray() || phrases->value.Empty()) {
      error(file.name, line, "group needs a non-empty \"phrases\" array");
      continue;
    }
    for (const auto& p : phrases->value.GetArray()) {
      if (!p.IsString()) {
        error(file.name, json.line_of(p), "phrases must be strings");
        continue;
      }
      std::vector<std::string> expanded;
      std::string why;
      if (!expand_phrase(p.GetString(), expanded, why)) {
        error(file.name, json.line_of(p), why);
        continue;
      }
      for (const auto& text : expanded) {
        if (!phrase_ids(text, ids, why)) {
          error(file.name, json.line_of(p), why + " in \"" + p.GetString() + "\"");
          continue;
        }
        std::string joined;
        for (const auto& t : tokens_) {
          if (!joined.empty()) joined.push_back(' ');
          joined += token_text(t, norm_);
        }
        if (const auto it = cue_by_phrase_.find(joined); it != cue_by_phrase_.end()) {
          error(file.name, json.line_of(p), "duplicate cue phrase \"" + joined + "\"");
          continue;
        }
        cue.phrase = joined;
        const auto index = static_cast<std::uint32_t>(rules_->cues_.size());
        rules_->cues_.push_back(cue);
        cue_by_phrase_.emplace(joined, index);
        rules_->cue_trie_.insert(ids, index);
      }
    }
  }
}

void RuleSetBuilder::load_findings(const SourceFile& file) {
  JsonSource json(file.text);
  if (!open(file, json, "findings")) return;
  const auto& root = json.root();
  check_keys(file, json, root,
             {"format_version", "rules_version", "region", "exclusions", "findings"});
  if (const auto ex = root.FindMember("exclusions"); ex != root.MemberEnd()) {
    if (!ex->value.IsArray()) {
      error(file.name, json.line_of(ex->value), "\"exclusions\" must be an array of phrases");
    } else {
      for (const auto& p : ex->value.GetArray()) {
        if (!p.IsString()) {
          error(file.name, json.line_of(p), "exclusions must be strings");
          continue;
        }
        add_phrase(file, json, p, p.GetString(), {PhraseTarget::kExclusion, -1});
      }
    }
  }
  if (const auto v = root.FindMember("rules_version");
      v != root.MemberEnd() && v->value.IsString()) {
    finding_versions.push_back(v->value.GetString());
  }
  for (const auto& obj : root["findings"].GetArray()) {
    const int line = json.line_of(obj);
    if (!obj.IsObject()) {
      error(file.name, line, "each finding must be an object");
      continue;
    }
    bool ok = check_keys(file, json, obj,
                         {"id", "content_id", "display", "sensitivity", "modalities",
                          "body_regions", "codes", "phrases"});
    Finding f;
    f.source_file = file.name;
    f.source_line = line;
    auto required_string = [&](const char* key, std::string& out) {
      const auto it = obj.FindMember(key);
      if (it == obj.MemberEnd()) {
        error(file.name, line, std::string("missing \"") + key + "\"");
        return false;
      }
      if (!it->value.IsString() || trim(it->value.GetString()).empty()) {
        error(file.name, json.line_of(it->value),
              std::string("\"") + key + "\" must be a non-empty string");
        return false;
      }
      out = trim(it->value.GetString());
      return true;
    };
    ok = required_string("id", f.id) && ok;
    ok = required_string("content_id", f.content_id) && ok;
    ok = required_string("display", f.display) && ok;
    std::string sensitivity;
    if (required_string("sensitivity", sensitivity)) {
      if (sensitivity == "routine") {
        f.sensitivity = Sensitivity::kRoutine;
      } else if (sensitivity == "follow-up") {
        f.sensitivity = Sensitivity::kFollowUp;
      } else if (sensitivity == "sensitive") {
        f.sensitivity = Sensitivity::kSensitive;
      } else {
        error(file.name, json.line_of(obj["sensitivity"]),
              "unknown sensitivity \"" + sensitivity + "\" (routine, follow-up, sensitive)");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (!f.id.empty()) {
      if (f.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        error(file.name, json.line_of(obj["id"]),
              "id \"" + f.id + "\" may use only a-z, 0-9 and '_'");
        ok = false;
      } else if (const auto it = id_origin_.find(f.id); it != id_origin_.end()) {
        error(file.name, json.line_of(obj["id"]),
              "duplicate id \"" + f.id + "\" (first defined at " + it->second.first + ":" +
                  std::to_string(it->second.second) + ")");
        ok = false;
      }
    }
    ok = string_list(file, json, obj, "modalities", f.modalities) && ok;
    ok = string_list(file, json, obj, "body_regions", f.body_regions) && ok;
    for (auto& m : f.modalities) m = to_upper(m);
    for (auto& r : f.body_regions) r = to_lower(r);
    if (const auto codes = obj.FindMember("codes"); codes != obj.MemberEnd()) {
      if (!codes->value.IsArray()) {
        error(file.name, json.line_of(codes->value), "\"codes\" must be an array");
        ok = false;
      } else {
        for (const auto& c : codes->value.GetArray()) {
          if (!c.IsObject() || !c.HasMember("system") || !c.HasMember("code") ||
              !c["system"].IsString() || !c["code"].IsString() ||
              trim(c["system"].GetString()).empty() || trim(c["code"].GetString()).empty()) {
            error(file.name, json.line_of(c),
                  "each code needs non-empty string \"system\" and \"code\"");
            ok = false;
            continue;
          }
          if (!check_keys(file, json, c, {"system", "code", "display"})) ok = false;
          f.codes.push_back({rules_->canonical_code_system(trim(c["system"].GetString())),
                             trim(c["code"].GetString())});
        }
      }
    }
    const auto phrases = obj.FindMember("phrases");
    if (phrases == obj.MemberEnd() || !phrases->value.IsArray() || phrases->value.Empty()) {
      error(file.name, line, "missing or empty \"phrases\" array");
      ok = false;
    }
    if (!ok) continue;

    const auto index = static_cast<std::uint32_t>(rules_->findings_.size());
    for (const auto& p : phrases->value.GetArray()) {
      PhraseTarget target{index, -1};
      const Value* text = &p;
      if (p.IsObject()) {
        if (!check_keys(file, json, p, {"text", "modalities", "body_regions"})) continue;
        const auto t = p.FindMember("text");
        if (t == p.MemberEnd() || !t->value.IsString()) {
          error(file.name, json.line_of(p), "phrase object needs a string \"text\"");
          continue;
        }
        text = &t->value;
        PhraseConstraint constraint;
        if (!string_list(file, json, p, "modalities", constraint.modalities) ||
            !string_list(file, json, p, "body_regions", constraint.body_regions)) {
          continue;
        }
        for (auto& m : constraint.modalities) m = to_upper(m);
        for (auto& r : constraint.body_regions) r = to_lower(r);
        target.constraint = static_cast<std::int32_t>(rules_->phrase_constraints_.size());
        rules_->phrase_constraints_.push_back(std::move(constraint));
      } else if (!p.IsString()) {
        error(file.name, json.line_of(p), "a phrase must be a string or an object");
        continue;
      }
      f.phrases.emplace_back(text->GetString());
      add_phrase(file, json, *text, text->GetString(), target);
    }
    id_origin_.emplace(f.id, std::make_pair(file.name, line));
    rules_->finding_index_.emplace(f.id, index);
    for (const auto& c : f.codes) {
      rules_->code_index_[c.system + "|" + c.code].push_back(index);
    }
    rules_->findings_.push_back(std::move(f));
  }
}

bool RuleSetBuilder::add_phrase(const SourceFile& file, const JsonSource& json, const Value& where,
                                std::string_view phrase, PhraseTarget target) {
  std::vector<std::string> expanded;
  std::string why;
  if (!expand_phrase(phrase, expanded, why)) {
    error(file.name, json.line_of(where), why + " in \"" + std::string(phrase) + "\"");
    return false;
  }
  std::vector<std::uint32_t> ids;
  const auto payload = static_cast<std::uint32_t>(rules_->phrase_targets_.size());
  bool any = false;
  for (const auto& text : expanded) {
    if (!phrase_ids(text, ids, why)) {
      error(file.name, json.line_of(where), why + " in \"" + std::string(phrase) + "\"");
      return false;
    }
    rules_->finding_trie_.insert(ids, payload);
    any = true;
  }
  if (any) rules_->phrase_targets_.push_back(target);
  return any;
}

}  // namespace explainer::matching

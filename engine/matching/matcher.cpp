#include "matching/matcher.h"

#include <algorithm>

#include "matching/text.h"

namespace explainer::matching {
namespace {

struct Hit {
  std::uint32_t first = 0;  // token range [first, last)
  std::uint32_t last = 0;
  std::uint32_t node = 0;  // trie node whose payloads matched
};

// Per-thread buffers reused across calls so matching does not allocate per token.
struct Scratch {
  std::vector<Token> tokens;
  std::string norm;
  Segmentation segmentation;
  std::vector<std::uint32_t> ids;
  std::vector<Hit> finding_hits;
  std::vector<Hit> cue_hits;
  std::vector<char> alternative;            // per finding hit: part of an "A or B" differential
  std::vector<std::uint32_t> slot_finding;  // finding index of each result slot
  std::vector<std::uint32_t> word_prefix;   // number of word tokens before index i
  // For assert_target.
  std::vector<Token> target_tokens;
  std::string target_norm;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

struct ResolvedContext {
  std::string modality;
  std::vector<std::string> regions;
};

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}
bool any_in(const std::vector<std::string>& values, const std::vector<std::string>& allowed) {
  for (const auto& v : values) {
    if (contains(allowed, v)) return true;
  }
  return false;
}

// Finding-level constraints exclude only a KNOWN mismatch.
bool finding_allowed(const Finding& f, const ResolvedContext& ctx) {
  if (!ctx.modality.empty() && !f.modalities.empty() && !contains(f.modalities, ctx.modality)) {
    return false;
  }
  if (!ctx.regions.empty() && !f.body_regions.empty() && !any_in(ctx.regions, f.body_regions)) {
    return false;
  }
  return true;
}

// Phrase-level constraints are strict: the value must be known and listed.
bool phrase_allowed(const PhraseConstraint& c, const ResolvedContext& ctx) {
  if (!c.modalities.empty() && (ctx.modality.empty() || !contains(c.modalities, ctx.modality))) {
    return false;
  }
  if (!c.body_regions.empty() && (ctx.regions.empty() || !any_in(ctx.regions, c.body_regions))) {
    return false;
  }
  return true;
}

bool target_allowed(const RuleSet& rules, const PhraseTarget& t, const ResolvedContext& ctx) {
  if (t.finding == PhraseTarget::kExclusion) return true;
  if (!finding_allowed(rules.findings()[t.finding], ctx)) return false;
  return t.constraint < 0 || phrase_allowed(rules.phrase_constraints()[t.constraint], ctx);
}

void compute_ids(const RuleSet& rules, Scratch& s) {
  s.ids.resize(s.tokens.size());
  s.word_prefix.resize(s.tokens.size() + 1);
  s.word_prefix[0] = 0;
  for (std::size_t i = 0; i < s.tokens.size(); ++i) {
    const Token& t = s.tokens[i];
    const bool word = is_wordlike(t.kind);
    s.ids[i] = word ? rules.token_id(token_text(t, s.norm)) : 0;
    s.word_prefix[i + 1] = s.word_prefix[i] + (word ? 1 : 0);
  }
}

// Greedy leftmost-longest, non-overlapping matching of a trie over token ids.
// `accept(node)` decides whether a phrase ending at `node` counts.
template <class Accept>
void find_hits(const PhraseTrie& trie, const std::vector<std::uint32_t>& ids,
               std::vector<Hit>& hits, Accept&& accept) {
  hits.clear();
  const auto n = static_cast<std::uint32_t>(ids.size());
  std::uint32_t i = 0;
  while (i < n) {
    std::uint32_t node = PhraseTrie::kRoot;
    Hit best;
    bool found = false;
    for (std::uint32_t j = i; j < n && ids[j] != 0; ++j) {
      node = trie.child(node, ids[j]);
      if (node == PhraseTrie::kNone) break;
      if (!trie.payloads(node).empty() && accept(node)) {
        best = {i, j + 1, node};
        found = true;
      }
    }
    if (found) {
      hits.push_back(best);
      i = best.last;
    } else {
      ++i;
    }
  }
}

int rank(Assertion a) {
  switch (a) {
    case Assertion::kNegated:
      return 4;
    case Assertion::kHypothetical:
      return 3;
    case Assertion::kHistorical:
      return 2;
    case Assertion::kUncertain:
      return 1;
    case Assertion::kAffirmed:
      return 0;
  }
  return 0;
}

struct Decision {
  Assertion assertion = Assertion::kAffirmed;
  const Hit* cue = nullptr;
};

// End of the backward scope of a mention in `clause`: backward cues may look past a
// colon ("Pleural effusion: none") but not past ';' or the sentence end.
std::uint32_t backward_limit(const Scratch& s, Span clause, Span sentence) {
  std::uint32_t end = clause.last;
  while (end < sentence.last && end > 0 && s.tokens[end - 1].kind == TokenKind::kClause &&
         token_text(s.tokens[end - 1], s.norm) == ":") {
    // extend through the next clause
    std::uint32_t next = end;
    while (next < sentence.last && s.tokens[next].kind != TokenKind::kClause) ++next;
    end = next < sentence.last ? next + 1 : sentence.last;
  }
  return end;
}

// ConText-style decision for the mention [first, last) inside `clause`: every trigger
// whose scope reaches the mention (same clause, no terminator in between, within its
// max_scope in words) votes; the strongest category wins, the closest cue breaks ties.
Decision classify(const RuleSet& rules, const Scratch& s, Span clause, Span sentence,
                  std::uint32_t first, std::uint32_t last) {
  const std::uint32_t backward_end = backward_limit(s, clause, sentence);
  Decision best;
  std::uint32_t best_distance = 0;
  auto terminated_between = [&](std::uint32_t from, std::uint32_t to) {
    for (const Hit& h : s.cue_hits) {
      if (h.first >= to) break;
      if (h.first >= from &&
          rules.cues()[rules.cue_trie().payloads(h.node).front()].kind == CueKind::kTerminate) {
        return true;
      }
    }
    return false;
  };
  for (const Hit& h : s.cue_hits) {
    if (h.first < clause.first) continue;
    if (h.last > backward_end) break;
    const Cue& cue = rules.cues()[rules.cue_trie().payloads(h.node).front()];
    if (cue.kind != CueKind::kTrigger) continue;
    if (h.last > clause.last && cue.direction == CueDirection::kForward) continue;
    std::uint32_t distance = 0;
    if (h.last <= first) {
      if (cue.direction == CueDirection::kBackward) continue;
      if (terminated_between(h.last, first)) continue;
      distance = s.word_prefix[first] - s.word_prefix[h.last];
    } else if (h.first >= last) {
      if (cue.direction == CueDirection::kForward) continue;
      if (terminated_between(last, h.first)) continue;
      distance = s.word_prefix[h.first] - s.word_prefix[last];
    } else {
      continue;  // a cue overlapping the mention does not modify it
    }
    if (cue.max_scope != 0 && distance > cue.max_scope) continue;
    const int r = rank(cue.assertion);
    if (r > rank(best.assertion) || (r == rank(best.assertion) && distance < best_distance)) {
      best.assertion = cue.assertion;
      best.cue = &h;
      best_distance = distance;
    }
  }
  return best;
}

// Marks finding hits joined by "or" (optionally with commas: "A, B, or C") inside one
// clause: an affirmed-looking differential is uncertain. Negated lists ("no A or B") keep
// their negation because this only downgrades affirmed mentions.
void mark_alternatives(Scratch& s) {
  const auto& hits = s.finding_hits;
  s.alternative.assign(hits.size(), 0);
  std::size_t group_start = 0;
  bool group_has_or = false;
  auto close_group = [&](std::size_t end) {
    if (group_has_or) {
      for (std::size_t k = group_start; k < end; ++k) s.alternative[k] = 1;
    }
  };
  for (std::size_t i = 1; i <= hits.size(); ++i) {
    bool joined = false;
    bool has_or = false;
    if (i < hits.size() && hits[i].first > hits[i - 1].last) {
      joined = true;
      for (std::uint32_t t = hits[i - 1].last; t < hits[i].first && joined; ++t) {
        const Token& tok = s.tokens[t];
        if (tok.kind == TokenKind::kComma) continue;
        if (tok.kind == TokenKind::kWord && token_text(tok, s.norm) == "or") {
          has_or = true;
          continue;
        }
        joined = false;
      }
    }
    if (joined) {
      group_has_or = group_has_or || has_or;
    } else {
      close_group(i);
      group_start = i;
      group_has_or = false;
    }
  }
}

// A mention inside a question ("Clinical question: disc herniation?") is not asserted.
bool is_question(const Scratch& s, Span sentence) {
  if (sentence.last <= sentence.first) return false;
  const Token& t = s.tokens[sentence.last - 1];
  return t.kind == TokenKind::kPeriod && token_text(t, s.norm) == "?";
}

std::string slice(std::string_view text, const std::vector<Token>& tokens, std::uint32_t first,
                  std::uint32_t last) {
  if (first >= last) return {};
  return std::string(text.substr(tokens[first].begin, tokens[last - 1].end - tokens[first].begin));
}

void find_cues(const RuleSet& rules, Scratch& s) {
  find_hits(rules.cue_trie(), s.ids, s.cue_hits, [](std::uint32_t) { return true; });
}

}  // namespace

Assertion combine_assertions(const std::vector<Mention>& mentions) {
  bool any = false;
  Assertion best = Assertion::kNegated;
  auto presence = [](Assertion a) {
    switch (a) {
      case Assertion::kAffirmed:
        return 4;
      case Assertion::kUncertain:
        return 3;
      case Assertion::kHistorical:
        return 2;
      case Assertion::kHypothetical:
        return 1;
      case Assertion::kNegated:
        return 0;
    }
    return 0;
  };
  for (const auto& m : mentions) {
    if (!any || presence(m.assertion) > presence(best)) best = m.assertion;
    any = true;
  }
  return best;
}

Matcher::Matcher(std::shared_ptr<const RuleSet> rules)
    : owner_(std::move(rules)), rules_(owner_.get()) {}

Matcher::Matcher(const RuleSet& rules) : rules_(&rules) {}

MatchResult Matcher::match(std::string_view text, const MatchContext& context) const {
  const RuleSet& rules = *rules_;
  Scratch& s = scratch();
  MatchResult result;
  result.rules_version = rules.version();

  ResolvedContext ctx;
  if (!context.modality.empty()) ctx.modality = rules.canonical_modality(context.modality);
  ctx.regions = rules.canonical_regions(context.body_region);

  tokenize(text, s.tokens, s.norm);
  segment(s.tokens, s.norm, s.segmentation);
  compute_ids(rules, s);
  find_cues(rules, s);
  find_hits(rules.finding_trie(), s.ids, s.finding_hits, [&](std::uint32_t node) {
    for (const std::uint32_t p : rules.finding_trie().payloads(node)) {
      if (target_allowed(rules, rules.phrase_targets()[p], ctx)) return true;
    }
    return false;
  });

  mark_alternatives(s);

  s.slot_finding.clear();
  auto finding_slot = [&](std::uint32_t finding) -> FindingMatch& {
    for (std::size_t k = 0; k < s.slot_finding.size(); ++k) {
      if (s.slot_finding[k] == finding) return result.findings[k];
    }
    s.slot_finding.push_back(finding);
    const Finding& f = rules.findings()[finding];
    FindingMatch fm;
    fm.finding_id = f.id;
    fm.content_id = f.content_id;
    fm.display = f.display;
    fm.sensitivity = f.sensitivity;
    result.findings.push_back(std::move(fm));
    return result.findings.back();
  };

  const auto& clauses = s.segmentation.clauses;
  const auto& sentences = s.segmentation.sentences;
  std::size_t ci = 0, si = 0;
  for (std::size_t hi = 0; hi < s.finding_hits.size(); ++hi) {
    const Hit& hit = s.finding_hits[hi];
    while (ci < clauses.size() && clauses[ci].last <= hit.first) ++ci;
    while (si < sentences.size() && sentences[si].last <= hit.first) ++si;
    if (ci >= clauses.size() || si >= sentences.size()) break;  // item markers only
    Decision d = classify(rules, s, clauses[ci], sentences[si], hit.first, hit.last);
    const bool question = d.assertion == Assertion::kAffirmed && is_question(s, sentences[si]);
    if (question) d.assertion = Assertion::kUncertain;
    const bool alternative = d.assertion == Assertion::kAffirmed && s.alternative[hi] != 0;
    if (alternative) d.assertion = Assertion::kUncertain;
    Mention m;
    m.matched_text = slice(text, s.tokens, hit.first, hit.last);
    m.begin = s.tokens[hit.first].begin;
    m.end = s.tokens[hit.last - 1].end;
    m.sentence = slice(text, s.tokens, sentences[si].first, sentences[si].last);
    m.assertion = d.assertion;
    if (d.cue != nullptr) m.trigger = slice(text, s.tokens, d.cue->first, d.cue->last);
    if (question) m.trigger = "?";
    if (alternative) m.trigger = "or";
    std::uint32_t previous = 0xFFFFFFFFu;
    for (const std::uint32_t p : rules.finding_trie().payloads(hit.node)) {
      const PhraseTarget& t = rules.phrase_targets()[p];
      if (t.finding == PhraseTarget::kExclusion || t.finding == previous ||
          !target_allowed(rules, t, ctx)) {
        continue;
      }
      previous = t.finding;
      auto& slot = finding_slot(t.finding);
      if (!slot.mentions.empty() && slot.mentions.back().begin == m.begin) continue;
      slot.mentions.push_back(m);
    }
  }

  for (const Code& code : context.codes) {
    const std::string system = rules.canonical_code_system(code.system);
    const auto* findings = rules.findings_for_code(system, code.code);
    if (findings == nullptr) continue;
    for (const std::uint32_t f : *findings) {
      Mention m;
      m.source = MentionSource::kCode;
      m.matched_text = system + "|" + code.code;
      finding_slot(f).mentions.push_back(std::move(m));
    }
  }

  for (auto& fm : result.findings) {
    fm.assertion = combine_assertions(fm.mentions);
    fm.explain = fm.assertion == Assertion::kAffirmed;
  }
  return result;
}

TargetAssertion Matcher::assert_target(std::string_view sentence, std::string_view target) const {
  const RuleSet& rules = *rules_;
  Scratch& s = scratch();
  TargetAssertion out;
  tokenize(sentence, s.tokens, s.norm);
  tokenize(target, s.target_tokens, s.target_norm);
  std::vector<std::string_view> wanted;
  for (const auto& t : s.target_tokens) {
    if (is_wordlike(t.kind)) wanted.push_back(rules.canonical_word(token_text(t, s.target_norm)));
  }
  if (wanted.empty()) return out;
  // First occurrence of the target's words, skipping punctuation in the sentence.
  std::uint32_t first = 0, last = 0;
  const auto n = static_cast<std::uint32_t>(s.tokens.size());
  for (std::uint32_t i = 0; i < n && !out.found; ++i) {
    std::uint32_t j = i;
    std::size_t k = 0;
    while (j < n && k < wanted.size()) {
      const Token& t = s.tokens[j];
      if (!is_wordlike(t.kind)) {
        if (k == 0) break;
        ++j;
        continue;
      }
      if (rules.canonical_word(token_text(t, s.norm)) != wanted[k]) break;
      ++j;
      ++k;
    }
    if (k == wanted.size()) {
      first = i;
      last = j;
      out.found = true;
    }
  }
  if (!out.found) return out;
  segment(s.tokens, s.norm, s.segmentation);
  compute_ids(rules, s);
  find_cues(rules, s);
  Span clause{0, n};
  for (const Span& c : s.segmentation.clauses) {
    if (c.first <= first && first < c.last) {
      clause = c;
      break;
    }
  }
  Span sentence_span = clause;
  for (const Span& sent : s.segmentation.sentences) {
    if (sent.first <= first && first < sent.last) sentence_span = sent;
  }
  const Decision d = classify(rules, s, clause, sentence_span, first, last);
  out.assertion = d.assertion;
  if (d.cue != nullptr) out.trigger = slice(sentence, s.tokens, d.cue->first, d.cue->last);
  if (out.assertion == Assertion::kAffirmed) {
    for (const Span& sent : s.segmentation.sentences) {
      if (sent.first <= first && first < sent.last && is_question(s, sent)) {
        out.assertion = Assertion::kUncertain;
        out.trigger = "?";
      }
    }
  }
  return out;
}

}  // namespace explainer::matching

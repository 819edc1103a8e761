#include "matching/evaluation.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

namespace explainer::matching {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

EvalSet load_eval_tsv(const std::filesystem::path& file) {
  EvalSet set;
  std::ifstream in(file);
  if (!in) {
    set.errors.push_back(file.string() + ":0: cannot read");
    return set;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto fields = split(line, '\t');
    const std::string where = file.filename().string() + ":" + std::to_string(number);
    if (fields.size() != 5) {
      set.errors.push_back(where + ": expected 5 tab-separated fields, got " +
                           std::to_string(fields.size()));
      continue;
    }
    EvalCase c;
    c.file = file.filename().string();
    c.line = number;
    c.id = fields[0];
    c.modality = fields[1] == "-" ? "" : fields[1];
    c.body_region = fields[2] == "-" ? "" : fields[2];
    c.text = unescape(fields[4]);
    bool ok = true;
    if (fields[3] != "-") {
      for (const auto& item : split(fields[3], ';')) {
        const auto eq = item.find('=');
        const auto a =
            eq == std::string::npos ? std::nullopt : assertion_from_string(item.substr(eq + 1));
        if (!a) {
          set.errors.push_back(where + ": bad label \"" + item + "\"");
          ok = false;
          continue;
        }
        c.expected.emplace_back(item.substr(0, eq), *a);
      }
    }
    if (ok) set.cases.push_back(std::move(c));
  }
  return set;
}

EvalReport score_eval(const Matcher& matcher, const EvalSet& set) {
  EvalReport r;
  for (const auto& c : set.cases) {
    ++r.cases;
    MatchContext ctx;
    ctx.modality = c.modality;
    ctx.body_region = c.body_region;
    const MatchResult got = matcher.match(c.text, ctx);
    std::set<std::string> ids;
    for (const auto& [id, a] : c.expected) {
      ids.insert(id);
      ++r.findings_covered[id];
    }
    for (const auto& f : got.findings) ids.insert(f.finding_id);
    for (const auto& id : ids) {
      const auto exp_it = std::find_if(c.expected.begin(), c.expected.end(),
                                       [&](const auto& e) { return e.first == id; });
      const auto got_it = std::find_if(got.findings.begin(), got.findings.end(),
                                       [&](const auto& f) { return f.finding_id == id; });
      const bool has_exp = exp_it != c.expected.end();
      const bool has_got = got_it != got.findings.end();
      const Assertion exp = has_exp ? exp_it->second : Assertion::kAffirmed;
      const Assertion pred = has_got ? got_it->assertion : Assertion::kAffirmed;
      for (Assertion a : {Assertion::kAffirmed, Assertion::kNegated, Assertion::kUncertain,
                          Assertion::kHypothetical, Assertion::kHistorical}) {
        const bool e = has_exp && exp == a;
        const bool p = has_got && pred == a;
        auto& counts = r.per_assertion[a];
        if (e && p) ++counts.tp;
        if (!e && p) ++counts.fp;
        if (e && !p) ++counts.fn;
      }
      const bool explained = has_got && got_it->explain;
      const bool should = has_exp && exp == Assertion::kAffirmed;
      if (explained && should) ++r.explanations.tp;
      if (explained && !should) {
        ++r.explanations.fp;
        if (!has_exp) {
          ++r.unexpected_explained;
        } else if (exp == Assertion::kUncertain) {
          ++r.uncertain_explained;
        } else {
          ++r.unsafe_explanations;
        }
      }
      if (!explained && should) ++r.explanations.fn;
      if (has_exp != has_got || (has_exp && exp != pred)) {
        std::ostringstream m;
        m << c.file << ":" << c.line << " [" << c.id << "] " << id << ": expected "
          << (has_exp ? to_string(exp) : "(none)") << ", got "
          << (has_got ? to_string(pred) : "(none)");
        if (has_got && !got_it->mentions.empty()) {
          const auto& mention = got_it->mentions.front();
          m << " via \"" << mention.matched_text << "\"";
          if (!mention.trigger.empty()) m << " trigger \"" << mention.trigger << "\"";
        }
        m << " | " << c.text;
        r.mismatches.push_back(m.str());
      }
    }
  }
  return r;
}

void print_eval_report(const EvalReport& r, std::ostream& out, bool list_mismatches) {
  out << std::fixed << std::setprecision(3);
  out << "impressions: " << r.cases << ", labelled findings: " << r.findings_covered.size() << "\n";
  out << "assertion      precision  recall   tp   fp   fn\n";
  for (const auto& [a, c] : r.per_assertion) {
    out << std::left << std::setw(14) << to_string(a) << std::right << std::setw(10)
        << c.precision() << std::setw(8) << c.recall() << std::setw(5) << c.tp << std::setw(5)
        << c.fp << std::setw(5) << c.fn << "\n";
  }
  out << "explanations: precision " << r.explanations.precision() << ", recall of affirmed "
      << r.explanations.recall() << " (tp " << r.explanations.tp << ", fp " << r.explanations.fp
      << ", fn " << r.explanations.fn << ")\n";
  out << "unsafe explanations (negated/hypothetical/historical): " << r.unsafe_explanations
      << "; uncertain explained: " << r.uncertain_explained
      << "; unlabelled explained: " << r.unexpected_explained << "\n";
  if (list_mismatches) {
    for (const auto& m : r.mismatches) out << "  " << m << "\n";
  }
}

NegexScore score_negex(const Matcher& matcher, const std::filesystem::path& file) {
  NegexScore s;
  std::ifstream in(file);
  if (!in) {
    s.errors.push_back(file.string() + ": cannot read");
    return s;
  }
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = split(line, '\t');
    if (f.size() < 4) {
      s.errors.push_back("short row: " + f[0]);
      continue;
    }
    const bool gold_negated = f[3] == "Negated";
    if (!gold_negated && f[3] != "Affirmed") {
      s.errors.push_back("unknown label in row " + f[0]);
      continue;
    }
    const TargetAssertion t = matcher.assert_target(f[2], f[1]);
    if (!t.found) ++s.target_not_found;
    const bool predicted_negated = t.assertion == Assertion::kNegated;
    if (gold_negated && predicted_negated) ++s.negated_as_negated;
    if (gold_negated && !predicted_negated) ++s.negated_as_affirmed;
    if (!gold_negated && predicted_negated) ++s.affirmed_as_negated;
    if (!gold_negated && !predicted_negated) ++s.affirmed_as_affirmed;
  }
  return s;
}

void print_negex_score(const NegexScore& s, std::ostream& out) {
  out << std::fixed << std::setprecision(3);
  out << "NegEx sentences: " << s.total() << " (target not found: " << s.target_not_found << ")\n";
  out << "accuracy " << s.accuracy() << ", sensitivity (negated) " << s.sensitivity()
      << ", specificity " << s.specificity() << "\n";
  out << "tp " << s.negated_as_negated << ", tn " << s.affirmed_as_affirmed << ", fp "
      << s.affirmed_as_negated << ", fn " << s.negated_as_affirmed << "\n";
}

}  // namespace explainer::matching

#include "matching/commands.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <istream>
#include <optional>
#include <ostream>

#include "matching/evaluation.h"
#include "matching/matcher.h"

namespace explainer::matching {
namespace {

struct Options {
  std::filesystem::path mappings;
  std::string modality;
  std::string body_region;
  std::string negex;
  bool json = false;
  bool jsonl = false;
  bool tsv = false;
  bool mismatches = false;
  std::vector<std::string> positional;
};

std::optional<Options> parse(const std::vector<std::string>& args, std::ostream& err,
                             const std::filesystem::path& default_mappings) {
  Options o;
  o.mappings = default_mappings;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        err << "option " << a << " needs a value\n";
        return false;
      }
      out = args[++i];
      return true;
    };
    std::string path;
    if (a == "--mappings") {
      if (!value(path)) return std::nullopt;
      o.mappings = path;
    } else if (a == "--modality") {
      if (!value(o.modality)) return std::nullopt;
    } else if (a == "--body-region") {
      if (!value(o.body_region)) return std::nullopt;
    } else if (a == "--negex") {
      if (!value(o.negex)) return std::nullopt;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--jsonl") {
      o.jsonl = true;
    } else if (a == "--tsv") {
      o.tsv = true;
    } else if (a == "--mismatches") {
      o.mismatches = true;
    } else if (a == "--") {
      o.positional.insert(o.positional.end(), args.begin() + i + 1, args.end());
      break;
    } else if (a.starts_with("--")) {
      err << "unknown option " << a << "\n";
      return std::nullopt;
    } else {
      o.positional.push_back(a);
    }
  }
  return o;
}

std::shared_ptr<const RuleSet> load(const std::filesystem::path& dir, std::ostream& err) {
  LoadResult r = RuleSet::load_directory(dir);
  for (const auto& e : r.errors) err << e.file << ":" << e.line << ": " << e.reason << "\n";
  return r.ok() ? r.rules : nullptr;
}

void write_result(rapidjson::Writer<rapidjson::StringBuffer>& w, const MatchResult& result) {
  w.StartObject();
  w.Key("rules_version");
  w.String(result.rules_version.c_str());
  w.Key("findings");
  w.StartArray();
  for (const auto& f : result.findings) {
    w.StartObject();
    w.Key("finding_id");
    w.String(f.finding_id.c_str());
    w.Key("content_id");
    w.String(f.content_id.c_str());
    w.Key("display");
    w.String(f.display.c_str());
    w.Key("sensitivity");
    w.String(std::string(to_string(f.sensitivity)).c_str());
    w.Key("assertion");
    w.String(std::string(to_string(f.assertion)).c_str());
    w.Key("explain");
    w.Bool(f.explain);
    w.Key("mentions");
    w.StartArray();
    for (const auto& m : f.mentions) {
      w.StartObject();
      w.Key("source");
      w.String(m.source == MentionSource::kCode ? "code" : "text");
      w.Key("matched_text");
      w.String(m.matched_text.c_str(), static_cast<rapidjson::SizeType>(m.matched_text.size()));
      if (m.source == MentionSource::kText) {
        w.Key("begin");
        w.Uint64(m.begin);
        w.Key("end");
        w.Uint64(m.end);
        w.Key("sentence");
        w.String(m.sentence.c_str(), static_cast<rapidjson::SizeType>(m.sentence.size()));
      }
      w.Key("assertion");
      w.String(std::string(to_string(m.assertion)).c_str());
      if (!m.trigger.empty()) {
        w.Key("trigger");
        w.String(m.trigger.c_str(), static_cast<rapidjson::SizeType>(m.trigger.size()));
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void print_readable(const MatchResult& result, std::ostream& out) {
  if (result.findings.empty()) {
    out << "no findings\n";
    return;
  }
  for (const auto& f : result.findings) {
    out << f.finding_id << "\t" << to_string(f.assertion)
        << "\texplain=" << (f.explain ? "yes" : "no") << "\t" << to_string(f.sensitivity) << "\n";
    for (const auto& m : f.mentions) {
      if (m.source == MentionSource::kCode) {
        out << "  code " << m.matched_text << "\t" << to_string(m.assertion) << "\n";
        continue;
      }
      out << "  \"" << m.matched_text << "\" [" << m.begin << "," << m.end << ")\t"
          << to_string(m.assertion);
      if (!m.trigger.empty()) out << "\ttrigger \"" << m.trigger << "\"";
      out << "\n";
    }
  }
}

std::string string_member(const rapidjson::Value& obj, const char* key) {
  const auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}

}  // namespace

int run_match(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err, const std::filesystem::path& default_mappings_dir) {
  const auto o = parse(args, err, default_mappings_dir);
  if (!o) return 2;
  if (!o->jsonl && o->positional.empty()) {
    err << "usage: explainer match [--mappings DIR] [--modality CODE] [--body-region NAME] "
           "[--json] TEXT | --jsonl\n";
    return 2;
  }
  const auto rules = load(o->mappings, err);
  if (!rules) return 1;
  const Matcher matcher(rules);
  if (!o->jsonl) {
    std::string text;
    for (const auto& p : o->positional) text += (text.empty() ? "" : " ") + p;
    const MatchResult result = matcher.match(text, MatchContext{o->modality, o->body_region, {}});
    if (o->json) {
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      write_result(w, result);
      out << buf.GetString() << "\n";
    } else {
      print_readable(result, out);
    }
    return 0;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    rapidjson::Document doc;
    doc.Parse(line.c_str(), line.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("text") ||
        !doc["text"].IsString()) {
      w.StartObject();
      w.Key("error");
      w.String("expected a JSON object with a string \"text\"");
      w.EndObject();
    } else {
      MatchContext ctx{string_member(doc, "modality"), string_member(doc, "body_region"), {}};
      if (const auto codes = doc.FindMember("codes");
          codes != doc.MemberEnd() && codes->value.IsArray()) {
        for (const auto& c : codes->value.GetArray()) {
          if (c.IsObject())
            ctx.codes.push_back({string_member(c, "system"), string_member(c, "code")});
        }
      }
      write_result(
          w, matcher.match(std::string_view(doc["text"].GetString(), doc["text"].GetStringLength()),
                           ctx));
    }
    out << buf.GetString() << "\n";
  }
  return 0;
}

int run_assert(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
               std::ostream& err, const std::filesystem::path& default_mappings_dir) {
  const auto o = parse(args, err, default_mappings_dir);
  if (!o) return 2;
  if (!o->tsv) {
    err << "usage: explainer assert [--mappings DIR] --tsv  (stdin: target<TAB>sentence)\n";
    return 2;
  }
  const auto rules = load(o->mappings, err);
  if (!rules) return 1;
  const Matcher matcher(rules);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto tab = line.find('\t');
    if (tab == std::string::npos) {
      out << "error\n";
      continue;
    }
    const auto t = matcher.assert_target(std::string_view(line).substr(tab + 1),
                                         std::string_view(line).substr(0, tab));
    out << to_string(t.assertion) << "\n";
  }
  return 0;
}

int run_eval(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err, const std::filesystem::path& default_mappings_dir) {
  const auto o = parse(args, err, default_mappings_dir);
  if (!o) return 2;
  if (o->positional.empty() && o->negex.empty()) {
    err << "usage: explainer eval [--mappings DIR] [--negex FILE] [--mismatches] [EVAL.tsv ...]\n";
    return 2;
  }
  const auto rules = load(o->mappings, err);
  if (!rules) return 1;
  const Matcher matcher(rules);
  int rc = 0;
  if (!o->positional.empty()) {
    EvalSet set;
    for (const auto& p : o->positional) {
      EvalSet part = load_eval_tsv(p);
      set.cases.insert(set.cases.end(), part.cases.begin(), part.cases.end());
      set.errors.insert(set.errors.end(), part.errors.begin(), part.errors.end());
    }
    for (const auto& e : set.errors) err << e << "\n";
    if (!set.errors.empty()) rc = 3;
    print_eval_report(score_eval(matcher, set), out, o->mismatches);
  }
  if (!o->negex.empty()) {
    const NegexScore s = score_negex(matcher, o->negex);
    for (const auto& e : s.errors) err << e << "\n";
    if (!s.errors.empty()) rc = 3;
    print_negex_score(s, out);
  }
  (void)in;
  return rc;
}

}  // namespace explainer::matching

#include "content/mapping_index.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace explainer::content {
namespace {

bool read_file(const std::filesystem::path& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

int line_of_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

void error(MappingIndex& index, const std::string& file, int line, std::string reason) {
  index.problems.push_back({ContentProblem::Severity::kError, file, line, std::move(reason)});
}

void load_json_file(const std::filesystem::path& path, MappingIndex& index) {
  const std::string file = path.string();
  std::string text;
  if (!read_file(path, text)) {
    error(index, file, 0, "cannot read the file");
    return;
  }
  rapidjson::Document json;
  json.Parse(text.c_str(), text.size());
  if (json.HasParseError()) {
    error(index, file, line_of_offset(text, json.GetErrorOffset()),
          std::string("not valid JSON: ") + rapidjson::GetParseError_En(json.GetParseError()));
    return;
  }
  if (!json.IsObject() || !json.HasMember("findings") || !json["findings"].IsArray()) {
    error(index, file, 1, "expected a top-level \"findings\" array");
    return;
  }
  std::size_t search_from = 0;  // entries appear in order; find each id's line in the text
  for (const auto& entry : json["findings"].GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("id") || !entry["id"].IsString()) {
      error(index, file, 0, "a \"findings\" entry has no string \"id\"");
      continue;
    }
    MappedFinding finding;
    finding.id = entry["id"].GetString();
    finding.file = file;
    const std::string quoted = "\"" + finding.id + "\"";
    const std::size_t at = text.find(quoted, search_from);
    if (at != std::string::npos) {
      finding.line = line_of_offset(text, at);
      search_from = at + quoted.size();
    }
    finding.content_id = finding.id;
    if (entry.HasMember("content_id")) {
      if (entry["content_id"].IsString()) {
        finding.content_id = entry["content_id"].GetString();
      } else {
        error(index, file, finding.line,
              "finding '" + finding.id + "': content_id is not a string");
      }
    }
    if (entry.HasMember("sensitivity")) {
      const auto& value = entry["sensitivity"];
      finding.sensitivity =
          value.IsString() ? parse_sensitivity(value.GetString()) : std::optional<Sensitivity>();
      if (!finding.sensitivity) {
        error(index, file, finding.line,
              "finding '" + finding.id + "': sensitivity is not routine, follow-up or sensitive");
      }
    }
    index.findings.push_back(std::move(finding));
  }
}

void load_tsv(const std::filesystem::path& path, MappingIndex& index) {
  const std::string file = path.string();
  std::string text;
  if (!read_file(path, text)) {
    error(index, file, 0, "cannot read the file");
    return;
  }
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> columns;
    std::size_t start = 0;
    while (true) {
      const std::size_t tab = line.find('\t', start);
      columns.push_back(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    MappedFinding finding;
    finding.id = columns[0];
    finding.content_id = columns[0];
    finding.file = file;
    finding.line = number;
    if (columns.size() >= 3 && !columns[2].empty()) {
      finding.sensitivity = parse_sensitivity(columns[2]);
      if (!finding.sensitivity) {
        error(index, file, number,
              "sensitivity '" + columns[2] + "' is not routine, follow-up or sensitive");
      }
    }
    index.findings.push_back(std::move(finding));
  }
}

}  // namespace

const MappedFinding* MappingIndex::find(std::string_view id) const {
  for (const MappedFinding& finding : findings) {
    if (finding.id == id) return &finding;
  }
  return nullptr;
}

MappingIndex load_mapping_index(const std::filesystem::path& mappings_dir) {
  MappingIndex index;
  const auto findings_dir = mappings_dir / "findings";
  const auto catalogue = mappings_dir / "finding-catalogue.tsv";
  std::error_code ec;
  if (std::filesystem::is_directory(findings_dir, ec)) {
    index.source = findings_dir.string();
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(findings_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() == ".json") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) load_json_file(file, index);
  } else if (std::filesystem::is_regular_file(catalogue, ec)) {
    index.source = catalogue.string();
    load_tsv(catalogue, index);
  } else {
    error(index, mappings_dir.string(), 0,
          "no finding ids: neither findings/*.json nor finding-catalogue.tsv exists");
    return index;
  }
  std::set<std::string, std::less<>> seen;
  for (const MappedFinding& finding : index.findings) {
    if (!seen.insert(finding.id).second) {
      error(index, finding.file, finding.line,
            "finding id '" + finding.id + "' is defined more than once");
    }
  }
  return index;
}

}  // namespace explainer::content

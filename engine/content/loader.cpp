#include "content/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "content/language_text.h"
#include "content/markdown.h"

namespace explainer::content {
namespace {

constexpr std::array<std::string_view, 11> kKeys{
    "content_id",    "findings", "language",    "title",        "version", "sensitivity",
    "review_status", "reviewer", "review_date", "last_updated", "sources"};

struct Line {
  std::size_t offset;     // of the first byte
  std::string_view text;  // without the line break
};

// Line endings as CommonMark (libcmark) and YAML count them: LF, CRLF and a bare CR. The
// section slices rely on these numbers matching cmark's node lines.
std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back({start, text.substr(start, end - start)});
    if (end == text.size()) break;
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') ++start;
  }
  return lines;
}

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
      code = byte & 0x1Fu;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      code = byte & 0x0Fu;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      code = byte & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0u) != 0x80u) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view path) : text_(text), path_(path) {
    document_.source_path = std::string(path);
  }

  LoadResult run() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
    lines_ = split_lines(text_);
    // The metadata goes into renderings (HTML, FHIR XML/JSON, HL7 v2) unchanged: refuse bytes
    // that are not UTF-8 rather than emit output a receiver cannot parse.
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (!is_valid_utf8(lines_[i].text)) {
        error(static_cast<int>(i) + 1, "the file is not valid UTF-8");
        return finish();
      }
    }
    std::size_t close = 0;
    if (trim_right(lines_[0].text) != "---") {
      error(1, "the file must start with a '---' line opening the metadata header");
      return finish();
    }
    for (std::size_t i = 1; i < lines_.size(); ++i) {
      std::string_view line = trim_right(lines_[i].text);
      if (line == "---" || line == "...") {
        close = i;
        break;
      }
    }
    if (close == 0) {
      error(1, "the metadata header is not closed by a '---' line");
      return finish();
    }
    const std::size_t front_begin = lines_.size() > 1 ? lines_[1].offset : text_.size();
    std::string_view front = text_.substr(front_begin, lines_[close].offset - front_begin);
    parse_front_matter(front);

    const std::size_t body_begin =
        close + 1 < lines_.size() ? lines_[close + 1].offset : text_.size();
    document_.body_markdown = std::string(text_.substr(body_begin));
    document_.body_first_line = static_cast<int>(close) + 2;
    parse_body();
    return finish();
  }

 private:
  void error(int line, std::string reason) {
    problems_.push_back({ContentProblem::Severity::kError, path_, line, std::move(reason)});
  }

  static int yaml_line(const YAML::Mark& mark) { return mark.line < 0 ? 1 : mark.line + 2; }

  std::string scalar(const YAML::Node& node, std::string_view key) {
    if (node.IsNull()) return {};
    if (node.IsScalar()) return node.Scalar();
    error(yaml_line(node.Mark()), "'" + std::string(key) + "' must be a single text value");
    return {};
  }

  std::vector<std::string> scalar_list(const YAML::Node& node, std::string_view key) {
    std::vector<std::string> out;
    if (node.IsNull()) return out;
    if (!node.IsSequence()) {
      error(yaml_line(node.Mark()), "'" + std::string(key) + "' must be a list");
      return out;
    }
    for (const YAML::Node& item : node) {
      if (item.IsScalar()) {
        out.push_back(item.Scalar());
      } else {
        error(yaml_line(item.Mark()),
              "every item of '" + std::string(key) + "' must be a single text value");
      }
    }
    return out;
  }

  void parse_front_matter(std::string_view front) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(front));
    } catch (const YAML::Exception& e) {
      error(yaml_line(e.mark), "metadata header is not valid YAML: " + e.msg);
      return;
    }
    if (!root.IsMap()) {
      error(2, "the metadata header must be a YAML mapping of keys to values");
      return;
    }
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : root) {
      const int line = yaml_line(entry.first.Mark());
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        error(line, "unknown metadata key '" + key + "'");
        continue;
      }
      if (!seen.insert(key).second) {
        error(line, "metadata key '" + key + "' appears more than once");
        continue;
      }
      document_.field_lines[key] = line;
      assign(key, entry.second, line);
    }
    for (std::string_view key : kKeys) {
      if (!seen.contains(key)) error(1, "missing metadata key '" + std::string(key) + "'");
    }
  }

  void assign(const std::string& key, const YAML::Node& value, int line) {
    if (key == "content_id") {
      document_.content_id = scalar(value, key);
    } else if (key == "findings") {
      document_.findings = scalar_list(value, key);
    } else if (key == "language") {
      document_.language = scalar(value, key);
    } else if (key == "title") {
      document_.title = scalar(value, key);
    } else if (key == "version") {
      document_.version = scalar(value, key);
    } else if (key == "sensitivity") {
      const std::string text = scalar(value, key);
      if (auto parsed = parse_sensitivity(text)) {
        document_.sensitivity = *parsed;
      } else {
        error(line, "sensitivity '" + text + "' is not one of routine, follow-up, sensitive");
      }
    } else if (key == "review_status") {
      const std::string text = scalar(value, key);
      if (auto parsed = parse_review_status(text)) {
        document_.review_status = *parsed;
      } else {
        error(line, "review_status '" + text + "' is not one of draft, approved, retired");
      }
    } else if (key == "reviewer") {
      document_.reviewer = scalar(value, key);
    } else if (key == "review_date") {
      document_.review_date = scalar(value, key);
    } else if (key == "last_updated") {
      document_.last_updated = scalar(value, key);
    } else if (key == "sources") {
      document_.sources = scalar_list(value, key);
    }
  }

  int file_line(cmark_node* node) const {
    const int line = cmark_node_get_start_line(node);
    return line > 0 ? document_.body_first_line + line - 1 : 0;
  }

  // Source lines [first_body_line, last_body_line] (1-based body lines), trimmed.
  std::string body_slice(int first_body_line, int last_body_line) const {
    const int offset = document_.body_first_line - 1;  // body line 1 == file line offset + 1
    std::string out;
    for (int body_line = first_body_line; body_line <= last_body_line; ++body_line) {
      const std::size_t index = static_cast<std::size_t>(offset + body_line - 1);
      if (index >= lines_.size()) break;
      out.append(lines_[index].text);
      out.push_back('\n');
    }
    return std::string(markdown::trim(out));
  }

  void parse_body() {
    const LanguageText* language = find_language_text(document_.language);
    if (language == nullptr) {
      if (!document_.language.empty()) {
        error(document_.field_lines.count("language") ? document_.field_lines["language"] : 1,
              "no section headings are defined for language '" + document_.language + "'");
      }
      return;
    }
    markdown::NodePtr root = markdown::parse(document_.body_markdown);
    const std::vector<cmark_node*> blocks = markdown::children(root.get());
    const int body_line_count = static_cast<int>(lines_.size()) - (document_.body_first_line - 1);

    // Locate the sections first, then slice their sources between headings.
    std::array<int, kSectionCount> heading_index{};  // index into blocks, -1 when missing
    heading_index.fill(-1);
    std::size_t next = 0;
    int current = -1;  // section being filled; -1 before the first, -2 after an unknown heading
    std::vector<int> block_section(blocks.size(), -1);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      cmark_node* block = blocks[b];
      const bool heading = cmark_node_get_type(block) == CMARK_NODE_HEADING;
      const int level = heading ? cmark_node_get_heading_level(block) : 0;
      const int line = file_line(block);
      if (heading && level == 2) {
        const std::string text(markdown::trim(markdown::inline_text(block)));
        std::size_t found = kSectionCount;
        for (std::size_t s = 0; s < kSectionCount; ++s) {
          if (language->section_headings[s] == text) found = s;
        }
        if (found == kSectionCount) {
          error(line,
                "unknown section heading '" + text + "'" +
                    (next < kSectionCount
                         ? " (expected '" + std::string(language->section_headings[next]) + "')"
                         : std::string()));
          current = -2;
        } else if (heading_index[found] >= 0) {
          error(line, "section '" + text + "' appears more than once");
          current = -2;
        } else {
          // Going backwards is an ordering error; skipping ahead is reported as the
          // skipped sections missing.
          if (found < next) {
            error(line, "section '" + text + "' is out of order (it belongs before '" +
                            std::string(language->section_headings[next - 1]) + "')");
          }
          heading_index[found] = static_cast<int>(b);
          current = static_cast<int>(found);
          next = std::max(next, found + 1);
        }
        block_section[b] = current;
        continue;
      }
      block_section[b] = current;
      if (heading && level == 1) {
        error(line, "level-1 headings are not allowed (the title belongs in the metadata)");
      } else if (heading && level == 3 && current != static_cast<int>(kQuestionsSection)) {
        error(line, "'###' question headings are only allowed inside the '" +
                        std::string(language->section_headings[kQuestionsSection]) + "' section");
      } else if (heading && level > 3) {
        error(line, "headings below level 3 are not allowed");
      } else if (current == -1) {
        error(line, "text before the first section");
      }
    }
    for (std::size_t s = 0; s < kSectionCount; ++s) {
      if (heading_index[s] < 0) {
        error(0, "missing section '" + std::string(language->section_headings[s]) + "'");
      }
    }

    // Slice sources: a section runs from after its heading to before the next top-level
    // block that belongs to a different section (or the end of the body).
    for (std::size_t s = 0; s < kSectionCount; ++s) {
      if (heading_index[s] < 0) continue;
      const std::size_t h = static_cast<std::size_t>(heading_index[s]);
      Section& section = document_.sections[s];
      section.heading = std::string(language->section_headings[s]);
      section.line = file_line(blocks[h]);
      std::size_t end = h + 1;
      while (end < blocks.size() && block_section[end] == static_cast<int>(s) &&
             !(cmark_node_get_type(blocks[end]) == CMARK_NODE_HEADING &&
               cmark_node_get_heading_level(blocks[end]) == 2)) {
        ++end;
      }
      const int last_line =
          end < blocks.size() ? cmark_node_get_start_line(blocks[end]) - 1 : body_line_count;
      section.markdown = body_slice(cmark_node_get_end_line(blocks[h]) + 1, last_line);
      if (s == kQuestionsSection) parse_questions(blocks, h + 1, end, last_line, section);
    }
  }

  void parse_questions(const std::vector<cmark_node*>& blocks, std::size_t begin, std::size_t end,
                       int section_last_line, Section& section) {
    for (std::size_t b = begin; b < end; ++b) {
      cmark_node* block = blocks[b];
      if (cmark_node_get_type(block) != CMARK_NODE_HEADING ||
          cmark_node_get_heading_level(block) != 3) {
        continue;
      }
      Question question;
      question.question = std::string(markdown::trim(markdown::inline_text(block)));
      question.line = file_line(block);
      std::size_t next = b + 1;
      while (next < end && !(cmark_node_get_type(blocks[next]) == CMARK_NODE_HEADING)) ++next;
      const int last_line =
          next < end ? cmark_node_get_start_line(blocks[next]) - 1 : section_last_line;
      question.answer_markdown = body_slice(cmark_node_get_end_line(block) + 1, last_line);
      if (next == b + 1) error(question.line, "question '" + question.question + "' has no answer");
      section.questions.push_back(std::move(question));
    }
  }

  LoadResult finish() {
    LoadResult result;
    bool has_error = false;
    for (const ContentProblem& problem : problems_) has_error = has_error || problem.is_error();
    if (!has_error) result.document = std::move(document_);
    result.problems = std::move(problems_);
    return result;
  }

  std::string_view text_;
  std::string path_;
  std::vector<Line> lines_;
  ContentDocument document_;
  std::vector<ContentProblem> problems_;
};

}  // namespace

LoadResult parse_document(std::string_view text, std::string_view source_path) {
  return Parser(text, source_path).run();
}

LoadResult load_document(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.problems.push_back(
        {ContentProblem::Severity::kError, path.string(), 0, "cannot read the file"});
    return result;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_document(buffer.str(), path.string());
}

}  // namespace explainer::content

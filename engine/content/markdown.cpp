#include "content/markdown.h"

namespace explainer::content::markdown {

NodePtr parse(std::string_view text) {
  return NodePtr(cmark_parse_document(text.data(), text.size(), CMARK_OPT_VALIDATE_UTF8));
}

std::vector<cmark_node*> children(cmark_node* node) {
  std::vector<cmark_node*> out;
  for (cmark_node* child = cmark_node_first_child(node); child != nullptr;
       child = cmark_node_next(child)) {
    out.push_back(child);
  }
  return out;
}

namespace {

void append_inline_text(cmark_node* node, std::string& out) {
  for (cmark_node* child : children(node)) {
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        if (const char* literal = cmark_node_get_literal(child)) out += literal;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        out += ' ';
        break;
      case CMARK_NODE_HTML_INLINE:
        break;
      default:
        append_inline_text(child, out);
        break;
    }
  }
}

void collect_prose(cmark_node* node, bool include_headings, std::vector<std::string>& out) {
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_PARAGRAPH:
      out.push_back(inline_text(node));
      return;
    case CMARK_NODE_HEADING:
      if (include_headings) out.push_back(inline_text(node));
      return;
    case CMARK_NODE_CODE_BLOCK:
      if (const char* literal = cmark_node_get_literal(node)) out.emplace_back(literal);
      return;
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_THEMATIC_BREAK:
      return;
    default:
      for (cmark_node* child : children(node)) collect_prose(child, include_headings, out);
      return;
  }
}

bool find_type(cmark_node* node, cmark_node_type a, cmark_node_type b, int* first_line) {
  cmark_iter* iter = cmark_iter_new(node);
  bool found = false;
  for (cmark_event_type event = cmark_iter_next(iter); event != CMARK_EVENT_DONE;
       event = cmark_iter_next(iter)) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* current = cmark_iter_get_node(iter);
    cmark_node_type type = cmark_node_get_type(current);
    if (type == a || type == b) {
      found = true;
      if (first_line != nullptr) {
        // Inline nodes carry no position in cmark 0.30; use the enclosing block's.
        cmark_node* positioned = current;
        while (positioned != nullptr && cmark_node_get_start_line(positioned) == 0) {
          positioned = cmark_node_parent(positioned);
        }
        *first_line = positioned ? cmark_node_get_start_line(positioned) : 0;
      }
      break;
    }
  }
  cmark_iter_free(iter);
  return found;
}

}  // namespace

std::string inline_text(cmark_node* node) {
  std::string out;
  append_inline_text(node, out);
  return out;
}

std::vector<std::string> prose_blocks(cmark_node* node, bool include_headings) {
  std::vector<std::string> out;
  collect_prose(node, include_headings, out);
  return out;
}

bool contains_raw_html(cmark_node* node, int* first_line) {
  return find_type(node, CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE, first_line);
}

bool contains_image(cmark_node* node, int* first_line) {
  return find_type(node, CMARK_NODE_IMAGE, CMARK_NODE_IMAGE, first_line);
}

std::string_view trim(std::string_view text) {
  const char* whitespace = " \t\r\n\f\v";
  const auto begin = text.find_first_not_of(whitespace);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(whitespace);
  return text.substr(begin, end - begin + 1);
}

}  // namespace explainer::content::markdown

// Thin RAII and traversal helpers over libcmark, shared by the loader, the renderers and
// the readability measurement. Internal to engine/content (other folders use the
// renderers in render.h instead).
#pragma once

#include <cmark.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace explainer::content::markdown {

struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
// Owns a whole parsed tree (the document node).
using NodePtr = std::unique_ptr<cmark_node, NodeDeleter>;

// Parses CommonMark. Never fails: any byte sequence is some Markdown document (invalid
// UTF-8 is replaced by U+FFFD).
NodePtr parse(std::string_view text);

// Children of `node` in order (non-owning).
std::vector<cmark_node*> children(cmark_node* node);

// Plain text of an inline container (heading, paragraph, link, ...): text and code
// literals; soft and hard breaks become one space; raw inline HTML is dropped;
// an image contributes its alt text.
std::string inline_text(cmark_node* node);

// Prose of a block tree for readability: one entry per paragraph (including paragraphs
// inside list items and block quotes) and per code block. Headings are left out when
// `include_headings` is false.
std::vector<std::string> prose_blocks(cmark_node* node, bool include_headings);

// True when the tree contains raw HTML (block or inline).
bool contains_raw_html(cmark_node* node, int* first_line);
// True when the tree contains an image.
bool contains_image(cmark_node* node, int* first_line);

// Trims ASCII whitespace at both ends.
std::string_view trim(std::string_view text);

}  // namespace explainer::content::markdown

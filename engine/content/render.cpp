#include "content/render.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "content/language_text.h"
#include "content/markdown.h"

namespace explainer::content {
namespace {

std::string_view draft_note(const ContentDocument& document) {
  const LanguageText* text = find_language_text(document.language);
  if (text == nullptr) text = find_language_text("en");
  return text->draft_note;
}

bool is_draft(const ContentDocument& document) {
  return document.review_status == ReviewStatus::kDraft;
}

bool is_safe_url(std::string_view url) {
  auto starts_with_ci = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return starts_with_ci("https://") || starts_with_ci("http://") || starts_with_ci("mailto:");
}

std::vector<cmark_node*> nodes_of_type(cmark_node* root,
                                       std::initializer_list<cmark_node_type> types) {
  std::vector<cmark_node*> found;
  cmark_iter* iter = cmark_iter_new(root);
  for (cmark_event_type event = cmark_iter_next(iter); event != CMARK_EVENT_DONE;
       event = cmark_iter_next(iter)) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter);
    for (cmark_node_type type : types) {
      if (cmark_node_get_type(node) == type) found.push_back(node);
    }
  }
  cmark_iter_free(iter);
  return found;
}

// Removes raw HTML, replaces links to anything but http(s)/mailto by their text, and
// moves every heading down one level (the fragment's own title is the <h2>).
void prepare_for_html(cmark_node* root) {
  for (cmark_node* node : nodes_of_type(root, {CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE})) {
    cmark_node_free(node);  // unlinks first
  }
  for (cmark_node* link : nodes_of_type(root, {CMARK_NODE_LINK, CMARK_NODE_IMAGE})) {
    const char* url = cmark_node_get_url(link);
    if (cmark_node_get_type(link) == CMARK_NODE_LINK && url != nullptr && is_safe_url(url)) {
      continue;
    }
    // Images are never fetched: keep their alt text only.
    while (cmark_node* child = cmark_node_first_child(link)) cmark_node_insert_before(link, child);
    cmark_node_free(link);
  }
  for (cmark_node* heading : nodes_of_type(root, {CMARK_NODE_HEADING})) {
    const int level = cmark_node_get_heading_level(heading);
    cmark_node_set_heading_level(heading, level < 6 ? level + 1 : 6);
  }
}

// ---- plain text ----------------------------------------------------------------------

class PlainTextWriter {
 public:
  std::vector<std::string> lines;

  void separate() {
    if (!lines.empty() && !lines.back().empty()) lines.emplace_back();
  }

  void add(std::string line) {
    std::string clean;
    for (char c : line) {
      if (c != '\r' && c != '\n') clean.push_back(c);
    }
    lines.push_back(std::move(clean));
  }

  void top_level(cmark_node* root) {
    for (cmark_node* block : markdown::children(root)) {
      const cmark_node_type type = cmark_node_get_type(block);
      if (type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_THEMATIC_BREAK) continue;
      separate();
      this->block(block, "", "");
    }
  }

  void block(cmark_node* node, const std::string& first_prefix, const std::string& rest_prefix) {
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_PARAGRAPH:
      case CMARK_NODE_HEADING:
        add(first_prefix + std::string(markdown::trim(markdown::inline_text(node))));
        return;
      case CMARK_NODE_CODE_BLOCK: {
        const std::string literal =
            cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "";
        std::size_t start = 0;
        bool first = true;
        while (start < literal.size()) {
          std::size_t end = literal.find('\n', start);
          if (end == std::string::npos) end = literal.size();
          add((first ? first_prefix : rest_prefix) + literal.substr(start, end - start));
          first = false;
          start = end + 1;
        }
        return;
      }
      case CMARK_NODE_LIST: {
        const bool bullet = cmark_node_get_list_type(node) == CMARK_BULLET_LIST;
        int number = cmark_node_get_list_start(node);
        bool first_item = true;
        for (cmark_node* item : markdown::children(node)) {
          const std::string marker = bullet ? "- " : std::to_string(number++) + ". ";
          const std::string item_first = (first_item ? first_prefix : rest_prefix) + marker;
          const std::string item_rest = rest_prefix + std::string(marker.size(), ' ');
          first_item = false;
          bool first_child = true;
          for (cmark_node* child : markdown::children(item)) {
            block(child, first_child ? item_first : item_rest, item_rest);
            first_child = false;
          }
          if (first_child) add(item_first);  // empty item
        }
        return;
      }
      case CMARK_NODE_BLOCK_QUOTE: {
        bool first = true;
        for (cmark_node* child : markdown::children(node)) {
          block(child, first ? first_prefix : rest_prefix, rest_prefix);
          first = false;
        }
        return;
      }
      default:
        return;  // raw HTML, thematic breaks
    }
  }
};

std::vector<std::string> plain_text_lines(const ContentDocument& document) {
  PlainTextWriter writer;
  writer.add(document.title);
  if (is_draft(document)) writer.add(std::string(draft_note(document)));
  markdown::NodePtr root = markdown::parse(document.body_markdown);
  writer.top_level(root.get());
  while (!writer.lines.empty() && writer.lines.back().empty()) writer.lines.pop_back();
  return writer.lines;
}

// ---- FHIR XHTML ------------------------------------------------------------------------

class XhtmlWriter {
 public:
  std::string out;

  void blocks(cmark_node* parent, bool tight) {
    for (cmark_node* child : markdown::children(parent)) block(child, tight);
  }

  void block(cmark_node* node, bool tight) {
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_PARAGRAPH:
        if (tight) {
          inlines(node);
        } else {
          out += "<p>";
          inlines(node);
          out += "</p>";
        }
        return;
      case CMARK_NODE_HEADING: {
        const int level = std::min(cmark_node_get_heading_level(node) + 1, 6);
        const std::string tag = "h" + std::to_string(level);
        out += "<" + tag + ">";
        inlines(node);
        out += "</" + tag + ">";
        return;
      }
      case CMARK_NODE_LIST: {
        const char* tag = cmark_node_get_list_type(node) == CMARK_BULLET_LIST ? "ul" : "ol";
        const bool list_tight = cmark_node_get_list_tight(node) != 0;
        if (cmark_node_first_child(node) == nullptr) return;
        out += std::string("<") + tag + ">";
        for (cmark_node* item : markdown::children(node)) {
          out += "<li>";
          blocks(item, list_tight);
          out += "</li>";
        }
        out += std::string("</") + tag + ">";
        return;
      }
      case CMARK_NODE_BLOCK_QUOTE:
        out += "<blockquote>";
        blocks(node, false);
        out += "</blockquote>";
        return;
      case CMARK_NODE_CODE_BLOCK:
        out += "<pre>";
        out += escape_xml(cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "");
        out += "</pre>";
        return;
      case CMARK_NODE_THEMATIC_BREAK:
        out += "<hr/>";
        return;
      default:
        return;  // raw HTML is never passed through
    }
  }

  void inlines(cmark_node* parent) {
    for (cmark_node* node : markdown::children(parent)) {
      switch (cmark_node_get_type(node)) {
        case CMARK_NODE_TEXT:
          out += escape_xml(cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "");
          break;
        case CMARK_NODE_SOFTBREAK:
          out += "\n";
          break;
        case CMARK_NODE_LINEBREAK:
          out += "<br/>";
          break;
        case CMARK_NODE_CODE:
          out += "<code>";
          out += escape_xml(cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "");
          out += "</code>";
          break;
        case CMARK_NODE_EMPH:
          out += "<em>";
          inlines(node);
          out += "</em>";
          break;
        case CMARK_NODE_STRONG:
          out += "<strong>";
          inlines(node);
          out += "</strong>";
          break;
        case CMARK_NODE_LINK: {
          const char* url = cmark_node_get_url(node);
          if (url != nullptr && is_safe_url(url)) {
            out += "<a href=\"" + escape_xml(url) + "\">";
            inlines(node);
            out += "</a>";
          } else {
            inlines(node);
          }
          break;
        }
        case CMARK_NODE_IMAGE:
          out += escape_xml(markdown::inline_text(node));
          break;
        default:
          break;  // raw inline HTML
      }
    }
  }
};

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed in XML
        out.push_back(c);
    }
  }
  return out;
}

std::string render_html_fragment(const ContentDocument& document) {
  markdown::NodePtr root = markdown::parse(document.body_markdown);
  prepare_for_html(root.get());
  char* body = cmark_render_html(root.get(), CMARK_OPT_SAFE);
  std::string out = "<section class=\"explainer\" lang=\"" + escape_xml(document.language) +
                    "\" data-content-id=\"" + escape_xml(document.content_id) +
                    "\" data-version=\"" + escape_xml(document.version) + "\">\n";
  out += "<h2>" + escape_xml(document.title) + "</h2>\n";
  if (is_draft(document)) {
    out += "<p class=\"explainer-draft\" role=\"note\"><strong>" +
           escape_xml(draft_note(document)) + "</strong></p>\n";
  }
  out += body;
  std::free(body);
  out += "</section>\n";
  return out;
}

std::string render_plain_text(const ContentDocument& document) {
  std::string out;
  for (const std::string& line : plain_text_lines(document)) {
    out += line;
    out += '\n';
  }
  return out;
}

std::string render_plain_text_escaped(const ContentDocument& document, const TextEscaper& escape,
                                      std::string_view line_break) {
  std::string out;
  bool first = true;
  for (const std::string& line : plain_text_lines(document)) {
    if (!first) out += line_break;
    first = false;
    out += escape(line);
  }
  return out;
}

std::string escape_hl7_default(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\E\\";
        break;
      case '|':
        out += "\\F\\";
        break;
      case '^':
        out += "\\S\\";
        break;
      case '~':
        out += "\\R\\";
        break;
      case '&':
        out += "\\T\\";
        break;
      case '\r':
      case '\n':
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string render_fhir_narrative(const ContentDocument& document) {
  const std::string lang = escape_xml(document.language);
  XhtmlWriter writer;
  writer.out = "<div xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"" + lang + "\" xml:lang=\"" +
               lang + "\">";
  writer.out += "<h2>" + escape_xml(document.title) + "</h2>";
  if (is_draft(document)) {
    writer.out += "<p class=\"explainer-draft\"><strong>" + escape_xml(draft_note(document)) +
                  "</strong></p>";
  }
  markdown::NodePtr root = markdown::parse(document.body_markdown);
  writer.blocks(root.get(), false);
  writer.out += "</div>";
  return writer.out;
}

}  // namespace explainer::content

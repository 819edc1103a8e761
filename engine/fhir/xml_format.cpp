#include "fhir/xml_format.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "fhir/schema_lookup.h"

namespace explainer::fhir {
namespace {

constexpr const char* kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

const char* str(const xmlChar* s) {
  return reinterpret_cast<const char*>(s);
}
const xmlChar* xstr(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

void init_libxml_once() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

bool in_namespace(const xmlNode* node, std::string_view ns) {
  return node->ns && node->ns->href && ns == str(node->ns->href);
}

bool is_blank(const xmlChar* text) {
  if (!text) return true;
  for (const xmlChar* p = text; *p; ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
  }
  return true;
}

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct CtxtFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// Silences libxml2's generic (per-thread) error channel for the guard's lifetime: some
// messages (e.g. encoding errors) bypass XML_PARSE_NOERROR and would echo input bytes
// to stderr. Restores the previous handler, so other libxml2 users are unaffected.
void discard_generic_error(void*, const char*, ...) {}

class QuietLibxml {
 public:
  QuietLibxml() : previous_(xmlGenericError), previous_context_(xmlGenericErrorContext) {
    xmlSetGenericErrorFunc(nullptr, discard_generic_error);
  }
  ~QuietLibxml() { xmlSetGenericErrorFunc(previous_context_, previous_); }
  QuietLibxml(const QuietLibxml&) = delete;
  QuietLibxml& operator=(const QuietLibxml&) = delete;

 private:
  xmlGenericErrorFunc previous_;
  void* previous_context_;
};

// Set on the parser context when a DOCTYPE is seen; parsing stops right there.
struct ParseGuard {
  bool saw_doctype = false;
};

void reject_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  static_cast<ParseGuard*>(ctxt->_private)->saw_doctype = true;
  xmlStopParser(ctxt);
}

void reject_entity_decl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxt*>(ctx);
  static_cast<ParseGuard*>(ctxt->_private)->saw_doctype = true;
  xmlStopParser(ctxt);
}

// Hardened parse of a complete document. On failure fills `error`.
DocPtr read_document(std::string_view text, const ReadOptions& options, Error& error) {
  init_libxml_once();
  const QuietLibxml quiet;
  if (text.size() > options.max_bytes) {
    error = {ErrorCode::kTooLarge, "XML input larger than the configured limit"};
    return nullptr;
  }
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) {
    error = {ErrorCode::kTooLarge, "XML input too large"};
    return nullptr;
  }
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) {
    error = {ErrorCode::kMalformed, "cannot allocate XML parser"};
    return nullptr;
  }
  ParseGuard guard;
  ctxt->_private = &guard;
  ctxt->sax->internalSubset = reject_doctype;
  ctxt->sax->externalSubset = reject_doctype;
  ctxt->sax->entityDecl = reject_entity_decl;
  // No XML_PARSE_NOENT (no entity substitution), no DTDLOAD/DTDATTR, no HUGE (keep
  // libxml2's depth and text-size limits), no network.
  constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), text.data(), static_cast<int>(text.size()), nullptr,
                               nullptr, kOptions));
  if (guard.saw_doctype) {
    error = {ErrorCode::kForbidden, "DOCTYPE / entity declarations are not allowed"};
    const xmlError* last = &ctxt->lastError;
    error.line = last->line > 0 ? static_cast<std::size_t>(last->line) : 0;
    return nullptr;
  }
  // nsWellFormed: libxml2 only warns about QName / namespace errors such as "<:a>".
  if (!doc || !ctxt->wellFormed || !ctxt->nsWellFormed) {
    const xmlError* last = &ctxt->lastError;
    error.code = ErrorCode::kMalformed;
    error.message = "malformed XML";
    if (last->message) {
      std::string detail = last->message;
      while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
      error.message += ": " + detail;
    }
    if (last->code == XML_ERR_INTERNAL_ERROR || last->code == XML_ERR_ENTITY_LOOP) {
      error.code = ErrorCode::kForbidden;
    }
    error.line = last->line > 0 ? static_cast<std::size_t>(last->line) : 0;
    error.column = last->int2 > 0 ? static_cast<std::size_t>(last->int2) : 0;
    return nullptr;
  }
  return doc;
}

Error not_fhir(std::string message, const xmlNode* node) {
  Error e{ErrorCode::kNotFhir, std::move(message)};
  if (node) e.line = static_cast<std::size_t>(xmlGetLineNo(node) > 0 ? xmlGetLineNo(node) : 0);
  return e;
}

// Serialises an XHTML subtree with all namespaces it uses declared on it.
std::string dump_xhtml(xmlDoc* doc, xmlNode* node) {
  xmlNode* copy = xmlDocCopyNode(node, doc, 1);
  std::string out;
  if (!copy) return out;
  xmlBuffer* buffer = xmlBufferCreate();
  if (buffer) {
    xmlNodeDump(buffer, doc, copy, 0, 0);
    out.assign(str(xmlBufferContent(buffer)), static_cast<std::size_t>(xmlBufferLength(buffer)));
    xmlBufferFree(buffer);
  }
  xmlFreeNode(copy);
  return out;
}

ValueKind table_value_kind(types::TypeId type) {
  const auto k = types::kind(type);
  if (k == types::Kind::kNumber) return ValueKind::kNumber;
  if (k == types::Kind::kBoolean) return ValueKind::kBoolean;
  return ValueKind::kString;
}

class XmlToModel {
 public:
  XmlToModel(xmlDoc* doc, std::size_t max_depth) : doc_(doc), max_depth_(max_depth) {}

  // Fills `target` from the attributes and child elements of `node`.
  std::optional<Error> fill(xmlNode* node, Element& target, bool is_resource) {
    static const types::TypeId kStringType = types::find_type("string");
    static const types::TypeId kUriType = types::find_type("uri");
    for (xmlAttr* attr = node->properties; attr; attr = attr->next) {
      const std::string name = str(attr->name);
      if (attr->ns) {
        if (attr->ns->href && std::strcmp(str(attr->ns->href), kXsiNamespace) == 0) continue;
        return not_fhir("unsupported namespaced attribute '" + name + "'", node);
      }
      xmlChar* raw = xmlNodeListGetString(doc_, attr->children, 1);
      std::string value = raw ? str(raw) : "";
      xmlFree(raw);
      const bool extension_like =
          detail::is_extension_type(target.type) ||
          (target.type == types::kUnknownType &&
           (target.name == "extension" || target.name == "modifierExtension"));
      if (name == "value" && target.kind == NodeKind::kPrimitive) {
        target.value = std::move(value);
        target.value_kind = table_value_kind(target.type);
      } else if (name == "id" && !is_resource) {
        Element id = make_primitive("id", std::move(value));
        id.type = kStringType;
        target.children.push_back(std::move(id));
      } else if (name == "url" && extension_like) {
        Element url = make_primitive("url", std::move(value));
        url.type = kUriType;
        target.children.push_back(std::move(url));
      } else {
        return not_fhir("unsupported attribute '" + name + "' on '" + str(node->name) + "'", node);
      }
    }
    for (xmlNode* child = node->children; child; child = child->next) {
      switch (child->type) {
        case XML_ELEMENT_NODE:
          if (auto error = convert(child, target)) return error;
          break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          if (!is_blank(child->content)) {
            return not_fhir(std::string("unexpected text inside '") + str(node->name) + "'", child);
          }
          break;
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
          break;
        default:
          return not_fhir(std::string("unsupported XML node inside '") + str(node->name) + "'",
                          child);
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<Error> convert(xmlNode* node, Element& parent) {
    const std::string name = str(node->name);
    const auto def = detail::child_def(parent.type, parent.kind, name);
    const auto kind = def ? types::kind(def->type) : types::Kind::kUnknown;
    Element element;
    element.name = name;
    if (def) element.type = def->type;

    if (kind == types::Kind::kXhtml || (!def && in_namespace(node, kXhtmlNamespace))) {
      if (!in_namespace(node, kXhtmlNamespace) || name != "div") {
        return not_fhir("'" + name + "' must be an XHTML div", node);
      }
      element.kind = NodeKind::kXhtml;
      element.value = dump_xhtml(doc_, node);
      parent.children.push_back(std::move(element));
      return std::nullopt;
    }
    if (!in_namespace(node, kFhirNamespace)) {
      return not_fhir("element '" + name + "' is not in the FHIR namespace", node);
    }
    if (++depth_ > max_depth_) return Error{ErrorCode::kTooDeep, "XML nesting too deep"};
    std::optional<Error> error;
    if (kind == types::Kind::kAnyResource) {
      error = convert_resource_slot(node, element);
    } else {
      const bool primitive =
          def ? types::is_primitive(def->type) : xmlHasProp(node, xstr("value")) != nullptr;
      if (primitive) element.kind = NodeKind::kPrimitive;
      error = fill(node, element, false);
    }
    --depth_;
    if (error) return error;
    parent.children.push_back(std::move(element));
    return std::nullopt;
  }

  std::optional<Error> convert_resource_slot(xmlNode* node, Element& element) {
    if (node->properties) return not_fhir("attributes on resource container", node);
    xmlNode* inner = nullptr;
    for (xmlNode* child = node->children; child; child = child->next) {
      if (child->type == XML_ELEMENT_NODE) {
        if (inner) return not_fhir("more than one resource in '" + element.name + "'", child);
        inner = child;
      } else if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
                 !is_blank(child->content)) {
        return not_fhir("unexpected text in '" + element.name + "'", child);
      }
    }
    if (!inner) return not_fhir("empty resource container '" + element.name + "'", node);
    if (!in_namespace(inner, kFhirNamespace)) {
      return not_fhir("resource not in the FHIR namespace", inner);
    }
    element.resource_type = str(inner->name);
    element.type = types::find_type(element.resource_type);
    return fill(inner, element, true);
  }

  xmlDoc* doc_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
};

// ---------------------------------------------------------------------------------

bool valid_xml_text(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

bool valid_name(const std::string& name) {
  return !name.empty() && xmlValidateNCName(xstr(name.c_str()), 0) == 0;
}

struct WriterFree {
  void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
};
struct BufferFree {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};

class ModelToXml {
 public:
  explicit ModelToXml(xmlTextWriter* writer) : w_(writer) {}

  std::optional<Error> write_root(const Element& resource) {
    if (!valid_name(resource.resource_type)) return unwritable("invalid resource type");
    check(xmlTextWriterStartElement(w_, xstr(resource.resource_type.c_str())));
    check(
        xmlTextWriterWriteAttribute(w_, xstr("xmlns"), xstr(std::string(kFhirNamespace).c_str())));
    if (auto error = write_content(resource, true)) return error;
    check(xmlTextWriterEndElement(w_));
    if (failed_) return unwritable("libxml2 writer failed");
    return std::nullopt;
  }

 private:
  static Error unwritable(std::string message) {
    return Error{ErrorCode::kUnwritable, std::move(message)};
  }
  void check(int rc) {
    if (rc < 0) failed_ = true;
  }

  static bool is_attribute_child(const Element& parent, const Element& child, bool is_resource) {
    if (child.kind != NodeKind::kPrimitive || !child.value || !child.children.empty()) return false;
    if (child.name == "id") return !is_resource;
    if (child.name == "url") {
      return detail::is_extension_type(parent.type) ||
             (parent.type == types::kUnknownType &&
              (parent.name == "extension" || parent.name == "modifierExtension"));
    }
    return false;
  }

  // Attributes and child elements of `element` (its start tag is already open).
  std::optional<Error> write_content(const Element& element, bool is_resource) {
    if (element.kind == NodeKind::kPrimitive && element.value) {
      if (!valid_xml_text(*element.value))
        return unwritable("control character in '" + element.name + "'");
      check(xmlTextWriterWriteAttribute(w_, xstr("value"), xstr(element.value->c_str())));
    }
    for (const Element& child : element.children) {
      if (!is_attribute_child(element, child, is_resource)) continue;
      if (!valid_xml_text(*child.value)) return unwritable("control character in attribute");
      check(xmlTextWriterWriteAttribute(w_, xstr(child.name.c_str()), xstr(child.value->c_str())));
    }
    for (const Element& child : element.children) {
      if (is_attribute_child(element, child, is_resource)) continue;
      if (auto error = write_element(child)) return error;
    }
    return std::nullopt;
  }

  std::optional<Error> write_element(const Element& element) {
    if (!valid_name(element.name)) return unwritable("invalid element name");
    if (element.kind == NodeKind::kXhtml) return write_xhtml(element);
    // libxml2 refuses to read documents nested deeper than 256 elements.
    depth_ += element.is_resource() ? 2 : 1;
    if (depth_ > kMaxDepth) return Error{ErrorCode::kTooDeep, "model nesting too deep for XML"};
    check(xmlTextWriterStartElement(w_, xstr(element.name.c_str())));
    std::optional<Error> error;
    if (element.is_resource()) {
      if (!valid_name(element.resource_type)) return unwritable("invalid resource type");
      check(xmlTextWriterStartElement(w_, xstr(element.resource_type.c_str())));
      error = write_content(element, true);
      check(xmlTextWriterEndElement(w_));
    } else {
      if (element.kind == NodeKind::kPrimitive && !element.value && element.children.empty()) {
        return unwritable("primitive '" + element.name + "' has no value or extension");
      }
      error = write_content(element, false);
    }
    check(xmlTextWriterEndElement(w_));
    depth_ -= element.is_resource() ? 2 : 1;
    return error;
  }

  std::optional<Error> write_xhtml(const Element& element) {
    if (!element.value) return unwritable("empty narrative div");
    Error parse_error;
    ReadOptions options;
    DocPtr doc = read_document(*element.value, options, parse_error);
    if (!doc) {
      Error e = parse_error;
      e.code = ErrorCode::kUnwritable;
      e.message = "narrative div is not well-formed XHTML (" + parse_error.message + ")";
      return e;
    }
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!root || std::strcmp(str(root->name), "div") != 0) {
      return unwritable("narrative root element is not a div");
    }
    if (!root->ns) {
      xmlNs* ns = xmlNewNs(root, xstr(std::string(kXhtmlNamespace).c_str()), nullptr);
      xmlSetNs(root, ns);
    } else if (!in_namespace(root, kXhtmlNamespace)) {
      return unwritable("narrative div is not in the XHTML namespace");
    }
    const std::string markup = dump_xhtml(doc.get(), root);
    check(xmlTextWriterWriteRaw(w_, xstr(markup.c_str())));
    return std::nullopt;
  }

  static constexpr int kMaxDepth = 250;
  xmlTextWriter* w_;
  bool failed_ = false;
  int depth_ = 0;
};

}  // namespace

Result<Element> parse_xml(std::string_view text, const ReadOptions& options) {
  Error error;
  DocPtr doc = read_document(text, options, error);
  if (!doc) return error;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root) return Error{ErrorCode::kNotFhir, "no root element"};
  if (!in_namespace(root, kFhirNamespace)) {
    return not_fhir("root element is not in the FHIR namespace", root);
  }
  Element resource = make_resource(str(root->name));
  XmlToModel converter(doc.get(), options.max_depth);
  if (auto failure = converter.fill(root, resource, true)) return *failure;
  return resource;
}

Result<std::string> write_xml(const Element& resource, const WriteOptions& options) {
  init_libxml_once();
  const QuietLibxml quiet;
  if (!resource.is_resource()) return Error{ErrorCode::kUnwritable, "not a resource"};
  std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
  if (!buffer) return Error{ErrorCode::kUnwritable, "cannot allocate buffer"};
  std::unique_ptr<xmlTextWriter, WriterFree> writer(xmlNewTextWriterMemory(buffer.get(), 0));
  if (!writer) return Error{ErrorCode::kUnwritable, "cannot allocate XML writer"};
  if (options.pretty) {
    xmlTextWriterSetIndent(writer.get(), 1);
    xmlTextWriterSetIndentString(writer.get(), xstr("  "));
  }
  if (xmlTextWriterStartDocument(writer.get(), nullptr, "UTF-8", nullptr) < 0) {
    return Error{ErrorCode::kUnwritable, "cannot start XML document"};
  }
  ModelToXml converter(writer.get());
  if (auto error = converter.write_root(resource)) return *error;
  if (xmlTextWriterEndDocument(writer.get()) < 0) {
    return Error{ErrorCode::kUnwritable, "cannot finish XML document"};
  }
  writer.reset();  // flushes into buffer
  return std::string(str(xmlBufferContent(buffer.get())),
                     static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

}  // namespace explainer::fhir

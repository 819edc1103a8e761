// Generic, lossless FHIR document model shared by the JSON and XML readers/writers.
//
// A resource is an Element with a non-empty resource_type; its children are its
// elements in XML (definition) order. Repeating elements are consecutive siblings with
// the same name (JSON arrays are built from them). Elements the type table does not
// know are kept as-is. A primitive keeps its value exactly as received (e.g. "1.50")
// and carries its element id / extensions as children named "id" / "extension"
// (JSON `_name`, XML id attribute + extension children). Narrative.div is kept as a
// serialised XHTML string.
//
// Plain value type: copy or move freely; no internal pointers, not thread-safe for
// concurrent mutation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/type_table.h"

namespace explainer::fhir {

enum class NodeKind {
  kComplex,    // has child elements (datatypes, backbone elements, resources)
  kPrimitive,  // optional value + optional "id"/"extension" children
  kXhtml,      // value holds a serialised <div xmlns="http://www.w3.org/1999/xhtml">
};

// How a primitive value is rendered in JSON.
enum class ValueKind { kString, kNumber, kBoolean };

struct Element {
  std::string name;           // element name; empty for a document root resource
  std::string resource_type;  // non-empty when this element holds a resource
  NodeKind kind = NodeKind::kComplex;
  std::optional<std::string> value;  // primitive / xhtml value, lexical form as received
  ValueKind value_kind = ValueKind::kString;
  types::TypeId type = types::kUnknownType;  // FHIR type when known
  bool json_array = false;  // came from a JSON array (used only when type knowledge is missing)
  std::vector<Element> children;

  bool is_resource() const { return !resource_type.empty(); }

  // Navigation. Pointers stay valid until the children vector is modified.
  const Element* child(std::string_view child_name) const;
  Element* child(std::string_view child_name);
  std::vector<const Element*> children_named(std::string_view child_name) const;
  std::vector<Element*> children_named(std::string_view child_name);
  // Value of the first primitive child `child_name`, nullptr when absent or valueless.
  const std::string* child_value(std::string_view child_name) const;
  // child_value() or "" when absent.
  std::string value_of(std::string_view child_name) const;
  // Follows a dotted path of first children, e.g. "meta.versionId"; nullptr when absent.
  const Element* find_path(std::string_view dotted_path) const;
  std::string value_at(std::string_view dotted_path) const;

  // Structural equality (names, kinds, values, value kinds, resource types, children in order).
  bool operator==(const Element& other) const;
};

// --- Builders -------------------------------------------------------------------
// New elements get their type from the table of `parent.type`; insert_child keeps
// definition order (after existing siblings of the same name), so XML output stays
// valid and nothing else in the parent moves relative to each other.

Element make_resource(std::string resource_type);
Element make_complex(std::string name);
Element make_primitive(std::string name, std::string value,
                       ValueKind value_kind = ValueKind::kString);

// Inserts `child` into `parent` at its definition-order position; sets child.type from
// the table when the parent's type knows the element (and the child's type was
// unknown). Returns a reference to the inserted child (valid until parent changes).
Element& insert_child(Element& parent, Element child);
// Convenience: insert a primitive child with the value kind the table prescribes.
Element& insert_primitive(Element& parent, std::string name, std::string value);
// Adds {url, value} as an `extension` (or `modifierExtension` when modifier) of
// `parent`. `value` must be a primitive or complex element named value[x]
// (e.g. make_primitive("valueString", ...)). Returns the new extension element.
Element& add_extension(Element& parent, std::string url, Element value, bool modifier = false);
// Adds `resource` (resource_type set) under `container.contained`.
Element& add_contained(Element& container, Element resource);

// Re-types a subtree after it was built by hand: assigns types from the table,
// starting from `element.type` (or its resource_type). Does not reorder.
void assign_types(Element& element);

}  // namespace explainer::fhir

#include "fhir/element.h"

#include <algorithm>

#include "fhir/schema_lookup.h"

namespace explainer::fhir {

namespace detail {

std::optional<types::ElementDef> child_def(types::TypeId parent_type, NodeKind parent_kind,
                                           std::string_view name) {
  if (parent_kind == NodeKind::kPrimitive) {
    static const types::TypeId kString = types::find_type("string");
    static const types::TypeId kExtension = types::find_type("Extension");
    if (name == "id") return types::ElementDef{"id", kString, false, 0};
    if (name == "extension") return types::ElementDef{"extension", kExtension, true, 1};
    return std::nullopt;
  }
  return types::find_element(parent_type, name);
}

void sort_children(Element& element) {
  if (element.type == types::kUnknownType && element.kind != NodeKind::kPrimitive) return;
  std::vector<std::uint16_t> keys;
  keys.reserve(element.children.size());
  for (const Element& child : element.children) keys.push_back(order_of(element, child.name));
  if (std::is_sorted(keys.begin(), keys.end())) return;
  std::vector<std::size_t> permutation(element.children.size());
  for (std::size_t i = 0; i < permutation.size(); ++i) permutation[i] = i;
  std::stable_sort(permutation.begin(), permutation.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  std::vector<Element> sorted;
  sorted.reserve(element.children.size());
  for (std::size_t index : permutation) sorted.push_back(std::move(element.children[index]));
  element.children = std::move(sorted);
}

bool is_extension_type(types::TypeId type) {
  static const types::TypeId kExtension = types::find_type("Extension");
  return type != types::kUnknownType && type == kExtension;
}

}  // namespace detail

const Element* Element::child(std::string_view child_name) const {
  for (const Element& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

Element* Element::child(std::string_view child_name) {
  for (Element& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const Element*> Element::children_named(std::string_view child_name) const {
  std::vector<const Element*> found;
  for (const Element& c : children) {
    if (c.name == child_name) found.push_back(&c);
  }
  return found;
}

std::vector<Element*> Element::children_named(std::string_view child_name) {
  std::vector<Element*> found;
  for (Element& c : children) {
    if (c.name == child_name) found.push_back(&c);
  }
  return found;
}

const std::string* Element::child_value(std::string_view child_name) const {
  const Element* c = child(child_name);
  return c && c->value ? &*c->value : nullptr;
}

std::string Element::value_of(std::string_view child_name) const {
  const std::string* v = child_value(child_name);
  return v ? *v : std::string();
}

const Element* Element::find_path(std::string_view dotted_path) const {
  const Element* current = this;
  while (current && !dotted_path.empty()) {
    const auto dot = dotted_path.find('.');
    current = current->child(dotted_path.substr(0, dot));
    dotted_path = dot == std::string_view::npos ? std::string_view() : dotted_path.substr(dot + 1);
  }
  return current;
}

std::string Element::value_at(std::string_view dotted_path) const {
  const Element* e = find_path(dotted_path);
  return e && e->value ? *e->value : std::string();
}

bool Element::operator==(const Element& other) const {
  return name == other.name && resource_type == other.resource_type && kind == other.kind &&
         value == other.value && (!value || value_kind == other.value_kind) &&
         children == other.children;
}

Element make_resource(std::string resource_type) {
  Element e;
  e.type = types::find_type(resource_type);
  e.resource_type = std::move(resource_type);
  return e;
}

Element make_complex(std::string name) {
  Element e;
  e.name = std::move(name);
  return e;
}

Element make_primitive(std::string name, std::string value, ValueKind value_kind) {
  Element e;
  e.name = std::move(name);
  e.kind = NodeKind::kPrimitive;
  e.value = std::move(value);
  e.value_kind = value_kind;
  return e;
}

namespace {

void type_child_from_parent(const Element& parent, Element& child) {
  if (child.is_resource()) {
    child.type = types::find_type(child.resource_type);
    return;
  }
  if (child.type != types::kUnknownType) return;
  const auto def = detail::child_def(parent.type, parent.kind, child.name);
  if (!def) return;
  child.type = def->type;
  if (types::kind(def->type) == types::Kind::kXhtml) child.kind = NodeKind::kXhtml;
  if (types::is_primitive(def->type)) {
    child.kind = NodeKind::kPrimitive;
    const auto k = types::kind(def->type);
    child.value_kind = k == types::Kind::kNumber    ? ValueKind::kNumber
                       : k == types::Kind::kBoolean ? ValueKind::kBoolean
                                                    : ValueKind::kString;
  }
}

}  // namespace

void assign_types(Element& element) {
  if (element.is_resource()) element.type = types::find_type(element.resource_type);
  for (Element& child : element.children) {
    type_child_from_parent(element, child);
    assign_types(child);
  }
}

Element& insert_child(Element& parent, Element child) {
  type_child_from_parent(parent, child);
  assign_types(child);
  const std::uint16_t key = detail::order_of(parent, child.name);
  auto position = parent.children.end();
  if (key != detail::kUnknownOrder) {
    // Before the first sibling that sorts later; unknown siblings sort last.
    position = std::find_if(parent.children.begin(), parent.children.end(), [&](const Element& c) {
      return detail::order_of(parent, c.name) > key;
    });
  }
  return *parent.children.insert(position, std::move(child));
}

Element& insert_primitive(Element& parent, std::string name, std::string value) {
  return insert_child(parent, make_primitive(std::move(name), std::move(value)));
}

Element& add_extension(Element& parent, std::string url, Element value, bool modifier) {
  Element extension = make_complex(modifier ? "modifierExtension" : "extension");
  extension.type = types::find_type("Extension");
  insert_child(extension, make_primitive("url", std::move(url)));
  insert_child(extension, std::move(value));
  return insert_child(parent, std::move(extension));
}

Element& add_contained(Element& container, Element resource) {
  resource.name = "contained";
  return insert_child(container, std::move(resource));
}

}  // namespace explainer::fhir

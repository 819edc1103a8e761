// Internal: type-table lookups with the rules the table does not spell out
// (children of primitives, unknown parents). Used by readers, writers and builders.
#pragma once

#include <limits>
#include <optional>
#include <string_view>

#include "fhir/element.h"
#include "fhir/type_table.h"

namespace explainer::fhir::detail {

inline constexpr std::uint16_t kUnknownOrder = std::numeric_limits<std::uint16_t>::max();

// Definition of child `name` of an element of type `parent_type` whose node kind is
// `parent_kind`. Primitives have "id" (string) and "extension" (Extension, repeating).
std::optional<types::ElementDef> child_def(types::TypeId parent_type, NodeKind parent_kind,
                                           std::string_view name);

inline std::uint16_t order_of(const Element& parent, std::string_view child_name) {
  const auto def = child_def(parent.type, parent.kind, child_name);
  return def ? def->order : kUnknownOrder;
}

// Stable-sorts children by definition order; unknown elements go last (keeping their
// relative order). Used for JSON input, where property order carries no meaning.
void sort_children(Element& element);

// True for types whose `url` is an XML attribute (Extension).
bool is_extension_type(types::TypeId type);

}  // namespace explainer::fhir::detail

#include "fhir/type_table.h"

namespace explainer::fhir::types {
namespace {

struct TypeRow {
  const char* name;
  Kind kind;
  std::uint16_t first_element;
  std::uint16_t element_count;
};

struct ElementRow {
  const char* name;
  std::uint16_t type;
  bool is_array;
};

#include "fhir_type_table.inc"

}  // namespace

TypeId find_type(std::string_view name) {
  // kTypes is sorted by name (the generator sorts); binary search.
  std::size_t low = 0;
  std::size_t high = kTypeCount;
  while (low < high) {
    const std::size_t mid = (low + high) / 2;
    const std::string_view candidate = kTypes[mid].name;
    if (candidate == name) return static_cast<TypeId>(mid);
    if (candidate < name) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return kUnknownType;
}

std::string_view type_name(TypeId type) {
  return type < kTypeCount ? std::string_view(kTypes[type].name) : std::string_view();
}

Kind kind(TypeId type) {
  if (type >= kTypeCount) return Kind::kUnknown;
  return kTypes[type].kind;
}

bool is_primitive(TypeId type) {
  const auto k = kind(type);
  return k == Kind::kString || k == Kind::kNumber || k == Kind::kBoolean;
}

bool is_resource(TypeId type) {
  return kind(type) == Kind::kResource;
}

std::optional<ElementDef> find_element(TypeId owner, std::string_view name) {
  if (owner >= kTypeCount) return std::nullopt;
  const TypeRow& row = kTypes[owner];
  for (std::uint16_t i = 0; i < row.element_count; ++i) {
    const ElementRow& element = kElements[row.first_element + i];
    if (name == element.name) return ElementDef{element.name, element.type, element.is_array, i};
  }
  return std::nullopt;
}

}  // namespace explainer::fhir::types

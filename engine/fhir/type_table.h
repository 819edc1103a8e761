// FHIR R4 (4.0.1) type knowledge needed to map between JSON and XML: for every
// complex type, backbone element and resource, its elements in definition (XML)
// order with target type and cardinality (repeats or not). Choice elements are
// expanded (valueString, valueQuantity, ...). Generated at build time from the
// official JSON schema by gen/gen_type_table.py.
//
// Immutable static data: every function here is thread-safe and allocation-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace explainer::fhir::types {

enum class Kind : std::uint8_t {
  kUnknown,      // not in the table
  kComplex,      // datatype or backbone element with child elements
  kResource,     // a resource type (DiagnosticReport, Bundle, ...)
  kAnyResource,  // slot holding any resource (contained, Bundle.entry.resource, ...)
  kString,       // primitive rendered as a JSON string (string, code, date, uri, ...)
  kNumber,       // primitive rendered as a JSON number (integer, decimal, ...)
  kBoolean,      // primitive rendered as a JSON boolean
  kXhtml,        // Narrative.div
};

// Index of a type in the table. kUnknownType marks content the table does not describe.
using TypeId = std::uint16_t;
inline constexpr TypeId kUnknownType = 0xFFFF;

struct ElementDef {
  std::string_view name;  // JSON property / XML element name, e.g. "valueQuantity"
  TypeId type;            // target type
  bool is_array;          // repeats (JSON array)
  std::uint16_t order;    // position in the owner's definition order
};

// Type by name ("DiagnosticReport", "Bundle_Entry", "CodeableConcept", "decimal").
TypeId find_type(std::string_view name);
std::string_view type_name(TypeId type);  // "" for kUnknownType
Kind kind(TypeId type);                   // kUnknown for kUnknownType
bool is_primitive(TypeId type);           // kString / kNumber / kBoolean
bool is_resource(TypeId type);            // Kind::kResource

// Element `name` of `owner`; nullopt when owner is unknown or has no such element.
std::optional<ElementDef> find_element(TypeId owner, std::string_view name);

}  // namespace explainer::fhir::types

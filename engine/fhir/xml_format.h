// FHIR R4 XML <-> Element model (libxml2). Keeps element order, unknown elements,
// element ids, extensions on primitives, contained resources and Narrative XHTML.
// XML comments are not FHIR content and are dropped (except inside Narrative.div).
//
// Reading is hardened: no network, no DTD (any <!DOCTYPE> is rejected before its
// internal subset is read, so entity bombs and external entities never expand), a
// size limit, libxml2's default depth/text limits, and errors as values with line and
// column. Thread-safe (libxml2 is initialised once on first use).
#pragma once

#include <string>
#include <string_view>

#include "fhir/element.h"
#include "fhir/format_options.h"
#include "fhir/result.h"

namespace explainer::fhir {

inline constexpr std::string_view kFhirNamespace = "http://hl7.org/fhir";
inline constexpr std::string_view kXhtmlNamespace = "http://www.w3.org/1999/xhtml";

// Parses one resource; the root element must be in the FHIR namespace.
// Attributes other than value / id / url (and ignored xsi:*) are rejected, so
// nothing is dropped silently.
Result<Element> parse_xml(std::string_view text, const ReadOptions& options = {});

// Serialises a resource element with `<?xml version="1.0" encoding="UTF-8"?>`.
// Narrative.div strings are re-parsed (hardened) and must be well-formed XHTML; a div
// lacking the XHTML namespace gets it declared.
Result<std::string> write_xml(const Element& resource, const WriteOptions& options = {});

}  // namespace explainer::fhir

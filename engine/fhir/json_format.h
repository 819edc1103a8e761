// FHIR R4 JSON <-> Element model. Lossless for everything the JSON carries:
// unknown properties, primitive extensions (`_name`), nulls aligning `_name` arrays,
// number lexical forms ("1.50"), contained / nested resources, Narrative.div strings.
//
// Thread-safe (no shared mutable state). Errors are returned, never thrown.
#pragma once

#include <string>
#include <string_view>

#include "fhir/element.h"
#include "fhir/format_options.h"
#include "fhir/result.h"

namespace explainer::fhir {

// Parses one resource (the top-level object must carry "resourceType").
// Result element: name "", resource_type set, children in definition order.
Result<Element> parse_json(std::string_view text, const ReadOptions& options = {});

// Serialises a resource element. Repeating elements the table knows become arrays;
// unknown elements become arrays when they were arrays in JSON input or repeat.
Result<std::string> write_json(const Element& resource, const WriteOptions& options = {});

}  // namespace explainer::fhir

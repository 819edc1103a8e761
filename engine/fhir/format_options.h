// Limits and style knobs shared by the JSON and XML readers/writers.
#pragma once

#include <cstddef>

namespace explainer::fhir {

struct ReadOptions {
  std::size_t max_bytes = 32u * 1024u * 1024u;  // larger input -> ErrorCode::kTooLarge
  // Element nesting limit -> ErrorCode::kTooDeep. JSON allows 2 * max_depth + 2 levels
  // of objects/arrays (an array per repeating element), so anything read from XML
  // stays readable once written as JSON.
  std::size_t max_depth = 128;
};

struct WriteOptions {
  bool pretty = false;  // indent output (JSON: 2 spaces; XML: libxml2 indentation)
};

}  // namespace explainer::fhir

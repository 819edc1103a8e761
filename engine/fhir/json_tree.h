// Internal: a JSON DOM that keeps what FHIR needs and rapidjson's DOM loses: the
// lexical form of numbers ("1.50"), member order, and the distinction between a
// number and a string holding digits. Also used by tests to compare JSON as data.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/format_options.h"
#include "fhir/result.h"

namespace explainer::fhir::detail {

struct JsonMember;

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  std::string text;              // string contents (decoded), number lexical form, "true"/"false"
  std::vector<JsonValue> items;  // kArray
  std::vector<JsonMember> members;  // kObject, input order

  const JsonValue* member(std::string_view key) const;
};

struct JsonMember {
  std::string first;  // key
  JsonValue second;   // value
};

// Parses one JSON value (UTF-8, optional BOM). Rejects duplicate keys, invalid UTF-8,
// trailing content, and nesting deeper than 2 * options.max_depth + 2.
Result<JsonValue> parse_json_tree(std::string_view text, const ReadOptions& options);

// Data equality: objects compare as unordered maps; arrays in order; numbers by
// lexical form. When `div_equal` is given, string members named "div" compare via it.
using DivComparator = bool (*)(const std::string&, const std::string&);
bool json_equal(const JsonValue& a, const JsonValue& b, DivComparator div_equal = nullptr,
                std::string* first_difference = nullptr);

}  // namespace explainer::fhir::detail

#include "fhir/json_tree.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>

namespace explainer::fhir::detail {
namespace {

// SAX handler building a JsonValue. Returning false stops the parser
// (kParseErrorTermination); `failure` then says why.
class TreeBuilder {
 public:
  explicit TreeBuilder(std::size_t max_depth) : max_depth_(max_depth) {}

  bool Null() { return add(JsonValue::Type::kNull, {}); }
  bool Bool(bool b) { return add(JsonValue::Type::kBool, b ? "true" : "false"); }
  bool Int(int) { return unexpected_binary_number(); }
  bool Uint(unsigned) { return unexpected_binary_number(); }
  bool Int64(std::int64_t) { return unexpected_binary_number(); }
  bool Uint64(std::uint64_t) { return unexpected_binary_number(); }
  bool Double(double) { return unexpected_binary_number(); }
  bool RawNumber(const char* str, rapidjson::SizeType length, bool) {
    return add(JsonValue::Type::kNumber, std::string_view(str, length));
  }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    return add(JsonValue::Type::kString, std::string_view(str, length));
  }
  bool StartObject() { return open(JsonValue::Type::kObject); }
  bool Key(const char* str, rapidjson::SizeType length, bool) {
    stack_.back()->members.push_back(JsonMember{std::string(str, length), JsonValue{}});
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (!unique_keys(*stack_.back())) {
      failure_ = {ErrorCode::kNotFhir, "duplicate property name"};
      return false;
    }
    stack_.pop_back();
    return true;
  }
  bool StartArray() { return open(JsonValue::Type::kArray); }
  bool EndArray(rapidjson::SizeType) {
    stack_.pop_back();
    return true;
  }

  JsonValue& root() { return root_; }
  const Error& failure() const { return failure_; }

 private:
  JsonValue* slot() {
    if (stack_.empty()) return &root_;
    JsonValue* top = stack_.back();
    if (top->type == JsonValue::Type::kArray) {
      top->items.emplace_back();
      return &top->items.back();
    }
    return &top->members.back().second;
  }
  bool add(JsonValue::Type type, std::string_view text) {
    JsonValue* v = slot();
    v->type = type;
    v->text.assign(text.data(), text.size());
    return true;
  }
  bool open(JsonValue::Type type) {
    if (stack_.size() >= max_depth_) {
      failure_ = {ErrorCode::kTooDeep, "JSON nesting too deep"};
      return false;
    }
    JsonValue* v = slot();
    v->type = type;
    stack_.push_back(v);
    return true;
  }
  bool unexpected_binary_number() {
    failure_ = {ErrorCode::kMalformed, "internal: number not parsed as text"};
    return false;
  }
  static bool unique_keys(const JsonValue& object) {
    if (object.members.size() < 2) return true;
    std::vector<std::string_view> keys;
    keys.reserve(object.members.size());
    for (const auto& m : object.members) keys.push_back(m.first);
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
  }

  std::size_t max_depth_;
  JsonValue root_;
  std::vector<JsonValue*> stack_;
  Error failure_;
};

void locate(std::string_view text, std::size_t offset, Error& error) {
  error.offset = offset;
  error.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++error.line;
      line_start = i + 1;
    }
  }
  error.column = offset - line_start + 1;
}

}  // namespace

const JsonValue* JsonValue::member(std::string_view key) const {
  for (const auto& m : members) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Result<JsonValue> parse_json_tree(std::string_view text, const ReadOptions& options) {
  if (text.size() > options.max_bytes) {
    return Error{ErrorCode::kTooLarge, "JSON input larger than the configured limit"};
  }
  std::size_t skipped = 0;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") skipped = 3;  // UTF-8 BOM
  rapidjson::MemoryStream stream(text.data() + skipped, text.size() - skipped);
  TreeBuilder builder(2 * options.max_depth + 2);
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag;
  const rapidjson::ParseResult parsed = reader.Parse<kFlags>(stream, builder);
  if (!parsed) {
    Error error = builder.failure();
    if (parsed.Code() != rapidjson::kParseErrorTermination || error.message.empty()) {
      error.code = ErrorCode::kMalformed;
      error.message = std::string("malformed JSON: ") + rapidjson::GetParseError_En(parsed.Code());
    }
    locate(text, parsed.Offset() + skipped, error);
    return error;
  }
  return std::move(builder.root());
}

namespace {

bool values_equal(const JsonValue& a, const JsonValue& b, DivComparator div_equal, bool is_div,
                  std::string& path, std::string* diff) {
  auto fail = [&](const char* what) {
    if (diff) *diff = path + ": " + what;
    return false;
  };
  if (a.type != b.type) return fail("type differs");
  switch (a.type) {
    case JsonValue::Type::kNull:
      return true;
    case JsonValue::Type::kString:
      if (is_div && div_equal) return div_equal(a.text, b.text) || fail("div differs");
      return a.text == b.text || fail("string differs");
    case JsonValue::Type::kBool:
    case JsonValue::Type::kNumber:
      return a.text == b.text || fail("value differs");
    case JsonValue::Type::kArray: {
      if (a.items.size() != b.items.size()) return fail("array length differs");
      for (std::size_t i = 0; i < a.items.size(); ++i) {
        const std::size_t mark = path.size();
        path += "[" + std::to_string(i) + "]";
        if (!values_equal(a.items[i], b.items[i], div_equal, is_div, path, diff)) return false;
        path.resize(mark);
      }
      return true;
    }
    case JsonValue::Type::kObject: {
      if (a.members.size() != b.members.size()) {
        for (const auto& m : a.members) {
          if (!b.member(m.first)) {
            path += "." + m.first;
            return fail("missing on right");
          }
        }
        for (const auto& m : b.members) {
          if (!a.member(m.first)) {
            path += "." + m.first;
            return fail("missing on left");
          }
        }
        return fail("member count differs");
      }
      for (const auto& m : a.members) {
        const JsonValue* other = b.member(m.first);
        const std::size_t mark = path.size();
        path += "." + m.first;
        if (!other) return fail("missing on right");
        if (!values_equal(m.second, *other, div_equal, m.first == "div", path, diff)) return false;
        path.resize(mark);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

bool json_equal(const JsonValue& a, const JsonValue& b, DivComparator div_equal,
                std::string* first_difference) {
  std::string path = "$";
  return values_equal(a, b, div_equal, false, path, first_difference);
}

}  // namespace explainer::fhir::detail

#include "fhir/json_format.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "fhir/json_tree.h"
#include "fhir/schema_lookup.h"

namespace explainer::fhir {
namespace {

using detail::JsonValue;
using JType = JsonValue::Type;

Error not_fhir(std::string message) {
  return Error{ErrorCode::kNotFhir, std::move(message)};
}

ValueKind observed_kind(JType type) {
  switch (type) {
    case JType::kNumber:
      return ValueKind::kNumber;
    case JType::kBool:
      return ValueKind::kBoolean;
    default:
      return ValueKind::kString;
  }
}

bool is_scalar(JType type) {
  return type == JType::kString || type == JType::kNumber || type == JType::kBool;
}

class JsonToModel {
 public:
  // Fills `target` (kind complex, type set) from the members of `object`.
  std::optional<Error> fill_object(const JsonValue& object, Element& target, bool is_resource) {
    // Member lookup by name; indexed for wide objects so pairing `x`/`_x` stays linear.
    std::unordered_map<std::string_view, const JsonValue*> index;
    constexpr std::size_t kIndexThreshold = 16;
    if (object.members.size() > kIndexThreshold) {
      index.reserve(object.members.size());
      for (const auto& m : object.members) index.emplace(m.first, &m.second);
    }
    auto member = [&](const std::string& name) -> const JsonValue* {
      if (object.members.size() <= kIndexThreshold) return object.member(name);
      const auto it = index.find(name);
      return it == index.end() ? nullptr : it->second;
    };
    for (std::size_t i = 0; i < object.members.size(); ++i) {
      const std::string& key = object.members[i].first;
      if (is_resource && key == "resourceType") continue;
      std::string base = key;
      const JsonValue* value = &object.members[i].second;
      const JsonValue* underscore = nullptr;
      if (!key.empty() && key[0] == '_') {
        base = key.substr(1);
        // Handled together with `base` when that property exists.
        if (member(base)) continue;
        underscore = value;
        value = nullptr;
      } else {
        underscore = member("_" + key);
      }
      if (base.empty()) return not_fhir("empty property name");
      if (auto error = add_property(target, base, value, underscore)) return error;
    }
    detail::sort_children(target);
    return std::nullopt;
  }

 private:
  std::optional<Error> add_property(Element& parent, const std::string& name,
                                    const JsonValue* value, const JsonValue* underscore) {
    const auto def = detail::child_def(parent.type, parent.kind, name);
    const bool value_array = value && value->type == JType::kArray;
    const bool underscore_array = underscore && underscore->type == JType::kArray;
    if (value_array || underscore_array) {
      if ((value && !value_array) || (underscore && !underscore_array)) {
        return not_fhir("'" + name + "' and '_" + name + "' disagree on being an array");
      }
      const std::size_t count = value ? value->items.size() : underscore->items.size();
      if (value && underscore && value->items.size() != underscore->items.size()) {
        return not_fhir("'" + name + "' and '_" + name + "' arrays differ in length");
      }
      if (count == 0) return not_fhir("empty array '" + name + "'");
      for (std::size_t i = 0; i < count; ++i) {
        const JsonValue* v = value ? &value->items[i] : nullptr;
        const JsonValue* u = underscore ? &underscore->items[i] : nullptr;
        if (v && v->type == JType::kNull) v = nullptr;
        if (u && u->type == JType::kNull) u = nullptr;
        if (!v && !u) return not_fhir("null without matching data in '" + name + "'");
        if ((v && v->type == JType::kArray) || (u && u->type == JType::kArray)) {
          return not_fhir("nested array in '" + name + "'");
        }
        if (auto error = add_one(parent, name, def, v, u, true)) return error;
      }
      return std::nullopt;
    }
    if (value && value->type == JType::kNull) {
      return not_fhir("null value for '" + name + "'");
    }
    return add_one(parent, name, def, value, underscore, false);
  }

  std::optional<Error> add_one(Element& parent, const std::string& name,
                               const std::optional<types::ElementDef>& def, const JsonValue* value,
                               const JsonValue* underscore, bool from_array) {
    Element element;
    element.name = name;
    element.json_array = from_array;
    if (def) element.type = def->type;
    const auto kind = def ? types::kind(def->type) : types::Kind::kUnknown;

    if (value && value->type == JType::kObject) {
      if (underscore) return not_fhir("'_" + name + "' given for a complex element");
      const JsonValue* resource_type = value->member("resourceType");
      const bool is_resource_slot =
          kind == types::Kind::kAnyResource ||
          (!def && resource_type && resource_type->type == JType::kString);
      if (is_resource_slot) {
        if (!resource_type || resource_type->type != JType::kString ||
            resource_type->text.empty()) {
          return not_fhir("resource in '" + name + "' lacks resourceType");
        }
        element.resource_type = resource_type->text;
        element.type = types::find_type(resource_type->text);
      } else if (kind != types::Kind::kUnknown && kind != types::Kind::kComplex &&
                 kind != types::Kind::kResource) {
        return not_fhir("object given for primitive '" + name + "'");
      }
      if (++depth_ > kMaxModelDepth) return Error{ErrorCode::kTooDeep, "nesting too deep"};
      auto error = fill_object(*value, element, is_resource_slot);
      --depth_;
      if (error) return error;
      parent.children.push_back(std::move(element));
      return std::nullopt;
    }

    if (kind == types::Kind::kXhtml) {
      if (!value || value->type != JType::kString || underscore) {
        return not_fhir("'" + name + "' must be an XHTML string");
      }
      element.kind = NodeKind::kXhtml;
      element.value = value->text;
      parent.children.push_back(std::move(element));
      return std::nullopt;
    }

    if (value && !is_scalar(value->type)) return not_fhir("unexpected value for '" + name + "'");
    if (kind != types::Kind::kUnknown && kind != types::Kind::kString &&
        kind != types::Kind::kNumber && kind != types::Kind::kBoolean) {
      return not_fhir("primitive given for complex '" + name + "'");
    }
    element.kind = NodeKind::kPrimitive;
    if (value) {
      element.value = value->text;
      element.value_kind = observed_kind(value->type);
    }
    if (underscore) {
      if (underscore->type != JType::kObject) return not_fhir("'_" + name + "' must be an object");
      if (++depth_ > kMaxModelDepth) return Error{ErrorCode::kTooDeep, "nesting too deep"};
      auto error = fill_object(*underscore, element, false);
      --depth_;
      if (error) return error;
    }
    parent.children.push_back(std::move(element));
    return std::nullopt;
  }

  // The JSON tree is already depth-limited; this guards the model recursion too.
  static constexpr int kMaxModelDepth = 1000;
  int depth_ = 0;
};

// ---------------------------------------------------------------------------------

bool is_json_number(const std::string& s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

template <typename Writer>
class ModelToJson {
 public:
  explicit ModelToJson(Writer& writer) : writer_(writer) {}

  std::optional<Error> write_object(const Element& element) {
    writer_.StartObject();
    if (element.is_resource()) {
      writer_.Key("resourceType");
      string(element.resource_type);
    }
    // Group children by name, in order of first appearance.
    std::vector<std::vector<const Element*>> groups;
    std::unordered_map<std::string_view, std::size_t> group_of;
    for (const Element& child : element.children) {
      const auto [it, inserted] = group_of.emplace(child.name, groups.size());
      if (inserted) {
        groups.push_back({&child});
      } else {
        groups[it->second].push_back(&child);
      }
    }
    for (const auto& group : groups) {
      if (auto error = write_group(element, group)) return error;
    }
    writer_.EndObject();
    return std::nullopt;
  }

 private:
  std::optional<Error> write_group(const Element& parent,
                                   const std::vector<const Element*>& group) {
    const std::string& name = group.front()->name;
    if (name.empty()) return Error{ErrorCode::kUnwritable, "element without a name"};
    if (name.front() == '_') {
      return Error{ErrorCode::kUnwritable, "element name starting with '_' has no JSON form"};
    }
    if (parent.is_resource() && name == "resourceType") {
      return Error{ErrorCode::kUnwritable, "element named resourceType inside a resource"};
    }
    const auto def = detail::child_def(parent.type, parent.kind, name);
    bool as_array = def ? def->is_array : group.front()->json_array;
    if (group.size() > 1) as_array = true;
    const NodeKind kind = group.front()->kind;
    for (const Element* e : group) {
      if ((e->kind == NodeKind::kPrimitive) != (kind == NodeKind::kPrimitive)) {
        return Error{ErrorCode::kUnwritable, "'" + name + "' mixes primitive and complex"};
      }
    }
    if (kind != NodeKind::kPrimitive) {
      writer_.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
      if (as_array) writer_.StartArray();
      for (const Element* e : group) {
        if (e->kind == NodeKind::kXhtml) {
          if (!e->value) return Error{ErrorCode::kUnwritable, "empty xhtml '" + name + "'"};
          string(*e->value);
        } else if (auto error = write_object(*e)) {
          return error;
        }
      }
      if (as_array) writer_.EndArray();
      return std::nullopt;
    }
    bool any_value = false;
    bool any_extra = false;
    for (const Element* e : group) {
      any_value = any_value || e->value.has_value();
      any_extra = any_extra || !e->children.empty();
    }
    if (any_value) {
      writer_.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
      if (as_array) writer_.StartArray();
      for (const Element* e : group) {
        if (!e->value) {
          writer_.Null();
        } else if (auto error = primitive_value(*e)) {
          return error;
        }
      }
      if (as_array) writer_.EndArray();
    }
    if (any_extra) {
      const std::string key = "_" + name;
      writer_.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      if (as_array) writer_.StartArray();
      for (const Element* e : group) {
        if (e->children.empty()) {
          writer_.Null();
        } else if (auto error = write_object(*e)) {
          return error;
        }
      }
      if (as_array) writer_.EndArray();
    }
    if (!any_value && !any_extra) {
      return Error{ErrorCode::kUnwritable, "primitive '" + name + "' has no value or extension"};
    }
    return std::nullopt;
  }

  std::optional<Error> primitive_value(const Element& e) {
    switch (e.value_kind) {
      case ValueKind::kNumber:
        if (!is_json_number(*e.value)) {
          return Error{ErrorCode::kUnwritable, "'" + e.name + "' is not a valid number"};
        }
        writer_.RawValue(e.value->data(), e.value->size(), rapidjson::kNumberType);
        return std::nullopt;
      case ValueKind::kBoolean:
        if (*e.value != "true" && *e.value != "false") {
          return Error{ErrorCode::kUnwritable, "'" + e.name + "' is not a valid boolean"};
        }
        writer_.Bool(*e.value == "true");
        return std::nullopt;
      case ValueKind::kString:
        if (!string(*e.value)) {
          return Error{ErrorCode::kUnwritable, "'" + e.name + "' is not valid UTF-8"};
        }
        return std::nullopt;
    }
    return std::nullopt;
  }

  bool string(const std::string& s) {
    return writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }

  Writer& writer_;
};

template <typename Writer>
Result<std::string> write_with(const Element& resource, rapidjson::StringBuffer& buffer,
                               Writer& writer) {
  ModelToJson<Writer> converter(writer);
  if (auto error = converter.write_object(resource)) return *error;
  if (!writer.IsComplete()) return Error{ErrorCode::kUnwritable, "JSON writer did not complete"};
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Result<Element> parse_json(std::string_view text, const ReadOptions& options) {
  auto tree = detail::parse_json_tree(text, options);
  if (!tree) return tree.error();
  const JsonValue& root = *tree;
  if (root.type != JType::kObject) return not_fhir("top-level JSON value is not an object");
  const JsonValue* resource_type = root.member("resourceType");
  if (!resource_type || resource_type->type != JType::kString || resource_type->text.empty()) {
    return not_fhir("missing resourceType");
  }
  Element resource = make_resource(resource_type->text);
  JsonToModel converter;
  if (auto error = converter.fill_object(root, resource, true)) return *error;
  return resource;
}

Result<std::string> write_json(const Element& resource, const WriteOptions& options) {
  if (!resource.is_resource()) return Error{ErrorCode::kUnwritable, "not a resource"};
  rapidjson::StringBuffer buffer;
  constexpr unsigned kFlags = rapidjson::kWriteValidateEncodingFlag;
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                    rapidjson::CrtAllocator, kFlags>
      writer(buffer);
  auto compact = write_with(resource, buffer, writer);
  if (!compact || !options.pretty) return compact;
  // Debian's rapidjson PrettyWriter cannot take kWriteValidateEncodingFlag; the compact
  // pass above has validated every string, so the pretty pass can skip validation.
  rapidjson::StringBuffer pretty_buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> pretty(pretty_buffer);
  pretty.SetIndent(' ', 2);
  return write_with(resource, pretty_buffer, pretty);
}

}  // namespace explainer::fhir

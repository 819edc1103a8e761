// A parsed JSON file that can tell the source line of any of its values, so that
// semantic errors ("duplicate id") point at a line like syntax errors do.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace explainer::matching {

class JsonSource {
 public:
  // Parses `text` (kept by reference: it must outlive this object). On a syntax
  // error ok() is false and error()/error_line() describe it.
  explicit JsonSource(const std::string& text);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int error_line() const { return error_line_; }
  const rapidjson::Document& root() const { return doc_; }
  // 1-based line where `value` starts (0 if unknown).
  int line_of(const rapidjson::Value& value) const;

 private:
  int line_at(std::size_t offset) const;
  void number_values(const rapidjson::Value& v, const std::vector<std::size_t>& offsets,
                     std::size_t& next);

  const std::string& text_;
  rapidjson::Document doc_;
  std::string error_;
  int error_line_ = 0;
  std::vector<std::size_t> line_starts_;
  std::unordered_map<const rapidjson::Value*, std::size_t> offsets_;
};

}  // namespace explainer::matching

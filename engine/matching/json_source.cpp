#include "matching/json_source.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>

namespace explainer::matching {
namespace {

// Records the input offset at every value, in document (pre-)order: the same order
// in which a recursive walk of the DOM visits values.
struct OffsetRecorder : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, OffsetRecorder> {
  rapidjson::StringStream* stream = nullptr;
  std::vector<std::size_t>* offsets = nullptr;
  bool Default() {
    offsets->push_back(stream->Tell());
    return true;
  }
  bool Key(const char*, rapidjson::SizeType, bool) { return true; }
  bool EndObject(rapidjson::SizeType) { return true; }
  bool EndArray(rapidjson::SizeType) { return true; }
  bool StartObject() { return Default(); }
  bool StartArray() { return Default(); }
};

}  // namespace

JsonSource::JsonSource(const std::string& text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
  doc_.Parse(text.c_str(), text.size());
  if (doc_.HasParseError()) {
    error_ = rapidjson::GetParseError_En(doc_.GetParseError());
    error_line_ = line_at(doc_.GetErrorOffset());
    return;
  }
  std::vector<std::size_t> offsets;
  rapidjson::StringStream stream(text.c_str());
  OffsetRecorder recorder;
  recorder.stream = &stream;
  recorder.offsets = &offsets;
  rapidjson::Reader reader;
  reader.Parse(stream, recorder);
  std::size_t next = 0;
  number_values(doc_, offsets, next);
}

void JsonSource::number_values(const rapidjson::Value& v, const std::vector<std::size_t>& offsets,
                               std::size_t& next) {
  if (next < offsets.size()) offsets_[&v] = offsets[next];
  ++next;
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) number_values(m.value, offsets, next);
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) number_values(e, offsets, next);
  }
}

int JsonSource::line_at(std::size_t offset) const {
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int>(it - line_starts_.begin());
}

int JsonSource::line_of(const rapidjson::Value& value) const {
  const auto it = offsets_.find(&value);
  if (it == offsets_.end()) return 0;
  // Offsets are recorded after the value's first character (or after a scalar):
  // step back one byte so a value ending a line reports that line.
  return line_at(it->second == 0 ? 0 : it->second - 1);
}

}  // namespace explainer::matching

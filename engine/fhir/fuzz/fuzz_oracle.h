// Properties checked by the fuzz targets and by the fuzz regression test: whatever a
// reader accepts re-serialises in the same format and re-reads to the identical model,
// and conversion to the other format either fails cleanly or is readable again.
// Returns an empty string when all hold, else the violated property.
#pragma once

#include <string>
#include <string_view>

#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::fhir::fuzz {

inline std::string check_json_input(std::string_view text) {
  auto model = parse_json(text);
  if (!model.ok()) return {};
  auto json = write_json(*model);
  if (!json.ok()) return "accepted JSON cannot be written back: " + json.error().message;
  auto reread = parse_json(*json);
  if (!reread.ok()) return "written JSON cannot be re-read: " + reread.error().message;
  if (!(*reread == *model)) return "JSON round trip changed the model";
  auto xml = write_xml(*model);
  if (xml.ok() && !parse_xml(*xml).ok()) return "XML written from JSON cannot be re-read";
  return {};
}

inline std::string check_xml_input(std::string_view text) {
  auto model = parse_xml(text);
  if (!model.ok()) return {};
  auto xml = write_xml(*model);
  if (!xml.ok()) return "accepted XML cannot be written back: " + xml.error().message;
  auto reread = parse_xml(*xml);
  if (!reread.ok()) return "written XML cannot be re-read: " + reread.error().message;
  if (!(*reread == *model)) return "XML round trip changed the model";
  auto json = write_json(*model);
  if (json.ok() && !parse_json(*json).ok()) return "JSON written from XML cannot be re-read";
  return {};
}

}  // namespace explainer::fhir::fuzz

#include "hl7v2/groups.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace explainer::hl7v2 {
namespace {

// A three-character id packed into an integer, so that a set test is a few compares.
constexpr std::uint32_t packed(std::string_view id) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(id[0])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(id[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(id[2]));
}

bool ends_group(std::string_view id) {
  static constexpr std::array<std::string_view, 13> kEnders = {
      "OBR", "ORC", "PID", "PD1", "PV1", "PV2", "NK1", "MSH", "BHS", "BTS", "FHS", "FTS", "DSC"};
  if (id.size() != 3) return false;
  const std::uint32_t key = packed(id);
  for (std::string_view e : kEnders) {
    if (key == packed(e)) return true;
  }
  return false;
}

bool is_order_detail(std::string_view id) {
  return id == "NTE" || id == "TQ1" || id == "TQ2" || id == "CTD" || id == "PRT";
}

}  // namespace

std::vector<ObrGroup> find_obr_groups(const Message& message) {
  std::vector<ObrGroup> groups;
  std::optional<std::size_t> last_pid;
  const std::size_t count = message.segment_count();
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view id = message.segment(i).id();
    if (id == "PID") last_pid = i;
    if (id != "OBR") continue;

    ObrGroup group;
    group.obr = i;
    group.patient = last_pid;
    if (i > 0 && message.segment(i - 1).id() == "ORC") group.orc = i - 1;
    group.insert_after = i;
    bool in_specimen = false;
    bool seen_obx = false;
    bool after_obx = false;  // still in the OBX [NTE...] run
    std::size_t j = i + 1;
    for (; j < count; ++j) {
      const std::string_view sid = message.segment(j).id();
      if (ends_group(sid)) break;
      if (sid == "SPM") in_specimen = true;
      if (in_specimen) continue;
      if (sid == "OBX") {
        group.observations.push_back(j);
        group.insert_after = j;
        seen_obx = after_obx = true;
      } else if (sid == "NTE") {
        group.notes.push_back(j);
        if (after_obx || (!seen_obx && group.insert_after == j - 1)) group.insert_after = j;
      } else {
        after_obx = false;
        if (!seen_obx && is_order_detail(sid) && group.insert_after == j - 1) {
          group.insert_after = j;
        }
      }
    }
    group.end = j;
    groups.push_back(std::move(group));
    i = j - 1;
  }
  return groups;
}

}  // namespace explainer::hl7v2

// ORDER_OBSERVATION groups of an ORU: an OBR and the segments that belong to it.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "hl7v2/message.h"

namespace explainer::hl7v2 {

// Indexes are original segment indexes of the Message (stable across Message edits).
struct ObrGroup {
  std::size_t obr = 0;                    // the OBR segment
  std::optional<std::size_t> orc;         // the ORC directly preceding the OBR, if any
  std::optional<std::size_t> patient;     // nearest PID before the OBR, if any
  std::size_t end = 0;                    // one past the last segment of the group
  std::vector<std::size_t> observations;  // OBX of the group, in order (not SPECIMEN OBX)
  std::vector<std::size_t> notes;         // NTE of the group (after the OBR or after an OBX)
  // Where to insert new OBX so they stay inside the OBSERVATION sequence: the last OBX of the
  // group or the NTEs that follow it; without OBX, the OBR or its trailing NTE/TQ1/TQ2/CTD.
  std::size_t insert_after = 0;
};

// A group starts at an OBR and runs until the next OBR, ORC, PID, PV1, MSH or batch segment
// (or the end). OBX after an SPM belong to the specimen, not to the report, and are not listed.
std::vector<ObrGroup> find_obr_groups(const Message& message);

}  // namespace explainer::hl7v2

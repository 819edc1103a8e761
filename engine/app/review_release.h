// What releasing one held explanation sends: one follow-up per destination it was held from,
// in the form that destination's kind gets (enrich/follow_up.h):
//   stored HL7 v2 report  -> MDM^T02 for mllp destinations (OBX in the destination's
//                            obx_format) and file destinations (FT);
//   stored FHIR request   -> transaction Bundle with the DocumentReference, in the fhir
//                            destination's format, or for file destinations in the format the
//                            request came in.
// Destinations no longer configured, or of a kind without follow-ups (letter), are skipped with
// a note. Pure function of its inputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.h"
#include "content/library.h"
#include "store/message_store.h"

namespace explainer::app {

struct ReleasePlan {
  std::vector<store::OutboxEntry> follow_ups;
  std::vector<std::string>
      notes;               // skipped destinations, content version changes (no patient data)
  std::string error;       // set when no follow-up could be built at all
  std::string control_id;  // MSH-10 of the MDM^T02 (HL7 v2 reports)
};

ReleasePlan plan_release(const store::HeldItem& item, const std::string& original_payload,
                         const EngineConfig& config, const content::ContentLibrary& library,
                         std::int64_t now_ms);

}  // namespace explainer::app

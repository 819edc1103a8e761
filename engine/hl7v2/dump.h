// Human-readable structure of a message, for `explainer parse FILE`. Contains the message's
// content (patient data): for the operator's terminal, never for logs.
#pragma once

#include <string>

#include "hl7v2/message.h"

namespace explainer::hl7v2 {

// One block per segment:
//   [3] OBR  (index, id)
//     OBR-4        12345^MRI LUMBAR SPINE^LOCAL      (raw field as received)
//       OBR-4.2    MRI LUMBAR SPINE                   (decoded components when > 1)
//       OBR-4.1.2  ...                                (subcomponents when > 1)
//       OBR-5[2]   ...                                (repetitions when > 1)
// Empty fields are skipped. Header block lists delimiters, charset and warnings. Decoded values
// are UTF-8; control characters (newlines from \.br\) are shown as "\n".
std::string dump_structure(const Message& message);

}  // namespace explainer::hl7v2

// Small lookup tables that turn order/patient codes and study names into the normalised values
// matching uses. All tables live in inference.cpp. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace explainer::extract {

// Modality from OBR-24 (diagnostic service section: "MR", "CT", "US", "CR", "DX", ...) when it
// names one, else from the words of the study name (MRI/MR -> MR, CT -> CT, ultrasound/US ->
// US, X-ray/XR/radiograph -> CR, ...), else OBR-24 as sent (e.g. "RAD"), else "".
std::string infer_modality(std::string_view obr24, std::string_view study_name);

// Body region from the study name words: spine, knee, shoulder, brain, chest, abdomen, neck,
// hip, ankle, hand, sinus; the first word of the name that maps wins. "" when none does.
std::string infer_body_region(std::string_view study_name);

// ISO 639-1 code from PID-15 (code component and/or text): "en", "ENG", "spa", "Spanish",
// "es-MX" ... -> "en"/"es". "" when not recognisable.
std::string iso639_1_language(std::string_view code, std::string_view text = {});

}  // namespace explainer::extract

#include "extract/inference.h"

#include <cctype>
#include <utility>
#include <vector>

namespace explainer::extract {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// OBR-24 diagnostic service section ids (table 0074 and common local codes) that name a modality.
constexpr Pair kSectionModality[] = {
    {"MR", "MR"}, {"MRI", "MR"}, {"CT", "CT"},  {"US", "US"},  {"CR", "CR"},  {"DX", "CR"},
    {"XR", "CR"}, {"RX", "CR"},  {"NM", "NM"},  {"PT", "PT"},  {"PET", "PT"}, {"MG", "MG"},
    {"XA", "XA"}, {"RF", "RF"},  {"VUS", "US"}, {"CUS", "US"}, {"NMR", "MR"}, {"CTH", "CT"}};

// Study-name words (upper case) that name a modality.
constexpr Pair kWordModality[] = {
    {"MRI", "MR"},        {"MR", "MR"},          {"MRA", "MR"},          {"CT", "CT"},
    {"CTA", "CT"},        {"US", "US"},          {"ULTRASOUND", "US"},   {"SONOGRAM", "US"},
    {"SONOGRAPHY", "US"}, {"DOPPLER", "US"},     {"XR", "CR"},           {"XRAY", "CR"},
    {"RADIOGRAPH", "CR"}, {"RADIOGRAPHS", "CR"}, {"RADIOGRAPHY", "CR"},  {"CR", "CR"},
    {"DX", "CR"},         {"MAMMOGRAM", "MG"},   {"MAMMOGRAPHY", "MG"},  {"MAMMO", "MG"},
    {"PET", "PT"},        {"NM", "NM"},          {"SCINTIGRAPHY", "NM"}, {"FLUOROSCOPY", "RF"}};

// Study-name words (upper case) that name a body region.
constexpr Pair kWordRegion[] = {
    {"SPINE", "spine"},     {"LUMBAR", "spine"},      {"CERVICAL", "spine"},
    {"THORACIC", "spine"},  {"LSPINE", "spine"},      {"CSPINE", "spine"},
    {"TSPINE", "spine"},    {"SACRUM", "spine"},      {"KNEE", "knee"},
    {"KNEES", "knee"},      {"SHOULDER", "shoulder"}, {"SHOULDERS", "shoulder"},
    {"BRAIN", "brain"},     {"HEAD", "brain"},        {"CHEST", "chest"},
    {"LUNG", "chest"},      {"LUNGS", "chest"},       {"THORAX", "chest"},
    {"ABDOMEN", "abdomen"}, {"ABDOMINAL", "abdomen"}, {"PELVIS", "abdomen"},
    {"PELVIC", "abdomen"},  {"LIVER", "abdomen"},     {"KIDNEY", "abdomen"},
    {"KIDNEYS", "abdomen"}, {"RENAL", "abdomen"},     {"GALLBLADDER", "abdomen"},
    {"RUQ", "abdomen"},     {"THYROID", "neck"},      {"NECK", "neck"},
    {"HIP", "hip"},         {"HIPS", "hip"},          {"ANKLE", "ankle"},
    {"ANKLES", "ankle"},    {"HAND", "hand"},         {"HANDS", "hand"},
    {"SINUS", "sinus"},     {"SINUSES", "sinus"},     {"PARANASAL", "sinus"}};

// ISO 639-2 (B and T) codes and English / native names -> ISO 639-1.
constexpr Pair kLanguages[] = {{"eng", "en"},
                               {"english", "en"},
                               {"spa", "es"},
                               {"spanish", "es"},
                               {"espanol", "es"},
                               {"espa\xC3\xB1ol", "es"},
                               {"castellano", "es"},
                               {"fre", "fr"},
                               {"fra", "fr"},
                               {"french", "fr"},
                               {"ger", "de"},
                               {"deu", "de"},
                               {"german", "de"},
                               {"ita", "it"},
                               {"italian", "it"},
                               {"por", "pt"},
                               {"portuguese", "pt"},
                               {"chi", "zh"},
                               {"zho", "zh"},
                               {"chinese", "zh"},
                               {"mandarin", "zh"},
                               {"cantonese", "zh"},
                               {"vie", "vi"},
                               {"vietnamese", "vi"},
                               {"rus", "ru"},
                               {"russian", "ru"},
                               {"ara", "ar"},
                               {"arabic", "ar"},
                               {"kor", "ko"},
                               {"korean", "ko"},
                               {"jpn", "ja"},
                               {"japanese", "ja"},
                               {"pol", "pl"},
                               {"polish", "pl"},
                               {"hat", "ht"},
                               {"haitian", "ht"},
                               {"haitian creole", "ht"},
                               {"tgl", "tl"},
                               {"tagalog", "tl"},
                               {"hin", "hi"},
                               {"hindi", "hi"},
                               {"urd", "ur"},
                               {"urdu", "ur"},
                               {"per", "fa"},
                               {"fas", "fa"},
                               {"farsi", "fa"},
                               {"persian", "fa"},
                               {"som", "so"},
                               {"somali", "so"},
                               {"amh", "am"},
                               {"amharic", "am"},
                               {"ben", "bn"},
                               {"bengali", "bn"},
                               {"guj", "gu"},
                               {"pan", "pa"},
                               {"punjabi", "pa"},
                               {"ukr", "uk"},
                               {"ukrainian", "uk"},
                               {"gre", "el"},
                               {"ell", "el"},
                               {"greek", "el"},
                               {"heb", "he"},
                               {"hebrew", "he"},
                               {"tur", "tr"},
                               {"turkish", "tr"},
                               {"dut", "nl"},
                               {"nld", "nl"},
                               {"dutch", "nl"},
                               {"swe", "sv"},
                               {"swedish", "sv"},
                               {"nor", "no"},
                               {"norwegian", "no"},
                               {"dan", "da"},
                               {"danish", "da"},
                               {"fin", "fi"},
                               {"finnish", "fi"},
                               {"hun", "hu"},
                               {"hungarian", "hu"},
                               {"cze", "cs"},
                               {"ces", "cs"},
                               {"czech", "cs"},
                               {"rum", "ro"},
                               {"ron", "ro"},
                               {"romanian", "ro"},
                               {"alb", "sq"},
                               {"sqi", "sq"},
                               {"albanian", "sq"},
                               {"arm", "hy"},
                               {"hye", "hy"},
                               {"armenian", "hy"},
                               {"tha", "th"},
                               {"thai", "th"},
                               {"khm", "km"},
                               {"khmer", "km"},
                               {"nep", "ne"},
                               {"nepali", "ne"},
                               {"ind", "id"},
                               {"indonesian", "id"},
                               {"may", "ms"},
                               {"msa", "ms"},
                               {"malay", "ms"},
                               {"swa", "sw"},
                               {"swahili", "sw"},
                               {"cat", "ca"},
                               {"catalan", "ca"},
                               {"tam", "ta"},
                               {"tamil", "ta"}};

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// Upper-case alphanumeric words; "X-RAY"/"X RAY" become "XRAY", "L-SPINE" becomes "LSPINE".
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  std::vector<std::string> joined;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool prefix = out[i] == "X" || out[i] == "L" || out[i] == "C" || out[i] == "T";
    if (prefix && i + 1 < out.size() &&
        ((out[i] == "X" && out[i + 1] == "RAY") || (out[i] != "X" && out[i + 1] == "SPINE"))) {
      joined.push_back(out[i] + out[i + 1]);
      ++i;
    } else {
      joined.push_back(out[i]);
    }
  }
  return joined;
}

template <std::size_t N>
std::string_view lookup(const Pair (&table)[N], std::string_view key) {
  for (const Pair& p : table) {
    if (p.first == key) return p.second;
  }
  return {};
}

}  // namespace

std::string infer_modality(std::string_view obr24, std::string_view study_name) {
  const std::string section = upper(obr24);
  if (const std::string_view m = lookup(kSectionModality, section); !m.empty()) {
    return std::string(m);
  }
  for (const std::string& word : words(study_name)) {
    if (const std::string_view m = lookup(kWordModality, word); !m.empty()) return std::string(m);
  }
  return section;
}

std::string infer_body_region(std::string_view study_name) {
  for (const std::string& word : words(study_name)) {
    if (const std::string_view r = lookup(kWordRegion, word); !r.empty()) return std::string(r);
  }
  return {};
}

std::string iso639_1_language(std::string_view code, std::string_view text) {
  for (std::string_view candidate : {code, text}) {
    std::string key = lower_trimmed(candidate);
    // Locale forms: "en-US", "es_MX".
    const std::size_t dash = key.find_first_of("-_");
    if (dash == 2) key.resize(2);
    if (key.size() == 2 && std::isalpha(static_cast<unsigned char>(key[0])) &&
        std::isalpha(static_cast<unsigned char>(key[1]))) {
      return key;
    }
    if (const std::string_view iso = lookup(kLanguages, key); !iso.empty()) {
      return std::string(iso);
    }
  }
  return {};
}

}  // namespace explainer::extract

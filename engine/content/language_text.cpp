#include "content/language_text.h"

namespace explainer::content {
namespace {

constexpr LanguageText kEnglish{
    "en",
    {"What this finding usually means", "How it may affect movement or daily life",
     "What imaging can and cannot tell", "How common it is", "Common questions",
     "Recovery and support options", "When to seek medical care", "Key takeaway"},
    "Get emergency care",
    "Draft content — not yet reviewed by a clinician",
};

constexpr LanguageText kSpanish{
    "es",
    {"Qué suele significar este hallazgo", "Cómo puede afectar al movimiento y a la vida diaria",
     "Qué pueden mostrar las imágenes y qué no", "Qué tan frecuente es", "Preguntas frecuentes",
     "Opciones de recuperación y apoyo", "Cuándo buscar atención médica", "Idea principal"},
    "Busque atención de urgencia",
    "Contenido en borrador — aún no revisado por un profesional clínico",
};

constexpr std::array<const LanguageText*, 2> kAll{&kEnglish, &kSpanish};

}  // namespace

const LanguageText* find_language_text(std::string_view language) {
  for (const LanguageText* text : kAll) {
    if (text->language == language) return text;
  }
  return nullptr;
}

std::vector<std::string> known_languages() {
  std::vector<std::string> out;
  for (const LanguageText* text : kAll) out.emplace_back(text->language);
  return out;
}

}  // namespace explainer::content

#include "fhir/result.h"

namespace explainer::fhir {

std::string Error::describe() const {
  std::string text = message;
  if (line > 0) {
    text += " (line " + std::to_string(line);
    if (column > 0) text += ", column " + std::to_string(column);
    text += ")";
  } else if (offset > 0) {
    text += " (offset " + std::to_string(offset) + ")";
  }
  return text;
}

}  // namespace explainer::fhir

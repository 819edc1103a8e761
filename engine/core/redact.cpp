#include "core/redact.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace explainer::core {

std::string redact_id(std::string_view identifier) {
  if (identifier.empty()) return "-";
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(identifier.data(), static_cast<unsigned>(identifier.size()));
  return Poco::DigestEngine::digestToHex(engine.digest()).substr(0, 12);
}

}  // namespace explainer::core

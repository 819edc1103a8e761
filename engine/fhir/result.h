// Error values for FHIR parsing and serialisation. Nothing in engine/fhir throws to
// its callers for bad input: every entry point returns Result<T>.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace explainer::fhir {

enum class ErrorCode {
  kMalformed,   // not well-formed JSON / XML
  kTooLarge,    // input exceeds ReadOptions::max_bytes
  kTooDeep,     // nesting exceeds the depth limit
  kForbidden,   // DTD / entity declarations / unsupported XML constructs
  kNotFhir,     // well-formed but not FHIR (no resourceType, wrong namespace, null misuse, ...)
  kUnwritable,  // model cannot be serialised (invalid XHTML, non-numeric number, ...)
};

// Never carries patient data: messages name elements and positions, not values.
struct Error {
  ErrorCode code = ErrorCode::kMalformed;
  std::string message;
  std::size_t line = 0;    // 1-based; 0 when unknown
  std::size_t column = 0;  // 1-based; 0 when unknown
  std::size_t offset = 0;  // byte offset (JSON); 0 when unknown

  std::string describe() const;  // "message (line L, column C)"
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace explainer::fhir

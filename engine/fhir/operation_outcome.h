// OperationOutcome builder for error / warning responses (FHIR R4 operationoutcome.html).
// Serialise the result with write_json / write_xml.
#pragma once

#include <string>
#include <vector>

#include "fhir/element.h"

namespace explainer::fhir {

enum class IssueSeverity { kFatal, kError, kWarning, kInformation };

// http://hl7.org/fhir/ValueSet/issue-type (required binding), all R4 codes.
enum class IssueType {
  kInvalid,
  kStructure,
  kRequired,
  kValue,
  kInvariant,
  kSecurity,
  kLogin,
  kUnknown,
  kExpired,
  kForbidden,
  kSuppressed,
  kProcessing,
  kNotSupported,
  kDuplicate,
  kMultipleMatches,
  kNotFound,
  kDeleted,
  kTooLong,
  kCodeInvalid,
  kExtension,
  kTooCostly,
  kBusinessRule,
  kConflict,
  kTransient,
  kLockError,
  kNoStore,
  kException,
  kTimeout,
  kIncomplete,
  kThrottled,
  kInformational,
};

const char* to_code(IssueSeverity severity);  // "fatal", "error", ...
const char* to_code(IssueType type);          // "structure", "not-supported", ...

struct Issue {
  IssueSeverity severity = IssueSeverity::kError;
  IssueType type = IssueType::kProcessing;
  std::string diagnostics;              // omitted when empty; never patient data
  std::vector<std::string> expression;  // FHIRPath locations, may be empty
};

// Builds an OperationOutcome resource (with a generated text narrative) holding the
// issues in order. An empty list yields one "informational" issue, since issue is 1..*.
Element make_operation_outcome(const std::vector<Issue>& issues);

}  // namespace explainer::fhir

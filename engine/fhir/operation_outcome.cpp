#include "fhir/operation_outcome.h"

namespace explainer::fhir {

const char* to_code(IssueSeverity severity) {
  switch (severity) {
    case IssueSeverity::kFatal:
      return "fatal";
    case IssueSeverity::kError:
      return "error";
    case IssueSeverity::kWarning:
      return "warning";
    case IssueSeverity::kInformation:
      return "information";
  }
  return "error";
}

const char* to_code(IssueType type) {
  switch (type) {
    case IssueType::kInvalid:
      return "invalid";
    case IssueType::kStructure:
      return "structure";
    case IssueType::kRequired:
      return "required";
    case IssueType::kValue:
      return "value";
    case IssueType::kInvariant:
      return "invariant";
    case IssueType::kSecurity:
      return "security";
    case IssueType::kLogin:
      return "login";
    case IssueType::kUnknown:
      return "unknown";
    case IssueType::kExpired:
      return "expired";
    case IssueType::kForbidden:
      return "forbidden";
    case IssueType::kSuppressed:
      return "suppressed";
    case IssueType::kProcessing:
      return "processing";
    case IssueType::kNotSupported:
      return "not-supported";
    case IssueType::kDuplicate:
      return "duplicate";
    case IssueType::kMultipleMatches:
      return "multiple-matches";
    case IssueType::kNotFound:
      return "not-found";
    case IssueType::kDeleted:
      return "deleted";
    case IssueType::kTooLong:
      return "too-long";
    case IssueType::kCodeInvalid:
      return "code-invalid";
    case IssueType::kExtension:
      return "extension";
    case IssueType::kTooCostly:
      return "too-costly";
    case IssueType::kBusinessRule:
      return "business-rule";
    case IssueType::kConflict:
      return "conflict";
    case IssueType::kTransient:
      return "transient";
    case IssueType::kLockError:
      return "lock-error";
    case IssueType::kNoStore:
      return "no-store";
    case IssueType::kException:
      return "exception";
    case IssueType::kTimeout:
      return "timeout";
    case IssueType::kIncomplete:
      return "incomplete";
    case IssueType::kThrottled:
      return "throttled";
    case IssueType::kInformational:
      return "informational";
  }
  return "processing";
}

namespace {

std::string escape_xhtml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // Control characters are not allowed in XML; replace them.
        out +=
            (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ? ' ' : c;
    }
  }
  return out;
}

}  // namespace

Element make_operation_outcome(const std::vector<Issue>& issues) {
  std::vector<Issue> list = issues;
  if (list.empty())
    list.push_back({IssueSeverity::kInformation, IssueType::kInformational, {}, {}});

  Element outcome = make_resource("OperationOutcome");
  std::string div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><ul>";
  for (const Issue& issue : list) {
    div += "<li>" + std::string(to_code(issue.severity)) + " (" + to_code(issue.type) + ")";
    if (!issue.diagnostics.empty()) div += ": " + escape_xhtml(issue.diagnostics);
    div += "</li>";
  }
  div += "</ul></div>";
  Element text = make_complex("text");
  insert_child(outcome, std::move(text));
  Element& narrative = *outcome.child("text");
  insert_primitive(narrative, "status", "generated");
  Element div_element = make_primitive("div", std::move(div));
  div_element.kind = NodeKind::kXhtml;
  insert_child(narrative, std::move(div_element));

  for (const Issue& issue : list) {
    Element& entry = insert_child(outcome, make_complex("issue"));
    insert_primitive(entry, "severity", to_code(issue.severity));
    insert_primitive(entry, "code", to_code(issue.type));
    if (!issue.diagnostics.empty()) insert_primitive(entry, "diagnostics", issue.diagnostics);
    for (const std::string& expression : issue.expression) {
      if (!expression.empty()) insert_primitive(entry, "expression", expression);
    }
  }
  return outcome;
}

}  // namespace explainer::fhir

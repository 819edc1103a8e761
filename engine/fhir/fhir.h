// Umbrella header for engine/fhir: FHIR R4 model, JSON/XML I/O, accessors, builders.
#pragma once

#include "fhir/diagnostic_report.h"  // find_diagnostic_reports, DiagnosticReportView, Bundle
#include "fhir/element.h"            // Element model and builders
#include "fhir/json_format.h"        // parse_json / write_json
#include "fhir/operation_outcome.h"  // make_operation_outcome
#include "fhir/result.h"             // Result<T>, Error, ErrorCode
#include "fhir/xml_format.h"         // parse_xml / write_xml

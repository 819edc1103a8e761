// Test helpers for engine/fhir: fixture access and canonical comparison of FHIR
// documents as data (JSON: unordered objects, lexical numbers; XML: C14N without
// comments and inter-element whitespace).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace explainer::fhir::testing {

std::filesystem::path fixture_dir();  // <repo>/tests/fixtures/fhir
std::filesystem::path schema_dir();   // <repo>/tests/fixtures/fhir-schemas
std::string read_file(const std::filesystem::path& path);
// Sorted list of fixture files with the given extension (".json" / ".xml"), both subdirs.
std::vector<std::filesystem::path> fixtures_with_extension(const std::string& extension);

// Canonical form of an XML document: comments and whitespace-only text outside XHTML
// removed, then exclusive C14N. Returns "" (and sets *error) when unparseable.
std::string canonical_xml(const std::string& xml, std::string* error = nullptr);
bool xhtml_equal(const std::string& a, const std::string& b);

// JSON data equality; div strings compare via xhtml_equal when `div_as_xml`.
bool json_same(const std::string& a, const std::string& b, bool div_as_xml,
               std::string* difference);

// Runs `xmllint --noout --schema fhir-single.xsd` on the files; returns its exit code
// (-1 when xmllint is absent) and output.
bool have_xmllint();
int xmllint_validate(const std::vector<std::filesystem::path>& files, std::string* output);

}  // namespace explainer::fhir::testing

#include "fhir/test_support.h"

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fhir/json_tree.h"

namespace explainer::fhir::testing {

std::filesystem::path fixture_dir() {
  return std::filesystem::path(EXPLAINER_SOURCE_DIR) / "tests" / "fixtures" / "fhir";
}

std::filesystem::path schema_dir() {
  return std::filesystem::path(EXPLAINER_SOURCE_DIR) / "tests" / "fixtures" / "fhir-schemas";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::filesystem::path> fixtures_with_extension(const std::string& extension) {
  std::vector<std::filesystem::path> files;
  for (const char* sub : {"spec_examples", "us_core", "handwritten"}) {
    const auto dir = fixture_dir() / sub;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == extension) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

void strip(xmlNode* node, bool in_xhtml) {
  xmlNode* child = node->children;
  while (child) {
    xmlNode* next = child->next;
    const bool xhtml = in_xhtml || (child->ns && child->ns->href &&
                                    std::string(reinterpret_cast<const char*>(child->ns->href)) ==
                                        "http://www.w3.org/1999/xhtml");
    if (child->type == XML_COMMENT_NODE || child->type == XML_PI_NODE ||
        (child->type == XML_TEXT_NODE && !in_xhtml && xmlIsBlankNode(child))) {
      xmlUnlinkNode(child);
      xmlFreeNode(child);
    } else if (child->type == XML_ELEMENT_NODE) {
      strip(child, xhtml);
    }
    child = next;
  }
}

}  // namespace

std::string canonical_xml(const std::string& xml, std::string* error) {
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) {
    if (error) *error = "unparseable XML";
    return {};
  }
  xmlNode* root = xmlDocGetRootElement(doc);
  if (root) {
    const bool xhtml = root->ns && std::string(reinterpret_cast<const char*>(root->ns->href)) ==
                                       "http://www.w3.org/1999/xhtml";
    strip(root, xhtml);
  }
  xmlChar* out = nullptr;
  const int size = xmlC14NDocDumpMemory(doc, nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, &out);
  std::string result = size >= 0 && out ? std::string(reinterpret_cast<char*>(out), size) : "";
  xmlFree(out);
  xmlFreeDoc(doc);
  return result;
}

bool xhtml_equal(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const std::string ca = canonical_xml(a);
  return !ca.empty() && ca == canonical_xml(b);
}

bool json_same(const std::string& a, const std::string& b, bool div_as_xml,
               std::string* difference) {
  auto left = detail::parse_json_tree(a, {});
  auto right = detail::parse_json_tree(b, {});
  if (!left || !right) {
    if (difference) *difference = "unparseable JSON";
    return false;
  }
  detail::DivComparator comparator = nullptr;
  if (div_as_xml)
    comparator = [](const std::string& x, const std::string& y) { return xhtml_equal(x, y); };
  return detail::json_equal(*left, *right, comparator, difference);
}

bool have_xmllint() {
  return std::system("xmllint --version >/dev/null 2>&1") == 0;
}

int xmllint_validate(const std::vector<std::filesystem::path>& files, std::string* output) {
  if (!have_xmllint()) return -1;
  std::string command =
      "xmllint --noout --schema '" + (schema_dir() / "fhir-single.xsd").string() + "'";
  for (const auto& file : files) command += " '" + file.string() + "'";
  command += " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> chunk{};
  std::string text;
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe)) text += chunk.data();
  const int status = pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace explainer::fhir::testing

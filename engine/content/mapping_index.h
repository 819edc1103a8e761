// The finding ids that mappings/ defines, with the content each one points to, for
// checking content against mappings. Read from mappings/findings/*.json when that folder
// exists (top-level "findings": [{"id", "content_id" (default: id), "sensitivity"
// (optional)}]), else from mappings/finding-catalogue.tsv (id <TAB> title <TAB>
// sensitivity ...; '#' starts a comment; content_id = id).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/document.h"

namespace explainer::content {

struct MappedFinding {
  std::string id;
  std::string content_id;
  std::optional<Sensitivity> sensitivity;
  std::string file;  // where it is defined
  int line = 0;      // 1-based; 0 when unknown
};

struct MappingIndex {
  std::vector<MappedFinding> findings;   // in file order
  std::vector<ContentProblem> problems;  // unreadable files, malformed entries, duplicates
  std::string source;                    // the folder or file the ids came from

  const MappedFinding* find(std::string_view id) const;
};

MappingIndex load_mapping_index(const std::filesystem::path& mappings_dir);

}  // namespace explainer::content

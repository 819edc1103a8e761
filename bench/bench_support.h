// Shared inputs for the micro-benchmarks: repository paths, the radiology fixtures, a corpus of
// ~300-character impressions, a ~3 KB ORU message and synthetic rule directories.
//
// Everything here is deterministic (no randomness, no clock) so two runs measure the same work.
// Not thread-safe to call concurrently with itself; benchmarks call it once during setup.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "content/library.h"
#include "matching/rule_set.h"

namespace explainer::bench {

// Repository root (EXPLAINER_SOURCE_DIR at build time, or $EXPLAINER_SOURCE_DIR at run time).
std::filesystem::path source_dir();

std::string read_file(const std::filesystem::path& path);

struct NamedMessage {
  std::string name;
  std::string bytes;  // ER7, CR-terminated segments
};

// Every tests/fixtures/radiology/*.hl7 that is an ORU^R01 (sorted by name).
const std::vector<NamedMessage>& radiology_fixtures();

// A realistic radiology ORU^R01 of about `target_bytes` (an MRI lumbar spine report whose
// findings section is lengthened with further level-by-level TX lines; the impression is
// unchanged). Default 3 KB, the size issue 8 states.
std::string sized_oru(std::size_t target_bytes = 3 * 1024);

// Realistic impressions of about 300 characters each (mixed affirmed, negated, uncertain and
// historical mentions over spine, knee, chest, abdomen and brain).
const std::vector<std::string>& impressions_300();

// The shipped mappings and content, loaded once (aborts on a load error).
std::shared_ptr<const matching::RuleSet> shipped_rules();
std::shared_ptr<const content::ContentLibrary> shipped_content();

// Writes a mappings directory with `findings` synthetic findings (phrases made of real radiology
// words, so the trie walk on real impressions goes as deep as it would with real rules) plus the
// shipped normalization.json and assertion/lexicon.json. Returns the directory (under the system
// temp folder; reused when it exists already).
std::filesystem::path synthetic_mappings(std::size_t findings);

// Heap bytes in use now (glibc mallinfo2().uordblks + hblkhd).
std::size_t heap_in_use();
// Resident set size of this process now, in bytes (/proc/self/statm).
std::size_t rss_bytes();

}  // namespace explainer::bench

// Finding rules and assertion lexicon, loaded from mappings/ into an immutable,
// precompiled snapshot. See mappings/README.md for the file formats.
//
// Thread safety: a RuleSet is immutable after loading; share it freely between threads
// as std::shared_ptr<const RuleSet>. Loading is all-or-nothing: any error in any file
// yields no snapshot, so a failed reload can never half-apply.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "matching/assertion.h"
#include "matching/phrase_trie.h"

namespace explainer::matching {

enum class Sensitivity : std::uint8_t { kRoutine, kFollowUp, kSensitive };
std::string_view to_string(Sensitivity s);

// A coded concept ("http://snomed.info/sct", "60046008"). `system` is stored canonical
// (aliases such as "SCT" resolved through mappings/normalization.json).
struct Code {
  std::string system;
  std::string code;
};

struct Finding {
  std::string id;          // stable; equals the content library's document id
  std::string content_id;  // which content document explains it
  std::string display;
  Sensitivity sensitivity = Sensitivity::kRoutine;
  std::vector<std::string> modalities;    // canonical upper-case; empty = any
  std::vector<std::string> body_regions;  // canonical lower-case; empty = any
  std::vector<Code> codes;
  std::vector<std::string> phrases;  // as written in the file (before expansion)
  std::string source_file;
  int source_line = 0;
};

// A problem in a mappings file. `line` is 1-based; 0 when the problem is the whole file.
struct LoadError {
  std::string file;
  int line = 0;
  std::string reason;
};

class RuleSet;

struct LoadResult {
  std::shared_ptr<const RuleSet> rules;  // null when errors is non-empty
  std::vector<LoadError> errors;
  bool ok() const { return rules != nullptr && errors.empty(); }
};

// One input file, already read. `name` is what errors report.
struct SourceFile {
  std::string name;
  std::string text;
};

// One assertion-lexicon entry after loading.
struct Cue {
  std::string phrase;
  CueKind kind = CueKind::kTrigger;
  Assertion assertion = Assertion::kAffirmed;  // meaningful for kTrigger only
  CueDirection direction = CueDirection::kForward;
  std::uint16_t max_scope = 0;  // words between cue and mention; 0 = up to the clause end
};

// Phrase-level constraint: the phrase counts only when the context's value is KNOWN and
// listed (strict), unlike finding-level constraints which only exclude a known mismatch.
struct PhraseConstraint {
  std::vector<std::string> modalities;
  std::vector<std::string> body_regions;
};

// What a matched finding phrase points to.
struct PhraseTarget {
  // Finding index, or kExclusion for an "exclusions" phrase: it wins longest-match
  // (e.g. "subcutaneous emphysema" over "emphysema") but reports nothing.
  static constexpr std::uint32_t kExclusion = 0xFFFFFFFFu;
  std::uint32_t finding = 0;
  std::int32_t constraint = -1;  // index into phrase constraints, -1 = none
};

class RuleSet {
 public:
  // Reads DIR/normalization.json, DIR/assertion/lexicon.json and DIR/findings/*.json
  // (sorted by name).
  static LoadResult load_directory(const std::filesystem::path& dir);
  // Same from in-memory files (tests, embedded defaults).
  static LoadResult load_sources(const SourceFile& normalization, const SourceFile& lexicon,
                                 const std::vector<SourceFile>& finding_files);

  const std::vector<Finding>& findings() const { return findings_; }
  const Finding* find(std::string_view id) const;
  const std::vector<Cue>& cues() const { return cues_; }
  // "findings=<versions>;lexicon=<version>;sha=<16 hex of all file bytes>", for provenance.
  const std::string& version() const { return version_; }

  // ---- Compiled form, used by Matcher. Not a stable API. ----
  // Token id of a normalised word (0 = not in any rule; such tokens break phrases).
  std::uint32_t token_id(std::string_view normalised_word) const;
  // Canonical spelling of a word (plural/British variants -> canonical), for free targets.
  std::string_view canonical_word(std::string_view normalised_word) const;
  const PhraseTrie& finding_trie() const { return finding_trie_; }
  const PhraseTrie& cue_trie() const { return cue_trie_; }
  const std::vector<PhraseTarget>& phrase_targets() const { return phrase_targets_; }
  const std::vector<PhraseConstraint>& phrase_constraints() const { return phrase_constraints_; }
  // Canonical modality / body regions of a context value ("DX" -> "CR";
  // "Lumbar spine" -> {"spine"}). Empty input gives empty output.
  std::string canonical_modality(std::string_view modality) const;
  std::vector<std::string> canonical_regions(std::string_view region) const;
  std::string canonical_code_system(std::string_view system) const;
  // Findings carrying the code (canonical system + code).
  const std::vector<std::uint32_t>* findings_for_code(std::string_view canonical_system,
                                                      std::string_view code) const;

 private:
  friend class RuleSetBuilder;

  struct StringHash {
    using is_transparent = void;
    // FNV-1a: cheap for the short words this hashes.
    std::size_t operator()(std::string_view s) const noexcept {
      std::uint64_t h = 1469598103934665603ull;
      for (const char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
      }
      return static_cast<std::size_t>(h);
    }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  std::vector<Finding> findings_;
  StringMap<std::uint32_t> finding_index_;
  std::vector<Cue> cues_;
  StringMap<std::uint32_t> vocabulary_;
  StringMap<std::string> canonical_word_;
  PhraseTrie finding_trie_;
  PhraseTrie cue_trie_;
  std::vector<PhraseTarget> phrase_targets_;
  std::vector<PhraseConstraint> phrase_constraints_;
  StringMap<std::string> modality_alias_;  // upper-case alias -> canonical
  StringMap<std::string> region_alias_;    // lower-case alias -> canonical region
  StringMap<std::string> code_system_alias_;
  StringMap<std::vector<std::uint32_t>> code_index_;  // "system|code" -> findings
  std::string version_;
};

}  // namespace explainer::matching

// Token-id trie for phrase dictionaries (finding phrases, assertion cues).
// Lookups cost one hash probe per token, independent of the number of phrases.
// Immutable after building; safe for concurrent readers.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace explainer::matching {

class PhraseTrie {
 public:
  static constexpr std::uint32_t kRoot = 0;
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  PhraseTrie() : payloads_(1) {}

  // Adds a phrase (sequence of non-zero token ids) with a payload value.
  void insert(std::span<const std::uint32_t> tokens, std::uint32_t payload);

  // Child of `node` along token `id`, or kNone.
  std::uint32_t child(std::uint32_t node, std::uint32_t id) const {
    const auto it = edges_.find(edge_key(node, id));
    return it == edges_.end() ? kNone : it->second;
  }
  // Payloads of phrases ending at `node` (empty if none).
  const std::vector<std::uint32_t>& payloads(std::uint32_t node) const { return payloads_[node]; }
  std::size_t node_count() const { return payloads_.size(); }

 private:
  static std::uint64_t edge_key(std::uint32_t node, std::uint32_t id) {
    return (static_cast<std::uint64_t>(node) << 32) | id;
  }
  std::unordered_map<std::uint64_t, std::uint32_t> edges_;
  std::vector<std::vector<std::uint32_t>> payloads_;
};

}  // namespace explainer::matching

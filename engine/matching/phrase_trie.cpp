#include "matching/phrase_trie.h"

#include <algorithm>

namespace explainer::matching {

void PhraseTrie::insert(std::span<const std::uint32_t> tokens, std::uint32_t payload) {
  std::uint32_t node = kRoot;
  for (const std::uint32_t id : tokens) {
    const auto key = edge_key(node, id);
    const auto it = edges_.find(key);
    if (it != edges_.end()) {
      node = it->second;
      continue;
    }
    const auto next = static_cast<std::uint32_t>(payloads_.size());
    payloads_.emplace_back();
    edges_.emplace(key, next);
    node = next;
  }
  auto& here = payloads_[node];
  if (std::find(here.begin(), here.end(), payload) == here.end()) here.push_back(payload);
}

}  // namespace explainer::matching

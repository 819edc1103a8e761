// Cache of the encoded explanation OBX segments the V2 enricher writes (everything after OBX-1).
//
// Why: the explanation text is several KB; escaping it for the message's delimiters and
// converting it to its MSH-18 character set was most of the enrichment cost per message, yet the
// result depends only on (content snapshot, document, form, fallback note, delimiters, charset).
//
// Contract: an entry is built by the caller-supplied function the first time a key is seen and
// returned unchanged afterwards, so the output is byte for byte what the function gives. Entries
// belong to one content snapshot: the cache holds a reference to it (document pointers in keys
// therefore stay valid and are never reused), and presenting another snapshot empties the cache.
// The number of entries is bounded (kMaxEntries; the cache empties itself when full).
//
// Thread safety: get_or_build() may be called concurrently; the build function runs without the
// lock held (two threads may build the same entry; the first stored wins, both are identical).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "content/library.h"

namespace explainer::enrich {

class ExplanationObxCache {
 public:
  static constexpr std::size_t kMaxEntries = 4096;

  // `key` must identify everything the built text depends on apart from the snapshot.
  std::shared_ptr<const std::string> get_or_build(
      const std::shared_ptr<const content::ContentLibrary>& library, const std::string& key,
      const std::function<std::string()>& build);

  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const content::ContentLibrary> library_;  // snapshot the entries belong to
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;
};

}  // namespace explainer::enrich

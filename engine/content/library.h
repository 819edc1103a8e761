// The set of content documents the service serves, as an immutable snapshot, and a
// holder that swaps snapshots atomically on reload.
//
// Thread safety: a ContentLibrary never changes after load(), so any number of threads
// may call find() on it. Pointers returned by find() stay valid as long as the caller
// holds the shared_ptr of the snapshot they came from — keep the snapshot (from
// ContentLibraryHolder::current()) for the duration of one message.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "content/document.h"

namespace explainer::content {

class ContentLibrary {
 public:
  struct LoadResult {
    std::shared_ptr<const ContentLibrary> library;  // never null; holds every valid document
    std::vector<ContentProblem> problems;           // load errors and warnings
    bool ok() const;                                // no error among problems
  };

  // Loads content_dir/<lang>/*.md for every sub-folder <lang>. A document that fails to
  // parse, whose content_id differs from its file name, or whose language differs from
  // its folder is left out and reported; so is a missing or unreadable content_dir.
  static LoadResult load(const std::filesystem::path& content_dir);

  // Builds a snapshot from documents already in memory (later duplicates of the same
  // content_id and language are dropped).
  static std::shared_ptr<const ContentLibrary> from_documents(
      std::vector<ContentDocument> documents);

  struct Lookup {
    const ContentDocument* document = nullptr;  // null: not found in either language
    bool used_fallback = false;                 // true when found only in fallback_language
    explicit operator bool() const { return document != nullptr; }
  };

  // Exact language first ("es"), then its primary subtag ("es-MX" -> "es", case
  // insensitive), then fallback_language. Documents of every review status are returned;
  // the caller decides what to do with drafts and retired documents.
  Lookup find(std::string_view content_id, std::string_view language,
              std::string_view fallback_language = "en") const;

  // render_plain_text() / render_html_fragment() of `document`. For a document of this
  // snapshot (a pointer obtained from find() or documents()) the rendering is made once, when
  // the snapshot is built, and copied out; any other document is rendered on the spot. The
  // result is identical either way (renderings are pure functions of the document).
  std::string plain_text(const ContentDocument& document) const;
  std::string html_fragment(const ContentDocument& document) const;

  const std::vector<ContentDocument>& documents() const { return documents_; }
  std::size_t size() const { return documents_.size(); }
  std::vector<std::string> languages() const;

 private:
  ContentLibrary() = default;
  const ContentDocument* get(std::string_view content_id, std::string_view language) const;

  // Index of `document` in documents_, or npos when it is not one of ours.
  std::size_t index_of(const ContentDocument& document) const;

  std::vector<ContentDocument> documents_;
  std::vector<std::string> plain_text_;     // render_plain_text(documents_[i])
  std::vector<std::string> html_fragment_;  // render_html_fragment(documents_[i])
  std::map<std::pair<std::string, std::string>, std::size_t, std::less<>> index_;
};

// Holds the current snapshot. current() and reload() may be called from any threads.
class ContentLibraryHolder {
 public:
  // Starts with `initial`, or an empty library when null.
  explicit ContentLibraryHolder(std::shared_ptr<const ContentLibrary> initial = nullptr);

  std::shared_ptr<const ContentLibrary> current() const;

  // Loads content_dir; installs the new snapshot only when the load had no error. On
  // failure the previous snapshot stays current. Returns the load result either way.
  ContentLibrary::LoadResult reload(const std::filesystem::path& content_dir);

  void replace(std::shared_ptr<const ContentLibrary> library);

 private:
  // A mutex, not std::atomic<std::shared_ptr>: see matching/rule_holder.h.
  mutable std::mutex mutex_;
  std::shared_ptr<const ContentLibrary> current_;
};

}  // namespace explainer::content

#include "content/library.h"

#include <algorithm>
#include <functional>
#include <set>
#include <system_error>

#include "content/loader.h"
#include "content/render.h"

namespace explainer::content {
namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// Sorted for deterministic load order and problem order.
std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& dir,
                                                  bool directories, std::error_code& ec) {
  std::vector<std::filesystem::path> out;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (directories ? it->is_directory(type_ec) : it->is_regular_file(type_ec)) {
      out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool ContentLibrary::LoadResult::ok() const {
  return std::none_of(problems.begin(), problems.end(),
                      [](const ContentProblem& p) { return p.is_error(); });
}

ContentLibrary::LoadResult ContentLibrary::load(const std::filesystem::path& content_dir) {
  LoadResult result;
  std::vector<ContentDocument> documents;
  std::error_code ec;
  const auto language_dirs = sorted_entries(content_dir, true, ec);
  if (ec) {
    result.problems.push_back({ContentProblem::Severity::kError, content_dir.string(), 0,
                               "cannot read the content folder: " + ec.message()});
  }
  for (const auto& language_dir : language_dirs) {
    const std::string folder_language = language_dir.filename().string();
    std::error_code files_ec;
    for (const auto& file : sorted_entries(language_dir, false, files_ec)) {
      if (file.extension() != ".md") continue;
      auto loaded = load_document(file);
      result.problems.insert(result.problems.end(), loaded.problems.begin(), loaded.problems.end());
      if (!loaded.document) continue;
      ContentDocument& document = *loaded.document;
      if (document.content_id != file.stem().string()) {
        result.problems.push_back(
            {ContentProblem::Severity::kError, file.string(),
             document.field_lines.count("content_id") ? document.field_lines.at("content_id") : 0,
             "content_id '" + document.content_id +
                 "' differs from the file name; document not loaded"});
        continue;
      }
      if (document.language != folder_language) {
        result.problems.push_back(
            {ContentProblem::Severity::kError, file.string(),
             document.field_lines.count("language") ? document.field_lines.at("language") : 0,
             "language '" + document.language + "' differs from the folder '" + folder_language +
                 "'; document not loaded"});
        continue;
      }
      documents.push_back(std::move(document));
    }
    if (files_ec) {
      result.problems.push_back({ContentProblem::Severity::kError, language_dir.string(), 0,
                                 "cannot read the folder: " + files_ec.message()});
    }
  }
  result.library = from_documents(std::move(documents));
  return result;
}

std::shared_ptr<const ContentLibrary> ContentLibrary::from_documents(
    std::vector<ContentDocument> documents) {
  std::shared_ptr<ContentLibrary> library(new ContentLibrary());
  for (ContentDocument& document : documents) {
    auto key = std::make_pair(document.content_id, document.language);
    if (library->index_.count(key)) continue;
    library->index_.emplace(std::move(key), library->documents_.size());
    library->documents_.push_back(std::move(document));
  }
  library->plain_text_.reserve(library->documents_.size());
  library->html_fragment_.reserve(library->documents_.size());
  for (const ContentDocument& document : library->documents_) {
    library->plain_text_.push_back(render_plain_text(document));
    library->html_fragment_.push_back(render_html_fragment(document));
  }
  return library;
}

std::size_t ContentLibrary::index_of(const ContentDocument& document) const {
  // std::less: a total order even for pointers into different objects.
  const std::less<const ContentDocument*> before;
  if (documents_.empty() || before(&document, documents_.data()) ||
      !before(&document, documents_.data() + documents_.size())) {
    return std::string::npos;
  }
  return static_cast<std::size_t>(&document - documents_.data());
}

std::string ContentLibrary::plain_text(const ContentDocument& document) const {
  const std::size_t i = index_of(document);
  return i == std::string::npos ? render_plain_text(document) : plain_text_[i];
}

std::string ContentLibrary::html_fragment(const ContentDocument& document) const {
  const std::size_t i = index_of(document);
  return i == std::string::npos ? render_html_fragment(document) : html_fragment_[i];
}

const ContentDocument* ContentLibrary::get(std::string_view content_id,
                                           std::string_view language) const {
  auto it = index_.find(std::make_pair(std::string(content_id), std::string(language)));
  return it == index_.end() ? nullptr : &documents_[it->second];
}

ContentLibrary::Lookup ContentLibrary::find(std::string_view content_id, std::string_view language,
                                            std::string_view fallback_language) const {
  if (const ContentDocument* document = get(content_id, language)) return {document, false};
  const std::string primary = lower_ascii(language.substr(0, language.find_first_of("-_")));
  if (primary != language) {
    if (const ContentDocument* document = get(content_id, primary)) return {document, false};
  }
  if (!fallback_language.empty() && fallback_language != primary) {
    if (const ContentDocument* document = get(content_id, fallback_language)) {
      return {document, true};
    }
  }
  return {};
}

std::vector<std::string> ContentLibrary::languages() const {
  std::set<std::string> languages;
  for (const ContentDocument& document : documents_) languages.insert(document.language);
  return {languages.begin(), languages.end()};
}

ContentLibraryHolder::ContentLibraryHolder(std::shared_ptr<const ContentLibrary> initial)
    : current_(initial ? std::move(initial) : ContentLibrary::from_documents({})) {}

std::shared_ptr<const ContentLibrary> ContentLibraryHolder::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

ContentLibrary::LoadResult ContentLibraryHolder::reload(const std::filesystem::path& content_dir) {
  ContentLibrary::LoadResult result = ContentLibrary::load(content_dir);
  if (result.ok()) {
    std::lock_guard lock(mutex_);
    current_ = result.library;
  }
  return result;
}

void ContentLibraryHolder::replace(std::shared_ptr<const ContentLibrary> library) {
  if (!library) return;
  std::lock_guard lock(mutex_);
  current_ = std::move(library);
}

}  // namespace explainer::content

// A small tmpfs for the disk-full tests (needs root or CAP_SYS_ADMIN; callers skip the test,
// saying so, where mounting is not allowed).
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace explainer::fault {

// A tmpfs of `size` mounted on `dir` for the object's lifetime.
class SmallFilesystem {
 public:
  SmallFilesystem(std::string dir, const std::string& size) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string options = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

  // Writes a file until the filesystem is full; returns the bytes written.
  std::size_t fill(const std::string& name) {
    std::FILE* f = std::fopen((dir_ + "/" + name).c_str(), "wb");
    if (f == nullptr) return 0;
    std::setvbuf(f, nullptr, _IONBF, 0);
    const std::string block(4096, 'z');
    std::size_t written = 0;
    for (;;) {
      const std::size_t n = std::fwrite(block.data(), 1, block.size(), f);
      written += n;
      if (n < block.size()) break;
    }
    std::fclose(f);
    return written;
  }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace explainer::fault

#include "delivery/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace explainer::delivery {

namespace {

std::string padded(std::int64_t id) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%012lld", static_cast<long long>(id));
  return buffer;
}

core::DeliveryOutcome io_failure(const char* step, int error) {
  return core::DeliveryOutcome::retry(std::string("file sink ") + step + ": " +
                                      std::strerror(error));
}

// Closes the descriptor on scope exit unless released.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

bool write_all(int fd, const std::string& bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

FileSink::FileSink(FileSinkOptions options) : options_(std::move(options)) {
  if (options_.create_directory) std::filesystem::create_directories(options_.directory);
}

std::filesystem::path FileSink::path_for(const DeliveryItem& item) const {
  return options_.directory /
         (padded(item.message_id) + "-" + padded(item.outbox_id) + options_.extension);
}

core::DeliveryOutcome FileSink::deliver(const DeliveryItem& item) {
  const std::filesystem::path final_path = path_for(item);
  const std::filesystem::path temp_path =
      options_.directory / ("." + final_path.filename().string() + ".tmp");

  FileDescriptor file(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (file.get() < 0) return io_failure("open", errno);
  if (!write_all(file.get(), item.payload)) {
    const int error = errno;
    ::unlink(temp_path.c_str());
    return io_failure("write", error);
  }
  if (::fsync(file.get()) != 0) {
    const int error = errno;
    ::unlink(temp_path.c_str());
    return io_failure("fsync", error);
  }
  if (::close(file.release()) != 0) {
    const int error = errno;
    ::unlink(temp_path.c_str());
    return io_failure("close", error);
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_path.c_str());
    return io_failure("rename", error);
  }
  FileDescriptor folder(::open(options_.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() < 0) return io_failure("open folder", errno);
  if (::fsync(folder.get()) != 0) return io_failure("fsync folder", errno);
  return core::DeliveryOutcome::delivered();
}

}  // namespace explainer::delivery

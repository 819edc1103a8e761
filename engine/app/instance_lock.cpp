#include "app/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace explainer::app {

std::unique_ptr<InstanceLock> InstanceLock::acquire(const std::string& lock_path,
                                                    std::string* error) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot create the lock file " + lock_path + ": " + std::strerror(errno);
    return nullptr;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    char holder[32] = {};
    const ssize_t n = ::pread(fd, holder, sizeof(holder) - 1, 0);
    std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    ::close(fd);
    if (lock_errno == EWOULDBLOCK) {
      *error = "another explainerd" + (pid.empty() ? std::string() : " (pid " + pid + ")") +
               " is using this SQLite store (lock " + lock_path +
               "); two instances on one SQLite file would each deliver every message. To run "
               "several instances, use store.backend = postgres";
    } else {
      *error = "cannot lock " + lock_path + ": " + std::strerror(lock_errno);
    }
    return nullptr;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for the message; the lock itself is held.
  }
  return std::unique_ptr<InstanceLock>(new InstanceLock(fd));
}

InstanceLock::~InstanceLock() {
  ::close(fd_);  // releases the flock
}

}  // namespace explainer::app

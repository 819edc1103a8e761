#include "transport/socket_wait.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketImpl.h>
#include <poll.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

namespace explainer::transport {

bool wait_readable(const Poco::Net::Socket& socket, const Poco::Timespan& timeout) {
  pollfd entry{};
  entry.fd = socket.impl()->sockfd();
  entry.events = POLLIN;
  // Round up to whole milliseconds so a short remaining time does not become a busy loop.
  const Poco::Timespan::TimeDiff micros = timeout.totalMicroseconds();
  const long long millis = micros <= 0 ? 0 : (micros + 999) / 1000;
  const int rc = ::poll(&entry, 1, millis > INT_MAX ? INT_MAX : static_cast<int>(millis));
  if (rc < 0) {
    if (errno == EINTR) return false;
    throw Poco::Net::NetException("poll failed", std::string(std::strerror(errno)), errno);
  }
  return rc > 0;
}

}  // namespace explainer::transport

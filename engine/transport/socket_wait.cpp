#include "transport/socket_wait.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketImpl.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <string>

namespace explainer::transport {

bool wait_readable(const Poco::Net::Socket& socket, const Poco::Timespan& timeout) {
  using Clock = std::chrono::steady_clock;
  pollfd entry{};
  entry.fd = socket.impl()->sockfd();
  entry.events = POLLIN;
  // Clamped to [0, one day] so the deadline arithmetic cannot overflow.
  constexpr Poco::Timespan::TimeDiff kMaxMicros = 86'400LL * 1'000'000;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::microseconds(std::clamp<Poco::Timespan::TimeDiff>(
                         timeout.totalMicroseconds(), 0, kMaxMicros));
  for (;;) {
    // Round up to whole milliseconds so a short remaining time does not become a busy loop.
    const long long micros =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    const long long millis = micros <= 0 ? 0 : (micros + 999) / 1000;
    const int rc = ::poll(&entry, 1, millis > INT_MAX ? INT_MAX : static_cast<int>(millis));
    if (rc >= 0) return rc > 0;
    // Interrupted by a signal: wait for the rest of the time, as Poco does.
    if (errno != EINTR) {
      throw Poco::Net::NetException("poll failed", std::string(std::strerror(errno)), errno);
    }
  }
}

}  // namespace explainer::transport

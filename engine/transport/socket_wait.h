// Waiting for a socket to become readable with one poll(2) call.
//
// Poco 1.12's Socket::poll() creates, fills and closes an epoll instance on every call (four
// system calls); the MLLP connection and client poll once or twice per message, so that was a
// visible share of the network path. wait_readable() gives the same answer with one poll(2).
//
// Thread safety: as for the socket itself (one thread polls a given socket at a time).
#pragma once

#include <Poco/Net/Socket.h>
#include <Poco/Timespan.h>

namespace explainer::transport {

// True when `socket` is readable, at end of file, reset or in error within `timeout` — exactly
// when Poco::Net::Socket::poll(timeout, SELECT_READ) or poll(timeout, SELECT_READ | SELECT_ERROR)
// is true (poll(2) always reports errors and hang-ups). False on timeout. A wait interrupted by a
// signal goes on for the rest of the time, as Poco's does. Throws Poco::Net::NetException for any
// other poll(2) failure, as Poco does.
bool wait_readable(const Poco::Net::Socket& socket, const Poco::Timespan& timeout);

}  // namespace explainer::transport

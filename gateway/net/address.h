// Socket addresses as the transport reports them, and host:port resolution.
// Plain values; thread-compatible.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "gateway/core/result.h"

namespace fixgw::net {

// A peer's address as the kernel gave it (accept, getpeername): numeric IP
// text ("127.0.0.1", "::1") and port.
struct PeerAddress {
  std::string ip;
  std::uint16_t port = 0;
  // "127.0.0.1:5001", "[::1]:5001".
  std::string ToString() const;
};

PeerAddress PeerAddressOf(const sockaddr_storage& address);

// A resolved endpoint, ready for bind() or connect().
struct Endpoint {
  sockaddr_storage address{};
  socklen_t size = 0;
};

// `host` is an IPv4/IPv6 literal or a name (resolved with getaddrinfo,
// which may block: call it at start-up, not on a busy loop); the first
// address returned is used. An empty host is an error: nothing binds every
// interface unless told to with "0.0.0.0" or "::". Errors are one line:
// "cannot resolve nosuch.example:5001: Name or service not known".
Result<Endpoint> Resolve(const std::string& host, std::uint16_t port);

// "host:port", "[v6]:port" for error messages.
std::string HostPort(const std::string& host, std::uint16_t port);

}  // namespace fixgw::net

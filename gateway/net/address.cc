#include "gateway/net/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

namespace fixgw::net {

std::string HostPort(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string PeerAddress::ToString() const { return HostPort(ip, port); }

PeerAddress PeerAddressOf(const sockaddr_storage& address) {
  PeerAddress peer;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &address, sizeof v4);
    if (::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text) != nullptr) {
      peer.ip = text;
    }
    peer.port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &address, sizeof v6);
    if (::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text) != nullptr) {
      peer.ip = text;
    }
    peer.port = ntohs(v6.sin6_port);
  }
  if (peer.ip.empty()) peer.ip = "unknown";
  return peer;
}

Result<Endpoint> Resolve(const std::string& host, std::uint16_t port) {
  if (host.empty()) {
    return Status::InvalidArgument("no host given for port " +
                                   std::to_string(port) +
                                   " (write 0.0.0.0 to mean every interface)");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status::InvalidArgument("cannot resolve " + HostPort(host, port) +
                                   ": " + ::gai_strerror(rc));
  }
  Endpoint endpoint;
  std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
  endpoint.size = found->ai_addrlen;
  ::freeaddrinfo(found);
  return endpoint;
}

}  // namespace fixgw::net

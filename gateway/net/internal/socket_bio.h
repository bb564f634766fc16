// An OpenSSL BIO over a connected socket that writes with
// send(MSG_NOSIGNAL). OpenSSL's own socket BIO writes with write(2), which
// raises SIGPIPE (ending the process) when the peer has closed and reset:
// a hostile TLS peer could stop the gateway that way. Reads, control and
// lifetime are the standard socket BIO's. The BIO never closes the fd.
// Thread-safety: the method table is built once (thread-safe static); each
// BIO belongs to one SSL object.
#pragma once

#include <openssl/bio.h>

namespace fixgw::net::internal {

// A new BIO on `fd` (not owned), or nullptr (OpenSSL's error queue says why).
BIO* NewSocketBio(int fd);

}  // namespace fixgw::net::internal

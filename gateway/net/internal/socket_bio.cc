#include "gateway/net/internal/socket_bio.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace fixgw::net::internal {
namespace {

int SocketOf(BIO* bio) {
  return static_cast<int>(BIO_ctrl(bio, BIO_C_GET_FD, 0, nullptr));
}

// As OpenSSL's sock_write, with MSG_NOSIGNAL.
int Write(BIO* bio, const char* data, int size) {
  errno = 0;
  const ssize_t n =
      ::send(SocketOf(bio), data, static_cast<std::size_t>(size < 0 ? 0 : size),
             MSG_NOSIGNAL);
  BIO_clear_retry_flags(bio);
  if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n)) != 0) {
    BIO_set_retry_write(bio);
  }
  return static_cast<int>(n);
}

int Puts(BIO* bio, const char* text) {
  return Write(bio, text, static_cast<int>(std::strlen(text)));
}

BIO_METHOD* BuildMethod() {
  const BIO_METHOD* socket = BIO_s_socket();
  BIO_METHOD* method = BIO_meth_new(
      BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
      "fixgw socket (MSG_NOSIGNAL)");
  if (method == nullptr) return nullptr;
  if (BIO_meth_set_write(method, &Write) != 1 ||
      BIO_meth_set_puts(method, &Puts) != 1 ||
      BIO_meth_set_read(method, BIO_meth_get_read(socket)) != 1 ||
      BIO_meth_set_ctrl(method, BIO_meth_get_ctrl(socket)) != 1 ||
      BIO_meth_set_create(method, BIO_meth_get_create(socket)) != 1 ||
      BIO_meth_set_destroy(method, BIO_meth_get_destroy(socket)) != 1) {
    BIO_meth_free(method);
    return nullptr;
  }
  return method;
}

}  // namespace

BIO* NewSocketBio(int fd) {
  // Built once, kept for the life of the process.
  static BIO_METHOD* const method = BuildMethod();
  if (method == nullptr) return nullptr;
  BIO* bio = BIO_new(method);
  if (bio == nullptr) return nullptr;
  BIO_set_fd(bio, fd, BIO_NOCLOSE);
  return bio;
}

}  // namespace fixgw::net::internal

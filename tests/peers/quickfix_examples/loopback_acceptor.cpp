// Linked into the QuickFIX example programs by build.sh (our code, not
// QuickFIX's). QuickFIX 1.15.1's C++ SocketAcceptor has no SocketAcceptHost
// setting: its FIX::socket_createAcceptor() binds INADDR_ANY. libquickfix
// calls that function through its PLT, so this definition in the executable
// (exported with --export-dynamic-symbol) takes its place and the examples
// listen on 127.0.0.1 only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace FIX {
int socket_createAcceptor(int port, bool reuse) {
  int fd = ::socket(PF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (reuse) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<unsigned short>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0 ||
      ::listen(fd, SOMAXCONN) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}
}  // namespace FIX

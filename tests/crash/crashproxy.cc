// crashproxy: a TCP proxy on 127.0.0.1 for the crash battery
// (scripts/crashtest.sh) that cuts connections in the middle of a FIX
// message.
//
//   crashproxy --listen PORT --connect PORT [--name NAME]
//
// Every connection accepted on 127.0.0.1:--listen is relayed to
// 127.0.0.1:--connect (if that refuses, the accepted one is closed). On
// SIGUSR1 the next chunk of bytes read on any relayed connection, in either
// direction, is forwarded only up to the middle of its first FIX message
// (never a whole message), and then both sides of that connection are
// closed: the receiver holds half a message and a dead socket, the sender
// a message it believes written. SIGTERM or SIGINT ends the proxy. Each
// cut is reported on stderr as one line starting "crashproxy NAME: cut".
//
// One thread, blocking writes (loopback), poll() with a 50 ms tick so that
// signals are noticed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tests/crash/cut_point.h"

namespace {

volatile sig_atomic_t g_cut_requests = 0;
volatile sig_atomic_t g_stop = 0;

void OnCut(int) { g_cut_requests = g_cut_requests + 1; }
void OnStop(int) { g_stop = 1; }

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

struct Pair {
  int down = -1;  // accepted (the initiator's side)
  int up = -1;    // towards --connect
  int id = 0;
};

int Usage() {
  std::fputs(
      "usage: crashproxy --listen PORT --connect PORT [--name NAME]\n"
      "  relays 127.0.0.1:LISTEN to 127.0.0.1:CONNECT; SIGUSR1 cuts the next\n"
      "  chunk in the middle of a FIX message and closes that connection\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int listen_port = 0;
  int connect_port = 0;
  std::string name = "proxy";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage();
    if (arg == "--listen") {
      listen_port = std::atoi(argv[++i]);
    } else if (arg == "--connect") {
      connect_port = std::atoi(argv[++i]);
    } else if (arg == "--name") {
      name = argv[++i];
    } else {
      return Usage();
    }
  }
  if (listen_port <= 0 || listen_port > 65535 || connect_port <= 0 ||
      connect_port > 65535) {
    return Usage();
  }

  struct sigaction sa {};
  sa.sa_handler = OnCut;
  sigaction(SIGUSR1, &sa, nullptr);
  sa.sa_handler = OnStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = Loopback(listen_port);
  if (listener < 0 ||
      bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 16) != 0) {
    std::fprintf(stderr, "crashproxy %s: cannot listen on 127.0.0.1:%d: %s\n",
                 name.c_str(), listen_port, std::strerror(errno));
    return 2;
  }
  std::fprintf(stderr, "crashproxy %s: 127.0.0.1:%d -> 127.0.0.1:%d\n",
               name.c_str(), listen_port, connect_port);

  std::vector<Pair> pairs;
  int next_id = 0;
  int cuts = 0;
  sig_atomic_t cuts_seen = 0;
  bool cut_pending = false;
  std::vector<char> buffer(64 * 1024);

  auto close_pair = [&](size_t i) {
    close(pairs[i].down);
    close(pairs[i].up);
    pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
  };

  while (!g_stop) {
    if (g_cut_requests != cuts_seen) {
      cuts_seen = g_cut_requests;
      cut_pending = true;
    }
    std::vector<pollfd> fds;
    fds.push_back({listener, POLLIN, 0});
    for (const Pair& p : pairs) {
      fds.push_back({p.down, POLLIN, 0});
      fds.push_back({p.up, POLLIN, 0});
    }
    int ready = poll(fds.data(), fds.size(), 50);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const size_t polled_pairs = pairs.size();

    if (fds[0].revents & POLLIN) {
      int down = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (down >= 0) {
        int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in target = Loopback(connect_port);
        if (up < 0 || connect(up, reinterpret_cast<sockaddr*>(&target),
                              sizeof target) != 0) {
          if (up >= 0) close(up);
          close(down);
        } else {
          setsockopt(down, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          pairs.push_back({down, up, ++next_id});
        }
      }
    }
    // Pairs in the order polled (one accepted just now is appended after
    // them); a closed pair ends this round (indices shift), the rest is
    // picked up by the next poll.
    for (size_t i = 0; i < polled_pairs; ++i) {
      const short down_events = fds[1 + 2 * i].revents;
      const short up_events = fds[2 + 2 * i].revents;
      bool closed = false;
      for (int side = 0; side < 2 && !closed; ++side) {
        short events = side == 0 ? down_events : up_events;
        if (!(events & (POLLIN | POLLHUP | POLLERR))) continue;
        int from = side == 0 ? pairs[i].down : pairs[i].up;
        int to = side == 0 ? pairs[i].up : pairs[i].down;
        ssize_t n = read(from, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          closed = true;
          break;
        }
        std::string_view chunk(buffer.data(), static_cast<size_t>(n));
        if (cut_pending) {
          size_t keep = fixgw::crash::CutPoint(chunk);
          WriteAll(to, chunk.data(), keep);
          ++cuts;
          cut_pending = false;
          std::fprintf(
              stderr,
              "crashproxy %s: cut connection %d %s: forwarded %zu of "
              "%zu bytes\n",
              name.c_str(), pairs[i].id,
              side == 0 ? "downstream->upstream" : "upstream->downstream", keep,
              chunk.size());
          closed = true;
          break;
        }
        if (!WriteAll(to, chunk.data(), chunk.size())) closed = true;
      }
      if (closed) {
        close_pair(i);
        break;
      }
    }
  }
  for (size_t i = pairs.size(); i > 0; --i) close_pair(i - 1);
  close(listener);
  std::fprintf(stderr, "crashproxy %s: stopped after %d cut(s)\n", name.c_str(),
               cuts);
  return 0;
}

#include "gateway/net/listener.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace fixgw::net {
namespace {

// Out of fds or memory: accept() would fail again at once, and the socket
// stays readable (level-triggered), so back off instead of spinning.
constexpr std::chrono::milliseconds kErrorPause{100};

}  // namespace

Result<std::unique_ptr<Listener>> Listener::Listen(
    EventLoop& loop, const ListenOptions& options,
    ListenerCallbacks callbacks) {
  const std::string where = HostPort(options.host, options.port);
  auto fail = [&](const std::string& why) {
    return Status::Unavailable("cannot listen on " + where + ": " + why);
  };
  auto endpoint = Resolve(options.host, options.port);
  if (!endpoint.ok()) return fail(endpoint.status().message());

  UniqueFd fd(::socket(endpoint->address.ss_family,
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return fail(std::strerror(errno));
  // A restarted gateway rebinds while old connections sit in TIME_WAIT.
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    return fail(std::strerror(errno));
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint->address),
             endpoint->size) != 0) {
    return fail(std::strerror(errno));
  }
  if (::listen(fd.get(), options.backlog) != 0) {
    return fail(std::strerror(errno));
  }
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &size) !=
      0) {
    return fail(std::strerror(errno));
  }
  const std::uint16_t port = PeerAddressOf(bound).port;

  std::unique_ptr<Listener> listener(new Listener(
      loop, std::move(fd), options.host, port, options, std::move(callbacks)));
  Listener* self = listener.get();
  if (Status st = loop.Add(self->fd_.get(), EventLoop::kRead,
                           [self](std::uint32_t) { self->OnReadable(); });
      !st.ok()) {
    return fail(st.message());
  }
  return listener;
}

Listener::Listener(EventLoop& loop, UniqueFd fd, std::string host,
                   std::uint16_t port, ListenOptions options,
                   ListenerCallbacks callbacks)
    : loop_(loop),
      fd_(std::move(fd)),
      host_(std::move(host)),
      port_(port),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)) {}

Listener::~Listener() {
  if (resume_timer_ != 0) loop_.Cancel(resume_timer_);
  loop_.Remove(fd_.get());
}

void Listener::PauseAfterError() {
  (void)loop_.Modify(fd_.get(), 0);
  resume_timer_ = loop_.ScheduleAfter(kErrorPause, [this] {
    resume_timer_ = 0;
    (void)loop_.Modify(fd_.get(), EventLoop::kRead);
  });
}

void Listener::OnReadable() {
  // A callback may destroy this listener; then stop touching it.
  const std::weak_ptr<int> alive = alive_;
  for (int i = 0; i < options_.max_accepts_per_turn; ++i) {
    sockaddr_storage peer_address{};
    socklen_t size = sizeof peer_address;
    UniqueFd socket(::accept4(fd_.get(),
                              reinterpret_cast<sockaddr*>(&peer_address), &size,
                              SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!socket) {
      const int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      // The peer gave up before we accepted, or a signal: nothing to report.
      if (error == ECONNABORTED || error == EINTR || error == EPROTO) continue;
      if (callbacks_.on_error) {
        callbacks_.on_error(Status::Unavailable("accept on " + address() +
                                                ": " + std::strerror(error)));
        if (alive.expired()) return;
      }
      PauseAfterError();
      return;
    }
    const PeerAddress peer = PeerAddressOf(peer_address);
    std::optional<std::string> refusal;
    if (callbacks_.admit) refusal = callbacks_.admit(peer);
    if (refusal) {
      socket.Reset();  // closed before a single byte is read
      if (callbacks_.on_refuse) callbacks_.on_refuse(peer, *refusal);
      if (alive.expired()) return;
      continue;
    }
    if (callbacks_.on_accept) {
      callbacks_.on_accept(std::move(socket), peer);
      if (alive.expired()) return;
    }
  }
}

}  // namespace fixgw::net

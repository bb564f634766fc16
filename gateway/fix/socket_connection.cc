// Replacements for three functions of QuickFIX 1.15.1's threaded plain-TCP
// connections, linked into every program that runs an acceptor (fixgw,
// fixsim), that bound what one hostile peer can hold (issue 10). The limits
// are in connection_limits.h.
//
// ThreadedSocketConnection::read() — the connection thread's loop body.
//   The library's version buffers bytes without bound until they frame a
//   message, applies no timeout before the first message names a session,
//   and calls Session::next() (heartbeats, timeouts) only after a second
//   with no input at all. This one drops a connection that sends
//   kMaxBytesBeforeFirstMessage bytes, or takes longer than the LogonTimeout
//   of its port's sessions, without completing its first message; drops a
//   session's connection after kMaxBytesPerMessage bytes without a complete
//   message; and ticks the session once a second even while bytes arrive, so
//   a peer that dribbles bytes meets its heartbeat timeout. Framing, session
//   lookup and dispatch are otherwise as in the library.
// ThreadedSocketConnection::send() — called under the session's lock. The
//   library's version blocks in send(2) for as long as the peer does not
//   read, holding that lock (so no timeout of that session can fire), and
//   after a partial send passes the whole length again from the new offset
//   (reading past the end of the message). This one sends without blocking
//   and waits for the socket at most kSendStallTimeout without progress;
//   then it aborts the connection (RST, the unsent bytes are dropped) and
//   the connection's own thread disconnects the session.
// ThreadedSocketAcceptor::socketConnectionThread() — the library's version
//   closes the socket before it removes its thread from the acceptor's
//   table, keyed by socket number: when accept() reuses the number in
//   between, the new connection's entry replaces the old one and the old
//   thread is never joined nor detached. Every such thread kept its stack
//   and thread block (about 7 KB resident) for the life of the process
//   (connection churn). This one removes the entry that holds its own thread
//   id and detaches itself if none does.
//
// How they take effect: libquickfix.so reaches read() through its PLT,
// send() through the vtable (a symbol relocation) and socketConnectionThread
// through its GOT, so a definition in the executable preempts the library's
// (ELF symbol interposition). This file must therefore be a source of the
// executable itself, like lookup_session.cc. tests/hostile_peer_test.cc
// checks each behaviour against a running fixgw. TLS connections
// (ThreadedSSLSocketConnection) are a different class and not covered.
//
// Threading: read() and socketConnectionThread() run on the connection's
// own thread (one thread per connection, so read()'s state is
// thread_local); send() runs on whichever thread sends, under the session
// lock. Nothing here throws out of a QuickFIX entry point.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <set>
#include <string>

#include "gateway/fix/connection_limits.h"
#include "gateway/fix/quickfix.h"

namespace {

using Clock = std::chrono::steady_clock;
using fixgw::fix::kDefaultFirstMessageTimeout;
using fixgw::fix::kMaxBytesBeforeFirstMessage;
using fixgw::fix::kMaxBytesPerMessage;
using fixgw::fix::kSendStallTimeout;
using std::chrono::milliseconds;

constexpr milliseconds kTick{1000};  // as the library's select() timeout

// The reading state of the connection served by this thread.
struct ReadState {
  const FIX::ThreadedSocketConnection* connection = nullptr;
  Clock::time_point opened;
  Clock::time_point last_tick;
  Clock::duration first_message_timeout{};
  // Bytes received since the last complete message: the framer holds at
  // most this plus one recv() (BUFSIZ) of bytes.
  std::size_t unframed = 0;
};

thread_local ReadState t_read;

// Connections whose send stalled (aborted by send(), on another thread)
// and whose own thread has not yet returned false from read(). Keyed by
// address; an entry is removed before the connection is deleted.
std::mutex& AbortedMutex() {
  static std::mutex mu;
  return mu;
}
std::set<const void*>& Aborted() {
  static std::set<const void*> aborted;
  return aborted;
}

bool IsAborted(const void* connection) {
  std::lock_guard lock(AbortedMutex());
  return Aborted().count(connection) != 0;
}

void ForgetAborted(const void* connection) {
  std::lock_guard lock(AbortedMutex());
  Aborted().erase(connection);
}

// The peer's IP address as text, or "unknown address".
std::string PeerAddress(int socket) {
  sockaddr_storage peer{};
  socklen_t size = sizeof peer;
  if (getpeername(socket, reinterpret_cast<sockaddr*>(&peer), &size) != 0) {
    return "unknown address";
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* address =
      peer.ss_family == AF_INET6
          ? static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr)
          : static_cast<const void*>(
                &reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr);
  if (inet_ntop(peer.ss_family, address, text, sizeof text) == nullptr) {
    return "unknown address";
  }
  return text;
}

long long Seconds(Clock::duration d) {
  return static_cast<long long>(
      std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

}  // namespace

namespace FIX {

bool ThreadedSocketConnection::read() {
  ReadState& state = t_read;
  const Clock::time_point now = Clock::now();
  if (state.connection != this) {
    state = ReadState{};
    state.connection = this;
    state.opened = now;
    state.last_tick = now;
    // The sessions this port serves: the longest LogonTimeout among them.
    int timeout_s = 0;
    for (const SessionID& id : m_sessions) {
      if (Session* session = Session::lookupSession(id)) {
        timeout_s = std::max(timeout_s, session->getLogonTimeout());
      }
    }
    state.first_message_timeout =
        timeout_s > 0 ? Clock::duration(std::chrono::seconds(timeout_s))
                      : Clock::duration(kDefaultFirstMessageTimeout);
  }

  // Ends the connection for `why`; the session's log says why if there is a
  // session, the acceptor's otherwise, naming the peer (fixgw journals
  // that event as a refused connection: gateway/fixgw/denial_watch.cc).
  auto drop = [&](const std::string& why) {
    if (!m_disconnect) {
      if (m_pSession != nullptr) {
        if (!why.empty()) m_pSession->getLog()->onEvent(why);
        m_pSession->disconnect();
      } else {
        if (m_pLog != nullptr && !why.empty()) {
          m_pLog->onEvent("Connection from " + PeerAddress(m_socket) +
                          " dropped before any session: " + why);
        }
        disconnect();
      }
    }
    // Only now: Session::disconnect() took the session lock and let go of
    // this connection, so no send() can mark it aborted again (a mark left
    // behind would drop the next connection allocated at this address).
    ForgetAborted(this);
    return false;
  };

  try {
    if (IsAborted(this)) {
      return drop("Disconnecting: the peer has not read for " +
                  std::to_string(Seconds(kSendStallTimeout)) + " s");
    }
    Clock::duration wait = kTick;
    if (m_pSession == nullptr) {
      const Clock::duration left =
          state.opened + state.first_message_timeout - now;
      if (left <= Clock::duration::zero()) {
        return drop("Disconnecting: no complete message within " +
                    std::to_string(Seconds(state.first_message_timeout)) +
                    " s of connecting (" + std::to_string(state.unframed) +
                    " bytes received)");
      }
      wait = std::min(wait, left);
    }

    pollfd ready{m_socket, POLLIN, 0};
    const int waited =
        poll(&ready, 1,
             static_cast<int>(std::chrono::ceil<milliseconds>(wait).count()));
    if (waited < 0 && errno != EINTR) {
      return drop("Socket error: poll failed");
    }
    if (waited > 0) {
      const ssize_t size = recv(m_socket, m_buffer, sizeof m_buffer, 0);
      if (size == 0) return drop("Connection closed by the peer");
      if (size < 0) {
        if (errno != EINTR && errno != EAGAIN) {
          return drop("Socket error: recv failed");
        }
      } else {
        state.unframed += static_cast<std::size_t>(size);
        m_parser.addToStream(m_buffer, static_cast<std::size_t>(size));
      }
    }

    if (m_pSession != nullptr && Clock::now() - state.last_tick >= kTick) {
      state.last_tick = Clock::now();
      m_pSession->next();  // heartbeats and timeouts, also under input
      if (m_disconnect) return drop("");
    }

    std::string message;
    for (;;) {
      bool framed = false;
      try {
        framed = m_parser.readFixMessage(message);
      } catch (const MessageParseError&) {
        // A BodyLength that is no number; the framer dropped those bytes.
        if (m_pSession == nullptr) {
          return drop(
              "Disconnecting: the first message has a BodyLength "
              "that is not a number");
        }
        m_pSession->getLog()->onEvent(
            "Discarded bytes with a BodyLength that is not a number");
        continue;
      }
      if (!framed) break;
      state.unframed = 0;
      if (m_pSession == nullptr && !setSession(message)) {
        return drop("");  // setSession logged why
      }
      if (IsAborted(this)) {
        return drop("Disconnecting: the peer has not read for " +
                    std::to_string(Seconds(kSendStallTimeout)) + " s");
      }
      try {
        m_pSession->next(message, UtcTimeStamp());
      } catch (const InvalidMessage&) {
        if (!m_pSession->isLoggedOn()) return drop("");
      }
      if (m_disconnect) return drop("");
    }

    if (m_pSession == nullptr && state.unframed > kMaxBytesBeforeFirstMessage) {
      return drop("Disconnecting: " + std::to_string(state.unframed) +
                  " bytes received without a complete first message (limit " +
                  std::to_string(kMaxBytesBeforeFirstMessage) + ")");
    }
    if (m_pSession != nullptr && state.unframed > kMaxBytesPerMessage) {
      return drop("Disconnecting: " + std::to_string(state.unframed) +
                  " bytes received without a complete message (limit " +
                  std::to_string(kMaxBytesPerMessage) + ")");
    }
    return true;
  } catch (const std::exception& e) {
    // The library lets such an exception end the process (it escapes the
    // connection thread); one connection's input must not.
    return drop(std::string("Disconnecting: ") + e.what());
  }
}

bool ThreadedSocketConnection::send(const std::string& message) {
  std::size_t sent = 0;
  Clock::time_point progress = Clock::now();
  while (sent < message.size()) {
    const ssize_t n =
        ::send(m_socket, message.data() + sent, message.size() - sent,
               MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      progress = Clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    const Clock::duration left = progress + kSendStallTimeout - Clock::now();
    if (left <= Clock::duration::zero()) {
      // The peer does not read. Abort: closing with a zero linger sends RST
      // and frees the unsent bytes at once; shutdown wakes the connection's
      // thread (its recv() returns 0), which disconnects the session once
      // this send has released the session lock. Later sends fail at once.
      {
        std::lock_guard lock(AbortedMutex());
        Aborted().insert(this);
      }
      if (m_pSession != nullptr) {
        m_pSession->getLog()->onEvent(
            "Send made no progress for " +
            std::to_string(Seconds(kSendStallTimeout)) +
            " s (the peer does not read): aborting the connection");
      }
      const linger abort{1, 0};
      setsockopt(m_socket, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      shutdown(m_socket, SHUT_RDWR);
      return false;
    }
    pollfd writable{m_socket, POLLOUT, 0};
    poll(&writable, 1,
         static_cast<int>(std::chrono::ceil<milliseconds>(left).count()));
  }
  return true;
}

THREAD_PROC ThreadedSocketAcceptor::socketConnectionThread(void* p) {
  auto* info = static_cast<ConnectionThreadInfo*>(p);
  ThreadedSocketAcceptor* acceptor = info->m_pAcceptor;
  ThreadedSocketConnection* connection = info->m_pConnection;
  delete info;

  while (connection->read()) {
  }
  delete connection;

  // onStop() joins the threads it finds in m_threads once the acceptor is
  // stopped; until then a thread that ends removes its own entry and
  // detaches itself. The entry is found by thread id, not by socket
  // number: the socket is closed by now and accept() may have reused its
  // number for a newer connection, whose entry replaced this thread's.
  Locker lock(acceptor->m_mutex);
  if (acceptor->isStopped()) return 0;
  const pthread_t self = pthread_self();
  for (auto it = acceptor->m_threads.begin(); it != acceptor->m_threads.end();
       ++it) {
    if (pthread_equal(it->second, self) != 0) {
      acceptor->m_threads.erase(it);
      break;
    }
  }
  pthread_detach(self);
  return 0;
}

}  // namespace FIX

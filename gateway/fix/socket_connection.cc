// A replacement for a function of QuickFIX 1.15.1's threaded plain-TCP
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
//
// How it takes effect: libquickfix.so reaches read() through its PLT, so a
// definition in the executable preempts the library's (ELF symbol
// interposition). This file must therefore be a source of the executable
// itself, like lookup_session.cc. tests/hostile_peer_test.cc
// checks each behaviour against a running fixgw. TLS connections
// (ThreadedSSLSocketConnection) are a different class and not covered.
//
// Threading: read() runs on the connection's own thread (one thread per
// connection, so its state is thread_local). Nothing here throws out of a
// QuickFIX entry point.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>

#include "gateway/fix/connection_limits.h"
#include "gateway/fix/quickfix.h"

namespace {

using Clock = std::chrono::steady_clock;
using fixgw::fix::kDefaultFirstMessageTimeout;
using fixgw::fix::kMaxBytesBeforeFirstMessage;
using fixgw::fix::kMaxBytesPerMessage;
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
  // session, the acceptor's otherwise.
  auto drop = [&](const std::string& why) {
    if (m_disconnect) return false;
    if (m_pSession != nullptr) {
      if (!why.empty()) m_pSession->getLog()->onEvent(why);
      m_pSession->disconnect();
    } else {
      if (m_pLog != nullptr && !why.empty()) m_pLog->onEvent(why);
      disconnect();
    }
    return false;
  };

  try {
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

}  // namespace FIX

// gateway/net: the gateway's own transport. Include this header for all of
// it; each component's header states its own contract.
//
//   EventLoop    one thread's epoll loop: fds, monotonic timers, Post()
//   Framer       bounded incremental FIX framing (pure; fuzzed)
//   Listener     binds the configured host:port, admission at accept time
//   Connection   plaintext or TLS connection enforcing ConnectionLimits
//   TlsContext   SSL_CTX from PEM paths (TLS >= 1.2, peer verification)
//
// No QuickFIX here (scripts may check that); the FIX adapters drive
// FIX::Session objects over it. Threading: everything belongs to the loop
// thread except EventLoop::Post/Stop; another thread that wants to send
// posts a closure that calls Connection::Send.
//
// Binding. A Listener binds exactly the host it is given (a literal or a
// name; the first address getaddrinfo returns); an empty host is an error,
// so every interface is bound only when the configuration says 0.0.0.0 or
// ::. A bind failure is one line: "cannot listen on 127.0.0.1:5001: Address
// already in use".
//
// Limits (ConnectionLimits; the defaults are those of the QuickFIX-based
// transport, gateway/fix/connection_limits.h): 64 KiB before the first
// message, 4 MiB per message (garbage counted), 10 s to the first message
// (TLS handshake included), 10 s without send progress, 16 MiB queued.
// They apply to decrypted bytes on TLS exactly as on plaintext. Each cut is
// a CloseReason (cause + one line), delivered once through on_close.
//
// Wiring QuickFIX sessions (for the adapter; not compiled here):
// - Responder: a FIX::Responder holding a std::weak_ptr<Connection>:
//     bool send(const std::string& s) { auto c = conn.lock();
//                                        return c && c->Send(s); }
//     void disconnect() { if (auto c = conn.lock()) c->Close("logout"); }
//   Send() writes what the socket takes at once and queues the rest; a
//   false return means the connection is closing or was cut. To write one
//   turn's messages with one syscall, Queue() each and Flush() once.
// - Acceptor: Listener::on_accept -> Connection::Accept(loop, fd, peer,
//   limits, tls_or_null, callbacks). In on_message, a connection without a
//   session looks up the first message's session
//   (FIX::Session::lookupSession(raw, true)), checks it is one of this
//   port's sessions and not connected, then setResponder() and next(raw,
//   now); otherwise Close()/Abort() with the reason (and journal it: peer()
//   is the kernel's address). Later messages go to that session's next().
//   on_close -> session->disconnect() if it still has this responder.
// - Timers: one EventLoop::ScheduleEvery(1 s) that calls
//   FIX::Session::next(now) on every session (heartbeats, test requests,
//   logon/logout timeouts). last_receive_time()/last_send_time() are there
//   for idle checks of the gateway's own.
// - Initiator: Connection::Connect(loop, {host, port, connect_timeout,
//   tls, tls_peer_name, limits}, callbacks); on_open -> setResponder() and
//   the session's logon (next(now) sends it); on_close -> disconnect() and
//   schedule the reconnect with ScheduleAfter(ReconnectInterval).
// - Backpressure: PauseReading()/ResumeReading() per connection.
// - Shutdown: Close() every connection (each ends within close_timeout),
//   then Stop() the loop once the last on_close has run.
#pragma once

#include "gateway/net/address.h"
#include "gateway/net/connection.h"
#include "gateway/net/event_loop.h"
#include "gateway/net/framer.h"
#include "gateway/net/listener.h"
#include "gateway/net/tls_context.h"
#include "gateway/net/unique_fd.h"

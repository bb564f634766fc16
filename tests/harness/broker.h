// A raw FIX 4.4 broker client for end-to-end tests: exact bytes, any
// sequence number, towards the gateway (TargetCompID GW), over plain TCP
// (RawClient) or TLS (TlsPeer). It splits what arrives into messages ('|'
// for SOH) and finds them by their fields. Loopback only; every wait is
// bounded. Not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/harness/process.h"
#include "tests/harness/tls_peer.h"

namespace fixgw::testing {

class Broker {
 public:
  // Connects to 127.0.0.1:port as SenderCompID `sender`.
  explicit Broker(int port, std::string sender = "BROKER1");
  // The same over TLS: connected() once the handshake (bounded by 5 s) is
  // done.
  Broker(int port, std::string sender,
         std::shared_ptr<const TlsClientContext> tls);

  bool connected() const;
  const std::string& sender() const { return sender_; }

  // Sends a message of `type` with sequence number `seq`; `header` holds
  // extra header fields (e.g. "43=Y|122=...|"), `body` the rest.
  bool Send(const std::string& type, int seq, const std::string& body,
            const std::string& header = "");
  // Sends with the next sequence number (one after the last Send or Next).
  bool Next(const std::string& type, const std::string& body);
  bool SendRaw(const std::string& bytes);

  std::string Bytes(const std::string& type, int seq, const std::string& body,
                    const std::string& header = "") const;

  // Logon with sequence number `seq`, HeartBtInt 30, ResetSeqNumFlag if
  // `reset`.
  bool Logon(int seq, bool reset);

  // The first message not yet returned by WaitFor that contains every one of
  // `fields` (each "tag=value"), waiting up to `timeout` for it.
  std::optional<std::string> WaitFor(
      const std::vector<std::string>& fields,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

  // How many messages received so far (after waiting `settle`) contain every
  // one of `fields`.
  int Count(const std::vector<std::string>& fields,
            std::chrono::milliseconds settle);
  // Like Count, but a message resent under the same MsgSeqNum (PossDupFlag,
  // after a ResendRequest) counts once, as a FIX engine delivers it once.
  int CountDeliveries(const std::vector<std::string>& fields,
                      std::chrono::milliseconds settle);

  bool WaitClosed(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

  // Everything received, one message a line, for failure messages.
  std::string Transcript();
  // Everything received so far (reading what arrives within 50 ms), in
  // arrival order.
  std::vector<std::string> Received();

 private:
  static bool Matches(const std::string& msg,
                      const std::vector<std::string>& fields);
  // Reads for up to `timeout` and splits off complete messages.
  void Collect(std::chrono::milliseconds timeout);

  // Exactly one of them.
  std::unique_ptr<RawClient> plain_;
  std::unique_ptr<TlsPeer> tls_;
  const std::string sender_;
  int last_seq_ = 0;
  size_t consumed_ = 0;
  std::vector<std::string> messages_;
  std::vector<bool> taken_;
};

// The value of `tag` in a '|'-separated message, or "" if absent.
std::string Field(const std::string& msg, int tag);

// The messages of `received` (arrival order) holding every one of `fields`
// ("tag=value"), only the first of each MsgSeqNum: a message resent under
// its MsgSeqNum (PossDupFlag, after a ResendRequest) is one delivery, as a
// FIX engine delivers it once. Arrival order.
std::vector<std::string> Deliveries(const std::vector<std::string>& received,
                                    const std::vector<std::string>& fields);
// The MsgSeqNums of `broker`'s deliveries holding every one of `fields`.
std::set<std::string> DeliveredSeqs(Broker& broker,
                                    const std::vector<std::string>& fields);

}  // namespace fixgw::testing

// fixload's FIX session: one QuickFIX initiator session with a start /
// wait-for-logon / send / logout-and-stop lifecycle.
//
// Threads: the owner (main) thread calls every public method; QuickFIX calls
// the Application callbacks on its socket thread, and they hand received
// messages to the Listener on that thread. Send() is safe from any thread.
// The Listener must outlive the Client. Logon adds Username (553) and
// Password (554) when the session settings carry those keys.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::load {

using SteadyTime = std::chrono::steady_clock::time_point;

struct ClientOptions {
  std::string log_dir;       // non-empty: FileLog into this directory
  std::string store_dir;     // non-empty: FileStore in this directory
  bool memory_store = true;  // without store_dir: MemoryStore, else NullStore
  std::string username;      // Username (553) on Logon when non-empty
  std::string password;      // Password (554) on Logon when non-empty
  bool tls = false;  // QuickFIX's SSL initiator (SplitSettings::initiator_tls)
};

// A header field to force onto an outgoing message after the session filled
// the header: set to `value`, or removed when `value` is nullopt.
struct HeaderOverride {
  int tag = 0;
  std::optional<std::string> value;
};

class Client final : public FIX::Application {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Every received application message, plus Reject (3) and Logout (5);
    // `received` is read first thing in the callback. Socket thread.
    virtual void OnInbound(const FIX::Message& message,
                           SteadyTime received) = 0;
    // An outgoing application message after the session filled its header
    // (MsgSeqNum is known). Sending thread, or socket thread for resends.
    virtual void OnOutbound(const FIX::Message& /*message*/) {}
  };

  // `settings` must hold `session` as its only session.
  Client(FIX::SessionSettings settings, FIX::SessionID session,
         ClientOptions options, Listener* listener);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Creates store, log and initiator and starts connecting.
  Status Start();

  // True once logged on; false after `timeout`, when the counterparty
  // answers the Logon with a Logout, or when `stop` becomes true.
  bool WaitLogon(std::chrono::milliseconds timeout,
                 const std::atomic<bool>& stop);

  bool LoggedOn() const { return logged_on_.load(std::memory_order_acquire); }

  // Sends `message`; the session fills the standard header. Header fields in
  // `header_overrides` replace the filled ones (the session would otherwise
  // strip PossDupFlag and OrigSendingTime). False if the session is not
  // logged on or refused the message.
  bool Send(FIX::Message& message,
            const std::vector<HeaderOverride>& header_overrides = {});

  // Logs out (waiting up to `logout_timeout` for the counterparty's Logout)
  // and stops the initiator. Idempotent.
  void Stop(std::chrono::milliseconds logout_timeout);

  // Text (58) of the last Logout received, empty if none.
  std::string LastLogoutText() const;

  const FIX::SessionID& session_id() const { return session_id_; }

 private:
  // FIX::Application, called by QuickFIX.
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override;
  void onLogout(const FIX::SessionID&) override;
  void toAdmin(FIX::Message& message, const FIX::SessionID&) override;
  void toApp(FIX::Message& message, const FIX::SessionID&) override;
  void fromAdmin(const FIX::Message& message, const FIX::SessionID&) override;
  void fromApp(const FIX::Message& message, const FIX::SessionID&) override;

  FIX::SessionSettings settings_;
  const FIX::SessionID session_id_;
  const ClientOptions options_;
  Listener* const listener_;

  std::unique_ptr<FIX::MessageStoreFactory> store_factory_;
  std::unique_ptr<FIX::LogFactory> log_factory_;
  std::unique_ptr<FIX::Initiator> initiator_;
  FIX::Session* session_ = nullptr;  // owned by initiator_
  bool stopped_ = false;             // owner thread only

  std::atomic<bool> logged_on_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;    // signalled on logon and logout
  std::string last_logout_text_;  // guarded by mu_
  bool logon_refused_ = false;    // Logout before logon; guarded by mu_
};

}  // namespace fixgw::load

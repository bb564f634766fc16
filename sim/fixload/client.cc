// The QuickFIX initiator session of fixload; see client.h for threads and
// lifetime.
#include "sim/fixload/client.h"

#include "gateway/fix/masking_log.h"
#include "gateway/fix/runtime.h"

#include <algorithm>

namespace fixgw::load {
namespace {

constexpr int kMsgType = 35;
constexpr int kText = 58;
constexpr int kTestReqId = 112;
constexpr int kUsername = 553;
constexpr int kPassword = 554;

// Header fields to force onto the message being sent by this thread; set by
// Client::Send around Session::send so that toApp/toAdmin (called inside it,
// on the same thread) can apply them after the session's header fill.
thread_local const std::vector<HeaderOverride>* t_overrides = nullptr;

void ApplyOverrides(FIX::Message& message) {
  if (t_overrides == nullptr) return;
  for (const HeaderOverride& o : *t_overrides) {
    if (o.value) {
      message.getHeader().setField(o.tag, *o.value);
    } else {
      message.getHeader().removeField(o.tag);
    }
  }
}

std::string MsgTypeOf(const FIX::Message& message) {
  const FIX::Header& header = message.getHeader();
  return header.isSetField(kMsgType) ? header.getField(kMsgType) : "";
}

}  // namespace

Client::Client(FIX::SessionSettings settings, FIX::SessionID session,
               ClientOptions options, Listener* listener)
    : settings_(std::move(settings)),
      session_id_(std::move(session)),
      options_(std::move(options)),
      listener_(listener) {}

Client::~Client() { Stop(std::chrono::milliseconds(2000)); }

Status Client::Start() {
  try {
    if (!options_.store_dir.empty()) {
      store_factory_ =
          std::make_unique<FIX::FileStoreFactory>(options_.store_dir);
    } else if (options_.memory_store) {
      store_factory_ = std::make_unique<FIX::MemoryStoreFactory>();
    } else {
      store_factory_ = std::make_unique<FIX::NullStoreFactory>();
    }
    if (!options_.log_dir.empty()) {
      log_factory_ = std::make_unique<fix::MaskingLogFactory>(
          std::make_unique<FIX::FileLogFactory>(options_.log_dir), nullptr);
    }
    initiator_ = fix::MakeInitiator(*this, *store_factory_, settings_,
                                    log_factory_.get(), options_.tls);
    session_ = FIX::Session::lookupSession(session_id_);
    if (session_ == nullptr) {
      return Status::Internal("session " + session_id_.toString() +
                              " was not created");
    }
    initiator_->start();
  } catch (const std::exception& e) {
    initiator_.reset();
    return Status::InvalidArgument(e.what());
  }
  return Status::Ok();
}

bool Client::WaitLogon(std::chrono::milliseconds timeout,
                       const std::atomic<bool>& stop) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  while (!LoggedOn() && !logon_refused_ && !stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    // Bounded slices so that `stop` (set from a signal) is noticed.
    cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                           deadline - now, std::chrono::milliseconds(50)));
  }
  return LoggedOn();
}

bool Client::Send(FIX::Message& message,
                  const std::vector<HeaderOverride>& header_overrides) {
  if (session_ == nullptr || !LoggedOn()) return false;
  t_overrides = header_overrides.empty() ? nullptr : &header_overrides;
  bool sent = false;
  try {
    sent = session_->send(message);
  } catch (const std::exception&) {
    sent = false;
  }
  t_overrides = nullptr;
  return sent;
}

void Client::Stop(std::chrono::milliseconds logout_timeout) {
  if (stopped_ || initiator_ == nullptr) return;
  stopped_ = true;
  if (LoggedOn() && session_ != nullptr) {
    // A disabled session sends Logout on its next timer tick (up to a
    // second away) or right after it processes an incoming message; the
    // TestRequest makes the counterparty answer at once. The session
    // disconnects when the counterparty's Logout arrives.
    session_->logout();
    FIX::Message test_request;
    test_request.getHeader().setField(kMsgType, "1");
    test_request.setField(kTestReqId, "logout");
    try {
      session_->send(test_request);
    } catch (const std::exception&) {
      // The timer tick still sends the Logout.
    }
    auto deadline = std::chrono::steady_clock::now() + logout_timeout;
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [this] { return !LoggedOn(); });
  }
  try {
    // force: do not wait again for a Logout that did not come.
    initiator_->stop(/*force=*/LoggedOn());
  } catch (const std::exception&) {
    // Nothing left to do at shutdown.
  }
}

std::string Client::LastLogoutText() const {
  std::lock_guard lock(mu_);
  return last_logout_text_;
}

void Client::onLogon(const FIX::SessionID&) {
  {
    std::lock_guard lock(mu_);
    logged_on_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

void Client::onLogout(const FIX::SessionID&) {
  {
    std::lock_guard lock(mu_);
    logged_on_.store(false, std::memory_order_release);
  }
  cv_.notify_all();
}

void Client::toAdmin(FIX::Message& message, const FIX::SessionID&) {
  if (MsgTypeOf(message) == "A") {
    if (!options_.username.empty()) {
      message.setField(kUsername, options_.username);
    }
    if (!options_.password.empty()) {
      message.setField(kPassword, options_.password);
    }
  }
  ApplyOverrides(message);
}

void Client::toApp(FIX::Message& message, const FIX::SessionID&) {
  ApplyOverrides(message);
  if (listener_ != nullptr) listener_->OnOutbound(message);
}

void Client::fromAdmin(const FIX::Message& message, const FIX::SessionID&) {
  SteadyTime received = std::chrono::steady_clock::now();
  std::string type = MsgTypeOf(message);
  if (type == "5") {
    {
      std::lock_guard lock(mu_);
      last_logout_text_ =
          message.isSetField(kText) ? message.getField(kText) : "";
      if (!LoggedOn()) logon_refused_ = true;
    }
    cv_.notify_all();
  }
  if ((type == "3" || type == "5") && listener_ != nullptr) {
    listener_->OnInbound(message, received);
  }
}

void Client::fromApp(const FIX::Message& message, const FIX::SessionID&) {
  SteadyTime received = std::chrono::steady_clock::now();
  if (listener_ != nullptr) listener_->OnInbound(message, received);
}

}  // namespace fixgw::load

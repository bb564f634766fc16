#include "tests/harness/broker.h"

#include <algorithm>
#include <set>

namespace fixgw::testing {

using std::chrono::milliseconds;

std::string Field(const std::string& msg, int tag) {
  const std::string key = "|" + std::to_string(tag) + "=";
  size_t pos = msg.find(key);
  if (pos == std::string::npos) return "";
  pos += key.size();
  return msg.substr(pos, msg.find('|', pos) - pos);
}

namespace {

// A Broker's sends are small: they go at once unless the gateway stopped
// reading, which a test then sees as a failed send.
constexpr milliseconds kSendTimeout{5000};

}  // namespace

Broker::Broker(int port, std::string sender)
    : plain_(std::make_unique<RawClient>(port)), sender_(std::move(sender)) {}

Broker::Broker(int port, std::string sender,
               std::shared_ptr<const TlsClientContext> tls)
    : tls_(std::make_unique<TlsPeer>(port, std::move(tls))),
      sender_(std::move(sender)) {
  tls_->Handshake(milliseconds(5000));
}

bool Broker::connected() const {
  return plain_ ? plain_->connected()
                : tls_->connected() && tls_->handshake_ok();
}

bool Broker::SendRaw(const std::string& bytes) {
  if (plain_) return plain_->Send(bytes);
  return tls_->Send(bytes, kSendTimeout) == static_cast<int64_t>(bytes.size());
}

std::string Broker::Bytes(const std::string& type, int seq,
                          const std::string& body,
                          const std::string& header) const {
  return FixMessage("35=" + type + "|49=" + sender_ + "|56=GW|34=" +
                    std::to_string(seq) + "|52=" + FixNow() + "|" + header +
                    body);
}

bool Broker::Send(const std::string& type, int seq, const std::string& body,
                  const std::string& header) {
  last_seq_ = seq;
  return SendRaw(Bytes(type, seq, body, header));
}

bool Broker::Next(const std::string& type, const std::string& body) {
  return Send(type, last_seq_ + 1, body);
}

bool Broker::Logon(int seq, bool reset) {
  return Send("A", seq, std::string("98=0|108=30|") + (reset ? "141=Y|" : ""));
}

std::optional<std::string> Broker::WaitFor(
    const std::vector<std::string>& fields, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    Collect(milliseconds(0));
    for (size_t i = 0; i < messages_.size(); ++i) {
      if (!taken_[i] && Matches(messages_[i], fields)) {
        taken_[i] = true;
        return messages_[i];
      }
    }
    auto left = std::chrono::duration_cast<milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    Collect(std::min(left, milliseconds(50)));
  }
}

int Broker::Count(const std::vector<std::string>& fields,
                  milliseconds settle) {
  Collect(settle);
  return static_cast<int>(std::count_if(
      messages_.begin(), messages_.end(),
      [&](const std::string& m) { return Matches(m, fields); }));
}

int Broker::CountDeliveries(const std::vector<std::string>& fields,
                            milliseconds settle) {
  Collect(settle);
  std::set<std::string> seqs;
  for (const std::string& m : messages_) {
    if (Matches(m, fields)) seqs.insert(Field(m, 34));
  }
  return static_cast<int>(seqs.size());
}

bool Broker::WaitClosed(milliseconds timeout) {
  const bool closed =
      plain_ ? plain_->WaitClosed(timeout) : tls_->WaitClosed(timeout);
  Collect(milliseconds(0));
  return closed;
}

std::string Broker::Transcript() {
  Collect(milliseconds(0));
  std::string out;
  for (const std::string& m : messages_) out += "  " + m + "\n";
  return out;
}

std::vector<std::string> Broker::Received() {
  // A zero timeout would read nothing: take what is there, briefly.
  Collect(milliseconds(50));
  return messages_;
}

std::vector<std::string> Deliveries(const std::vector<std::string>& received,
                                    const std::vector<std::string>& fields) {
  std::vector<std::string> out;
  std::set<std::string> seqs;
  for (const std::string& msg : received) {
    const std::string line = "|" + msg + "|";
    bool all = true;
    for (const std::string& f : fields) {
      all = all && line.find("|" + f + "|") != std::string::npos;
    }
    if (all && seqs.insert(Field(line, 34)).second) out.push_back(msg);
  }
  return out;
}

std::set<std::string> DeliveredSeqs(Broker& broker,
                                    const std::vector<std::string>& fields) {
  std::set<std::string> seqs;
  for (const std::string& msg : Deliveries(broker.Received(), fields)) {
    seqs.insert(Field("|" + msg, 34));
  }
  return seqs;
}

bool Broker::Matches(const std::string& msg,
                     const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(), [&](const std::string& f) {
    return msg.find("|" + f + "|") != std::string::npos;
  });
}

void Broker::Collect(milliseconds timeout) {
  std::string plain_bytes;
  if (plain_) {
    plain_bytes = plain_->Receive(timeout);
  } else {
    tls_->Receive(timeout);
  }
  const std::string& buf = plain_ ? plain_bytes : tls_->received();
  while (true) {
    // Each message ends with "<SOH>10=nnn<SOH>".
    size_t end = buf.find(
        "\x01"
        "10=",
        consumed_);
    if (end == std::string::npos || end + 8 > buf.size()) return;
    std::string msg = buf.substr(consumed_, end + 8 - consumed_);
    consumed_ = end + 8;
    std::replace(msg.begin(), msg.end(), '\x01', '|');
    messages_.push_back(std::move(msg));
    taken_.push_back(false);
  }
}

}  // namespace fixgw::testing

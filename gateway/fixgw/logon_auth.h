// Logon authentication of broker sessions: Username (553) and Password (554)
// on the Logon, checked against per-session credentials from the settings
// file, stored as salted PBKDF2-HMAC-SHA256 hashes (OpenSSL), never as
// plaintext:
//
//   [SESSION]            a broker session (ConnectionType=acceptor)
//   Username=broker1
//   PasswordHash=pbkdf2-sha256$600000$<salt, base64>$<hash, base64>
//
// `fixgw --hash-password` prints a PasswordHash for a password read from
// stdin. A broker session without these keys is not authenticated (fixgw
// warns at start). Comparison is constant-time (CRYPTO_memcmp), and an
// unknown user costs the same PBKDF2 work as a wrong password. Values only;
// the authenticator is immutable after loading, so thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::gw {

struct PasswordHash {
  int iterations = 0;
  std::string salt;  // raw bytes
  std::string hash;  // raw bytes, 32 (SHA-256)
};

inline constexpr int kDefaultPbkdf2Iterations = 600'000;  // OWASP 2023
inline constexpr int kMinPbkdf2Iterations = 1'000;

// "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64"; errors say what is wrong.
Result<PasswordHash> ParsePasswordHash(const std::string& text);
std::string FormatPasswordHash(const PasswordHash& hash);
// A fresh 16-byte random salt.
Result<PasswordHash> HashPassword(const std::string& password, int iterations);
bool VerifyPassword(const PasswordHash& hash, const std::string& password);

// Why a Logon was refused. `code` is stable (journal, metrics), `text` is
// what the broker reads in the Logout's Text (58), after QuickFIX's prefix
// "Rejected Logon Attempt: ": it never says whether the user exists.
struct LogonRefusal {
  std::string code;  // missing_credentials | unknown_user | wrong_password
  std::string text;
};

class LogonAuthenticator {
 public:
  struct Credentials {
    std::string username;
    PasswordHash hash;
  };
  LogonAuthenticator() = default;
  explicit LogonAuthenticator(std::map<std::string, Credentials> by_session)
      : by_session_(std::move(by_session)) {}

  // Whether `session` ("FIX.4.4:GW->BROKER1") has credentials.
  bool Protects(const std::string& session) const {
    return by_session_.contains(session);
  }
  // nullopt: the Logon may proceed (also for sessions without credentials).
  std::optional<LogonRefusal> Check(
      const std::string& session, const std::optional<std::string>& username,
      const std::optional<std::string>& password) const;

 private:
  std::map<std::string, Credentials> by_session_;
};

// Reads Username/PasswordHash from every session of `brokers`; a session
// with one key and not the other, or a malformed hash, is an error naming
// the session, the key and `origin`.
Result<LogonAuthenticator> LoadLogonAuth(const FIX::SessionSettings& brokers,
                                         const std::string& origin);

// AllowedRemoteAddresses=ADDR[,ADDR...] (IPv4, dotted) of every session of
// `brokers`, by SocketAcceptPort: a port appears only when every session on
// it has a list, with the union of the lists (the transport refuses other
// addresses at accept: gateway_transport.h).
// A malformed address is an error naming the session and `origin`.
Result<std::map<int, std::set<std::string>>> LoadAllowedAddresses(
    const FIX::SessionSettings& brokers, const std::string& origin);

}  // namespace fixgw::gw

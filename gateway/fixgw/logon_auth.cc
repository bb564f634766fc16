#include "gateway/fixgw/logon_auth.h"

#include "gateway/fixgw/base64.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <vector>

namespace fixgw::gw {
namespace {

constexpr const char* kScheme = "pbkdf2-sha256";
constexpr size_t kHashBytes = 32;
constexpr size_t kSaltBytes = 16;

std::string Derive(const std::string& password, const std::string& salt,
                   int iterations) {
  std::string out(kHashBytes, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    static_cast<int>(out.size()),
                    reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

Result<PasswordHash> ParsePasswordHash(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dollar = text.find('$', start);
    parts.push_back(text.substr(start, dollar - start));
    if (dollar == std::string::npos) break;
    start = dollar + 1;
  }
  if (parts.size() != 4 || parts[0] != kScheme) {
    return Status::InvalidArgument(
        "must be pbkdf2-sha256$ITERATIONS$SALT$HASH (fixgw --hash-password "
        "prints one)");
  }
  PasswordHash h;
  const std::string& it = parts[1];
  if (it.empty() || it.size() > 9 ||
      it.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("iterations must be a number");
  }
  h.iterations = std::stoi(it);
  if (h.iterations < kMinPbkdf2Iterations) {
    return Status::InvalidArgument("iterations must be at least " +
                                   std::to_string(kMinPbkdf2Iterations));
  }
  auto salt = Unbase64(parts[2]);
  auto hash = Unbase64(parts[3]);
  if (!salt || salt->size() < 8) {
    return Status::InvalidArgument("salt must be 8 or more bytes, base64");
  }
  if (!hash || hash->size() != kHashBytes) {
    return Status::InvalidArgument("hash must be 32 bytes, base64");
  }
  h.salt = *salt;
  h.hash = *hash;
  return h;
}

std::string FormatPasswordHash(const PasswordHash& h) {
  return std::string(kScheme) + "$" + std::to_string(h.iterations) + "$" +
         Base64(h.salt) + "$" + Base64(h.hash);
}

Result<PasswordHash> HashPassword(const std::string& password, int iterations) {
  if (iterations < kMinPbkdf2Iterations) {
    return Status::InvalidArgument("iterations must be at least " +
                                   std::to_string(kMinPbkdf2Iterations));
  }
  PasswordHash h;
  h.iterations = iterations;
  h.salt.resize(kSaltBytes);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(h.salt.data()),
                 static_cast<int>(h.salt.size())) != 1) {
    return Status::Internal("no random bytes for the salt");
  }
  h.hash = Derive(password, h.salt, iterations);
  return h;
}

bool VerifyPassword(const PasswordHash& h, const std::string& password) {
  const std::string derived = Derive(password, h.salt, h.iterations);
  return derived.size() == h.hash.size() &&
         CRYPTO_memcmp(derived.data(), h.hash.data(), derived.size()) == 0;
}

std::optional<LogonRefusal> LogonAuthenticator::Check(
    const std::string& session, const std::optional<std::string>& username,
    const std::optional<std::string>& password) const {
  auto it = by_session_.find(session);
  if (it == by_session_.end()) return std::nullopt;
  if (!username || !password || username->empty() || password->empty()) {
    return LogonRefusal{"missing_credentials",
                        "Username (553) and Password (554) required"};
  }
  // The same work whether or not the user matches: no timing oracle.
  const bool password_ok = VerifyPassword(it->second.hash, *password);
  const bool user_ok =
      username->size() == it->second.username.size() &&
      CRYPTO_memcmp(username->data(), it->second.username.data(),
                    username->size()) == 0;
  if (!user_ok) return LogonRefusal{"unknown_user", "bad credentials"};
  if (!password_ok) return LogonRefusal{"wrong_password", "bad credentials"};
  return std::nullopt;
}

Result<LogonAuthenticator> LoadLogonAuth(const FIX::SessionSettings& brokers,
                                         const std::string& origin) {
  std::map<std::string, LogonAuthenticator::Credentials> by_session;
  for (const FIX::SessionID& id : brokers.getSessions()) {
    const FIX::Dictionary& d = brokers.get(id);
    const bool has_user = d.has("Username");
    const bool has_hash = d.has("PasswordHash");
    if (!has_user && !has_hash) continue;
    const std::string where = origin + ": session " + id.toString() + ": ";
    if (d.has("Password")) {
      return Status::InvalidArgument(
          where + "Password is not a broker-session key: store PasswordHash");
    }
    if (!has_user || !has_hash) {
      return Status::InvalidArgument(
          where + (has_user ? "Username needs PasswordHash"
                            : "PasswordHash needs Username"));
    }
    const std::string user = d.getString("Username");
    if (user.empty()) {
      return Status::InvalidArgument(where + "Username must not be empty");
    }
    auto hash = ParsePasswordHash(d.getString("PasswordHash"));
    if (!hash.ok()) {
      return Status::InvalidArgument(
          where + "PasswordHash: " + hash.status().message());
    }
    by_session[id.toString()] = {user, *hash};
  }
  return LogonAuthenticator(std::move(by_session));
}

Result<std::map<int, std::set<std::string>>> LoadAllowedAddresses(
    const FIX::SessionSettings& brokers, const std::string& origin) {
  std::map<int, std::set<std::string>> by_port;
  std::set<int> open;
  try {
    for (const FIX::SessionID& id : brokers.getSessions()) {
      const FIX::Dictionary& d = brokers.get(id);
      const int port = d.getInt("SocketAcceptPort");
      if (!d.has("AllowedRemoteAddresses")) {
        open.insert(port);
        continue;
      }
      const std::string list = d.getString("AllowedRemoteAddresses");
      std::set<std::string>& allowed = by_port[port];
      size_t start = 0;
      while (true) {
        const size_t comma = list.find(',', start);
        std::string a = list.substr(start, comma - start);
        a.erase(0, a.find_first_not_of(" \t"));
        a.erase(a.find_last_not_of(" \t") + 1);
        in_addr parsed{};
        if (inet_pton(AF_INET, a.c_str(), &parsed) != 1) {
          return Status::InvalidArgument(origin + ": session " + id.toString() +
                                         ": AllowedRemoteAddresses=" + list +
                                         ": '" + a +
                                         "' is not an IPv4 address");
        }
        allowed.insert(a);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  } catch (const FIX::ConfigError& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
  for (int port : open) by_port.erase(port);
  return by_port;
}

}  // namespace fixgw::gw

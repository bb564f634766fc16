// Who may drive fixgw's admin API, decided per request without I/O: bearer
// tokens from a private file (AdminTokenFile), the Host and Origin checks
// that keep web pages and DNS rebinding out, the JSON-only POST rule that
// keeps cross-site forms out, and the validation of operator strings.
// Values only: an AdminAccess is immutable after loading, so thread-safe.
//
// Token file: one `NAME TOKEN` per line; blank lines and `#` comments
// allowed. NAME is 1-64 of [A-Za-z0-9._-] and is what the journal records;
// TOKEN is at least 32 of [A-Za-z0-9_-] (base64url), `fixgw
// --new-admin-token NAME` prints a line with 32 random bytes. Only SHA-256
// digests of the tokens are kept in memory after loading.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace fixgw::gw {

inline constexpr size_t kMaxAdminTokenNameLength = 64;
inline constexpr size_t kMinAdminTokenLength = 32;
inline constexpr size_t kMaxAdminTokenLength = 512;

// The configured tokens, by digest. Errors name the line ("line 3: ...")
// and never quote a token.
class AdminTokens {
 public:
  using Digest = std::array<unsigned char, 32>;  // SHA-256
  struct Entry {
    std::string name;
    Digest digest;
  };

  static Result<AdminTokens> Parse(std::string_view text);

  // The name of the token equal to `token` (and named `name`, when given).
  // Constant time in the token: every entry is compared (CRYPTO_memcmp of
  // digests), none is skipped when one matches.
  std::optional<std::string> Match(
      std::string_view token,
      std::optional<std::string_view> name = std::nullopt) const;

  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

// Reads and parses AdminTokenFile. The file must be a regular file owned by
// the effective uid, with no permission for group or others; the error says
// which rule fails and how to fix it ("readable by others (mode 0644);
// chmod 600 it").
Result<AdminTokens> LoadAdminTokenFile(const std::string& path);

// "NAME TOKEN": a fresh token (32 bytes of RAND_bytes, base64url without
// padding: 43 characters) for the token file.
Result<std::string> NewAdminTokenLine(const std::string& name);

bool ValidAdminTokenName(std::string_view name);

// Why a request was refused: a bounded set, used as a metric label.
enum class AdminRefusal {
  kHost,                // Host is not the admin port on loopback
  kOrigin,              // a cross-site Origin
  kMissingCredentials,  // no (usable) Authorization header
  kBadCredentials,      // a token that matches none
  kContentType,         // a POST that is not application/json
  kBadRequest,          // parameters: query string, malformed JSON, values
};
inline constexpr AdminRefusal kAllAdminRefusals[] = {
    AdminRefusal::kHost,
    AdminRefusal::kOrigin,
    AdminRefusal::kMissingCredentials,
    AdminRefusal::kBadCredentials,
    AdminRefusal::kContentType,
    AdminRefusal::kBadRequest};
std::string_view AdminRefusalLabel(AdminRefusal refusal);

// The parts of an HTTP request the checks read; absent headers are nullopt.
struct AdminRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // without the query string
  bool has_query = false;   // the target carried a query string
  std::optional<std::string_view> host;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> authorization;
  std::optional<std::string_view> content_type;
};

struct AdminVerdict {
  std::optional<AdminRefusal> refusal;  // nullopt: allowed
  int http_status = 200;
  std::string message;           // for people; never quotes a credential
  std::string www_authenticate;  // a 401's challenge, else ""
  // Allowed: who asked, for the journal: "token:NAME" or "unauthenticated".
  std::string identity;
};

class AdminAccess {
 public:
  // Refuses everything that needs credentials (no tokens).
  AdminAccess() = default;
  // AdminAuth=token: requests carry one of `tokens`.
  static AdminAccess WithTokens(AdminTokens tokens, int port);
  // AdminAuth=none (development): no credentials asked; the other checks
  // still apply.
  static AdminAccess Unauthenticated(int port);

  bool authenticates() const { return authenticate_; }

  // Host, Origin, credentials (not for GET /health), and for POSTs the
  // content type and the absence of a query string, in that order.
  AdminVerdict Check(const AdminRequest& request) const;

 private:
  bool authenticate_ = true;
  int port_ = 0;
  AdminTokens tokens_;
};

// A POST's parameters: a JSON object of strings, at most one per key of
// `limits` (key -> maximum length in bytes). Unknown keys, other types,
// malformed JSON, control characters (C0, DEL) and invalid UTF-8 are
// errors naming the parameter; absent keys are absent from the result.
// An empty body is an empty object.
Result<std::map<std::string, std::string>> ParseAdminParams(
    std::string_view body, const std::map<std::string, size_t>& limits);

// `text` with every byte outside printable ASCII as '?', cut to `max`
// bytes: for logging what a client sent without letting it forge lines.
std::string Printable(std::string_view text, size_t max = 128);

}  // namespace fixgw::gw

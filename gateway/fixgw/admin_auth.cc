#include "gateway/fixgw/admin_auth.h"

#include "gateway/fixgw/base64.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "gateway/core/text.h"
#include "gateway/core/utf8.h"

namespace fixgw::gw {
namespace {

constexpr size_t kMaxTokenFileBytes = 1 << 20;
constexpr size_t kMaxAuthorizationLength = 1024;
constexpr const char* kBasicChallenge = "Basic realm=\"fixgw admin\"";
constexpr const char* kBearerChallenge = "Bearer realm=\"fixgw admin\"";
constexpr const char* kJsonExample =
    R"({"action":"engage","scope":"account","name":"ACC1","reason":"runaway"})";

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool ValidToken(std::string_view token) {
  if (token.size() < kMinAdminTokenLength ||
      token.size() > kMaxAdminTokenLength) {
    return false;
  }
  for (char c : token) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

AdminTokens::Digest Sha256(std::string_view data) {
  AdminTokens::Digest out{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(),
             nullptr);
  return out;
}

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Whitespace-separated fields of one line.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) break;
    size_t end = i;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    out.push_back(line.substr(i, end - i));
    i = end;
  }
  return out;
}

// "127.0.0.1:PORT", "localhost:PORT", "[::1]:PORT" (with `prefix` before
// each, e.g. "http://"); case-insensitive.
bool IsLoopbackAuthority(std::string_view value, std::string_view prefix,
                         int port) {
  const std::string suffix = ":" + std::to_string(port);
  for (const char* host : {"127.0.0.1", "localhost", "[::1]"}) {
    if (EqualsIgnoreCase(value, std::string(prefix) + host + suffix)) {
      return true;
    }
  }
  return false;
}

AdminVerdict Refuse(AdminRefusal refusal, int status, std::string message,
                    std::string challenge = "") {
  AdminVerdict v;
  v.refusal = refusal;
  v.http_status = status;
  v.message = std::move(message);
  v.www_authenticate = std::move(challenge);
  return v;
}

bool HasControlCharacter(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

}  // namespace

bool ValidAdminTokenName(std::string_view name) {
  if (name.empty() || name.size() > kMaxAdminTokenNameLength) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

Result<AdminTokens> AdminTokens::Parse(std::string_view text) {
  AdminTokens tokens;
  std::map<std::string, int, std::less<>> line_of_name;
  std::map<Digest, int> line_of_digest;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = TrimBlanks(line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    const std::vector<std::string_view> fields = Fields(line);
    if (fields.size() != 2) {
      return Status::InvalidArgument(where + "expected NAME TOKEN, found " +
                                     std::to_string(fields.size()) + " fields");
    }
    const std::string_view name = fields[0];
    if (!ValidAdminTokenName(name)) {
      return Status::InvalidArgument(
          where + "the name must be 1-64 characters of A-Z a-z 0-9 . _ -");
    }
    if (!ValidToken(fields[1])) {
      return Status::InvalidArgument(
          where + "the token of " + std::string(name) + " must be " +
          std::to_string(kMinAdminTokenLength) + "-" +
          std::to_string(kMaxAdminTokenLength) +
          " characters of A-Z a-z 0-9 _ - (fixgw --new-admin-token NAME "
          "prints one)");
    }
    if (auto it = line_of_name.find(name); it != line_of_name.end()) {
      return Status::InvalidArgument(where + "duplicate name " +
                                     std::string(name) + " (also on line " +
                                     std::to_string(it->second) + ")");
    }
    const Digest digest = Sha256(fields[1]);
    if (auto it = line_of_digest.find(digest); it != line_of_digest.end()) {
      return Status::InvalidArgument(where + "duplicate token (also on line " +
                                     std::to_string(it->second) + ")");
    }
    line_of_name.emplace(std::string(name), line_number);
    line_of_digest.emplace(digest, line_number);
    tokens.entries_.push_back(Entry{std::string(name), digest});
  }
  if (tokens.entries_.empty()) {
    return Status::InvalidArgument(
        "no tokens: add a line from fixgw --new-admin-token NAME");
  }
  return tokens;
}

std::optional<std::string> AdminTokens::Match(
    std::string_view token, std::optional<std::string_view> name) const {
  const Digest digest = Sha256(token);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    const bool equal =
        CRYPTO_memcmp(digest.data(), e.digest.data(), digest.size()) == 0;
    // Names are not secret: comparing them normally leaks nothing.
    if (equal && (!name || *name == e.name)) found = &e;
  }
  if (found == nullptr) return std::nullopt;
  return found->name;
}

Result<AdminTokens> LoadAdminTokenFile(const std::string& path) {
  // O_NONBLOCK: a FIFO must not block start-up; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return Status::NotFound(std::string("cannot open: ") +
                            std::strerror(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Status::Unavailable(std::string("cannot inspect: ") +
                               std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("not a regular file");
  }
  if (st.st_uid != ::geteuid()) {
    return Status::InvalidArgument("owned by uid " + std::to_string(st.st_uid) +
                                   ", not by fixgw's uid " +
                                   std::to_string(::geteuid()) + "; chown it");
  }
  const unsigned mode = static_cast<unsigned>(st.st_mode) & 07777u;
  if ((mode & 077u) != 0) {
    const bool others = (mode & 007u) != 0;
    const unsigned bits = others ? (mode & 007u) : ((mode & 070u) >> 3);
    std::string what = (bits & 4u) && (bits & 2u) ? "readable and writable"
                       : (bits & 4u)              ? "readable"
                       : (bits & 2u)              ? "writable"
                                                  : "accessible";
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    return Status::InvalidArgument(what + " by " +
                                   (others ? "others" : "group") + " (mode " +
                                   octal + "); chmod 600 it");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxTokenFileBytes) {
    return Status::InvalidArgument("larger than 1 MiB");
  }
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::Unavailable(std::string("cannot read: ") +
                                 std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxTokenFileBytes) {
      return Status::InvalidArgument("larger than 1 MiB");
    }
  }
  return AdminTokens::Parse(text);
}

Result<std::string> NewAdminTokenLine(const std::string& name) {
  if (!ValidAdminTokenName(name)) {
    return Status::InvalidArgument(
        "the token name must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed");
  }
  std::string line = name + " " + Base64Url(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  OPENSSL_cleanse(raw, sizeof raw);
  return line;
}

std::string_view AdminRefusalLabel(AdminRefusal refusal) {
  switch (refusal) {
    case AdminRefusal::kHost:
      return "host";
    case AdminRefusal::kOrigin:
      return "origin";
    case AdminRefusal::kMissingCredentials:
      return "missing_credentials";
    case AdminRefusal::kBadCredentials:
      return "bad_credentials";
    case AdminRefusal::kContentType:
      return "content_type";
    case AdminRefusal::kBadRequest:
      return "bad_request";
  }
  return "unknown";
}

AdminAccess AdminAccess::WithTokens(AdminTokens tokens, int port) {
  AdminAccess a;
  a.authenticate_ = true;
  a.port_ = port;
  a.tokens_ = std::move(tokens);
  return a;
}

AdminAccess AdminAccess::Unauthenticated(int port) {
  AdminAccess a;
  a.authenticate_ = false;
  a.port_ = port;
  return a;
}

AdminVerdict AdminAccess::Check(const AdminRequest& request) const {
  const std::string port = std::to_string(port_);
  // DNS rebinding: a page of evil.example whose name now resolves to
  // 127.0.0.1 still sends Host: evil.example.
  if (!request.host || !IsLoopbackAuthority(*request.host, "", port_)) {
    return Refuse(AdminRefusal::kHost, 421,
                  "Host must be 127.0.0.1:" + port + ", localhost:" + port +
                      " or [::1]:" + port);
  }
  // A browser names the page that makes a request; only our own pages may.
  if (request.origin &&
      !IsLoopbackAuthority(*request.origin, "http://", port_)) {
    return Refuse(AdminRefusal::kOrigin, 403,
                  "cross-origin requests are refused");
  }
  const bool reads = request.method == "GET" || request.method == "HEAD";
  AdminVerdict allowed;
  allowed.identity = "unauthenticated";
  const bool open = reads && request.path == "/health";
  if (authenticate_ && !open) {
    // Browsers answer a Basic challenge with a login dialog, so GETs (the
    // status page) get one; scripts use Bearer.
    std::string challenge = reads ? kBasicChallenge : kBearerChallenge;
    if (!request.authorization) {
      return Refuse(AdminRefusal::kMissingCredentials, 401,
                    "credentials required: Authorization: Bearer TOKEN",
                    challenge);
    }
    const std::string_view value = TrimBlanks(*request.authorization);
    const size_t space = value.find(' ');
    const std::string_view scheme = value.substr(0, space);
    const std::string_view credentials = space == std::string_view::npos
                                             ? std::string_view()
                                             : TrimBlanks(value.substr(space + 1));
    std::optional<std::string> name;
    if (EqualsIgnoreCase(scheme, "Bearer")) {
      challenge = std::string(kBearerChallenge) + ", error=\"invalid_token\"";
      if (credentials.size() <= kMaxAuthorizationLength) {
        name = tokens_.Match(credentials);
      }
    } else if (EqualsIgnoreCase(scheme, "Basic")) {
      std::optional<std::string> decoded;
      if (credentials.size() <= kMaxAuthorizationLength) {
        decoded = Unbase64(credentials);
      }
      const size_t colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon != std::string::npos) {
        const std::string_view pair(*decoded);
        name = tokens_.Match(pair.substr(colon + 1), pair.substr(0, colon));
      }
      if (decoded) OPENSSL_cleanse(decoded->data(), decoded->size());
    } else {
      return Refuse(AdminRefusal::kMissingCredentials, 401,
                    "Authorization must be Bearer TOKEN or Basic", challenge);
    }
    if (!name) {
      return Refuse(AdminRefusal::kBadCredentials, 401, "bad credentials",
                    challenge);
    }
    allowed.identity = "token:" + *name;
  }
  if (!reads) {
    // A page of another site can POST a form or text/plain without asking
    // (no CORS preflight); application/json it cannot, and we never answer
    // a preflight with CORS headers.
    std::string_view media = request.content_type.value_or("");
    media = TrimBlanks(media.substr(0, media.find(';')));
    if (!EqualsIgnoreCase(media, "application/json")) {
      return Refuse(AdminRefusal::kContentType, 415,
                    std::string("send Content-Type: application/json and the "
                                "parameters as a JSON object, e.g. ") +
                        kJsonExample);
    }
    if (request.has_query) {
      return Refuse(AdminRefusal::kBadRequest, 400,
                    std::string("parameters go in the JSON body, not the "
                                "query string, e.g. ") +
                        kJsonExample);
    }
  }
  return allowed;
}

Result<std::map<std::string, std::string>> ParseAdminParams(
    std::string_view body, const std::map<std::string, size_t>& limits) {
  std::map<std::string, std::string> out;
  if (TrimBlanks(body).empty()) return out;
  using Json = nlohmann::json;
  // The last key read: a parse error past it is in its value.
  std::string last_key;
  Json::parser_callback_t track = [&last_key](int depth,
                                              Json::parse_event_t event,
                                              Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key && parsed.is_string()) {
      last_key = parsed.get<std::string>();
    }
    return true;
  };
  const Json j = Json::parse(body.begin(), body.end(), track,
                             /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    if (!IsUtf8(body)) {
      return Status::InvalidArgument(
          last_key.empty() || !limits.contains(last_key)
              ? "the body is not valid UTF-8"
              : "'" + last_key + "' is not valid UTF-8");
    }
    return Status::InvalidArgument(
        std::string("the body is not valid JSON; send an object of "
                    "strings, e.g. ") +
        kJsonExample);
  }
  if (!j.is_object()) {
    return Status::InvalidArgument(
        std::string("the body must be a JSON object of strings, e.g. ") +
        kJsonExample);
  }
  for (const auto& [key, value] : j.items()) {
    auto limit = limits.find(key);
    if (limit == limits.end()) {
      std::string known;
      for (const auto& [k, unused] : limits) {
        known += (known.empty() ? "" : ", ") + k;
      }
      return Status::InvalidArgument("unknown parameter '" +
                                     Printable(key, 64) + "' (expected " +
                                     known + ")");
    }
    if (!value.is_string()) {
      return Status::InvalidArgument("'" + key + "' must be a string");
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (!IsUtf8(text)) {
      return Status::InvalidArgument("'" + key + "' is not valid UTF-8");
    }
    if (HasControlCharacter(text)) {
      return Status::InvalidArgument("'" + key +
                                     "' contains a control character");
    }
    if (text.size() > limit->second) {
      return Status::InvalidArgument("'" + key + "' is longer than " +
                                     std::to_string(limit->second) + " bytes");
    }
    out.emplace(key, text);
  }
  return out;
}

std::string Printable(std::string_view text, size_t max) {
  std::string out(text.substr(0, max));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) c = '?';
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace fixgw::gw

// Base64 (RFC 4648) through OpenSSL's EVP block codec, for the credentials
// fixgw reads and prints: PasswordHash salts and hashes (standard
// alphabet, padded), admin tokens (URL-safe alphabet, unpadded) and HTTP
// Basic credentials.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fixgw::gw {

// Standard alphabet, with '=' padding.
std::string Base64(std::string_view raw);
// URL-safe alphabet ('-', '_'), no padding.
std::string Base64Url(std::string_view raw);
// Decodes standard, padded base64; nullopt if malformed.
std::optional<std::string> Unbase64(std::string_view text);

}  // namespace fixgw::gw

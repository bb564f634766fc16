#include "gateway/fixgw/logon_auth.h"

#include <gtest/gtest.h>

namespace fixgw::gw {
namespace {

TEST(PasswordHashTest, RoundTripsAndVerifies) {
  auto h = HashPassword("s3cret", kMinPbkdf2Iterations);
  ASSERT_TRUE(h.ok());
  const std::string text = FormatPasswordHash(*h);
  EXPECT_EQ(text.rfind("pbkdf2-sha256$1000$", 0), 0u) << text;
  auto parsed = ParsePasswordHash(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->salt, h->salt);
  EXPECT_EQ(parsed->hash, h->hash);
  EXPECT_TRUE(VerifyPassword(*parsed, "s3cret"));
  EXPECT_FALSE(VerifyPassword(*parsed, "s3cret "));
  EXPECT_FALSE(VerifyPassword(*parsed, ""));
}

TEST(PasswordHashTest, SaltsDiffer) {
  auto a = HashPassword("same", kMinPbkdf2Iterations);
  auto b = HashPassword("same", kMinPbkdf2Iterations);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(FormatPasswordHash(*a), FormatPasswordHash(*b));
}

TEST(PasswordHashTest, KnownVector) {
  // RFC 7914 section 11 PBKDF2-HMAC-SHA256 vector (P="passwd", S="salt", c=1
  // is below our minimum, so check the derivation through c=80000).
  // P="Password", S="NaCl", c=80000, dkLen=64: first 32 bytes.
  PasswordHash h;
  h.iterations = 80000;
  h.salt = "NaCl";
  const unsigned char expected[32] = {
      0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21, 0x83, 0x0c, 0xee,
      0x5e, 0xf2, 0x27, 0x01, 0xf9, 0x64, 0x1a, 0x44, 0x18, 0xd0, 0x4c,
      0x04, 0x14, 0xae, 0xff, 0x08, 0x87, 0x6b, 0x34, 0xab, 0x56};
  h.hash.assign(reinterpret_cast<const char*>(expected), 32);
  EXPECT_TRUE(VerifyPassword(h, "Password"));
}

TEST(PasswordHashTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "plain", "pbkdf2-sha256$1000$c2FsdHNhbHQ=",
        "sha1$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$10$c2FsdHNhbHQ=$"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$x$c2FsdHNhbHQ=$"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAA"}) {
    EXPECT_FALSE(ParsePasswordHash(bad).ok()) << bad;
  }
}

TEST(LogonAuthenticatorTest, ChecksPerSession) {
  auto h = HashPassword("pw1", kMinPbkdf2Iterations);
  ASSERT_TRUE(h.ok());
  LogonAuthenticator auth({{"FIX.4.4:GW->B1", {"user1", *h}}});
  EXPECT_TRUE(auth.Protects("FIX.4.4:GW->B1"));
  EXPECT_FALSE(auth.Protects("FIX.4.4:GW->B2"));
  EXPECT_FALSE(auth.Check("FIX.4.4:GW->B1", "user1", "pw1"));
  EXPECT_FALSE(auth.Check("FIX.4.4:GW->B2", std::nullopt, std::nullopt));
  EXPECT_EQ(auth.Check("FIX.4.4:GW->B1", "user1", "pw2")->code,
            "wrong_password");
  EXPECT_EQ(auth.Check("FIX.4.4:GW->B1", "user2", "pw1")->code, "unknown_user");
  EXPECT_EQ(auth.Check("FIX.4.4:GW->B1", "user1", std::nullopt)->code,
            "missing_credentials");
  EXPECT_EQ(auth.Check("FIX.4.4:GW->B1", std::nullopt, "pw1")->code,
            "missing_credentials");
  // The broker cannot tell an unknown user from a wrong password.
  EXPECT_EQ(auth.Check("FIX.4.4:GW->B1", "user2", "pw1")->text,
            auth.Check("FIX.4.4:GW->B1", "user1", "pw2")->text);
}

}  // namespace
}  // namespace fixgw::gw

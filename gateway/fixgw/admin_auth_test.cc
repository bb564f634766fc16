#include "gateway/fixgw/admin_auth.h"
#include "gateway/fixgw/base64.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace fixgw::gw {
namespace {

constexpr const char* kOpsToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
constexpr const char* kCiToken = "b-b_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr int kPort = 8081;

AdminTokens Tokens() {
  auto t = AdminTokens::Parse(std::string("ops ") + kOpsToken + "\nci " +
                              kCiToken + "\n");
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? *t : AdminTokens();
}

// A request that passes every check but the credentials.
AdminRequest Get(std::string_view path = "/state") {
  AdminRequest r;
  r.method = "GET";
  r.path = path;
  r.host = "127.0.0.1:8081";
  return r;
}

AdminRequest JsonPost(std::string_view path = "/kill-switch") {
  AdminRequest r;
  r.method = "POST";
  r.path = path;
  r.host = "127.0.0.1:8081";
  r.content_type = "application/json";
  return r;
}

class TokenFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/admin_auth_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& content, mode_t mode) {
    const std::string path = dir_ + "/tokens";
    std::filesystem::remove(path);
    std::ofstream(path) << content;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string dir_;
};

TEST(AdminTokensTest, ParsesNamesAndTokensSkippingCommentsAndBlankLines) {
  auto t = AdminTokens::Parse(std::string("# operators\n\n  ops\t") +
                              kOpsToken + "  \r\n# ci\nci " + kCiToken);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->size(), 2u);
  EXPECT_EQ(t->Match(kOpsToken), "ops");
  EXPECT_EQ(t->Match(kCiToken), "ci");
}

TEST(AdminTokensTest, MatchesOnlyTheExactTokenAndNamedPair) {
  const AdminTokens t = Tokens();
  EXPECT_EQ(t.Match(std::string(kOpsToken) + "A"), std::nullopt);
  EXPECT_EQ(t.Match(std::string(kOpsToken).substr(1)), std::nullopt);
  EXPECT_EQ(t.Match(""), std::nullopt);
  EXPECT_EQ(t.Match(kOpsToken, "ops"), "ops");
  EXPECT_EQ(t.Match(kOpsToken, "ci"), std::nullopt);
}

TEST(AdminTokensTest, MalformedLinesAreRefusedWithTheirNumberAndNoToken) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::string ops = std::string("ops ") + kOpsToken + "\n";
  const Case cases[] = {
      {"\n# c\nops\n", "line 3: expected NAME TOKEN, found 1 fields"},
      {ops + "ci " + kCiToken + " extra\n",
       "line 2: expected NAME TOKEN, found 3 fields"},
      {std::string("o/ps ") + kOpsToken, "line 1: the name must be 1-64"},
      {std::string(65, 'n') + " " + kOpsToken, "line 1: the name must be"},
      {"ops short-token-31-chars-xxxxxxx",
       "line 1: the token of ops must "
       "be 32-512 characters"},
      {std::string("ops ") + kOpsToken + "+", "line 1: the token of ops"},
      {ops + "ops " + kCiToken, "line 2: duplicate name ops (also on line 1)"},
      {ops + "ci " + kOpsToken, "line 2: duplicate token (also on line 1)"},
      {"# nothing\n\n", "no tokens"},
      {"", "no tokens"},
  };
  for (const Case& c : cases) {
    auto t = AdminTokens::Parse(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.status().message().find(c.expected), std::string::npos)
        << t.status().message();
    EXPECT_EQ(t.status().message().find(kOpsToken), std::string::npos);
    EXPECT_EQ(t.status().message().find(kCiToken), std::string::npos);
    EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
  }
}

TEST(AdminTokensTest, TokenLengthBoundsAreInclusive) {
  EXPECT_TRUE(AdminTokens::Parse("a " + std::string(32, 'x')).ok());
  EXPECT_FALSE(AdminTokens::Parse("a " + std::string(31, 'x')).ok());
  EXPECT_TRUE(AdminTokens::Parse("a " + std::string(512, 'x')).ok());
  EXPECT_FALSE(AdminTokens::Parse("a " + std::string(513, 'x')).ok());
  EXPECT_TRUE(AdminTokens::Parse(std::string(64, 'n') + " " + kOpsToken).ok());
}

TEST(AdminTokensTest, NewTokenLinesAreFreshAndParse) {
  auto a = NewAdminTokenLine("ops-1");
  auto b = NewAdminTokenLine("ops-1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  ASSERT_EQ(a->size(), std::string("ops-1 ").size() + 43);
  EXPECT_EQ(a->rfind("ops-1 ", 0), 0u);
  auto t = AdminTokens::Parse(*a);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->Match(a->substr(6)), "ops-1");
  EXPECT_FALSE(NewAdminTokenLine("bad name").ok());
  EXPECT_FALSE(NewAdminTokenLine("").ok());
}

TEST_F(TokenFile, LoadsAPrivateFile) {
  auto t = LoadAdminTokenFile(Write(std::string("ops ") + kOpsToken, 0600));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->Match(kOpsToken), "ops");
  EXPECT_TRUE(
      LoadAdminTokenFile(Write(std::string("ops ") + kOpsToken, 0400)).ok());
}

TEST_F(TokenFile, RefusesAFileOthersOrTheGroupCanAccess) {
  const std::string line = std::string("ops ") + kOpsToken;
  struct Case {
    mode_t mode;
    std::string expected;
  };
  for (const Case& c :
       {Case{0644, "readable by others (mode 0644); chmod 600 it"},
        Case{0604, "readable by others (mode 0604)"},
        Case{0602, "writable by others (mode 0602)"},
        Case{0606, "readable and writable by others"},
        Case{0640, "readable by group (mode 0640); chmod 600 it"},
        Case{0620, "writable by group"}, Case{0610, "accessible by group"}}) {
    auto t = LoadAdminTokenFile(Write(line, c.mode));
    ASSERT_FALSE(t.ok()) << std::oct << c.mode;
    EXPECT_NE(t.status().message().find(c.expected), std::string::npos)
        << t.status().message();
  }
}

TEST_F(TokenFile, RefusesWhatIsNotAReadableRegularFile) {
  auto missing = LoadAdminTokenFile(dir_ + "/absent");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot open"), std::string::npos);
  auto directory = LoadAdminTokenFile(dir_);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().message(), "not a regular file");
  auto malformed = LoadAdminTokenFile(Write("ops\n", 0600));
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("line 1"), std::string::npos);
}

TEST_F(TokenFile, RefusesAFileOwnedBySomeoneElse) {
  const std::string path = Write(std::string("ops ") + kOpsToken, 0600);
  if (::geteuid() != 0) {
    GTEST_SKIP() << "only root can give a file away";
  }
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto t = LoadAdminTokenFile(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "owned by uid 65534, not by fixgw's uid 0; chown it");
}

TEST(AdminAccessTest, RefusesForeignHostsForDnsRebinding) {
  const AdminAccess a = AdminAccess::WithTokens(Tokens(), kPort);
  for (std::optional<std::string_view> host :
       {std::optional<std::string_view>("evil.example:8081"),
        std::optional<std::string_view>("127.0.0.1:8082"),
        std::optional<std::string_view>("127.0.0.1"),
        std::optional<std::string_view>("127.0.0.1:8081.evil.example"),
        std::optional<std::string_view>(""),
        std::optional<std::string_view>()}) {
    AdminRequest r = Get("/health");
    r.host = host;
    const AdminVerdict v = a.Check(r);
    ASSERT_TRUE(v.refusal) << host.value_or("(none)");
    EXPECT_EQ(*v.refusal, AdminRefusal::kHost);
    EXPECT_EQ(v.http_status, 421);
    EXPECT_EQ(v.message,
              "Host must be 127.0.0.1:8081, localhost:8081 or [::1]:8081");
  }
  for (std::string_view host :
       {"127.0.0.1:8081", "localhost:8081", "LocalHost:8081", "[::1]:8081"}) {
    AdminRequest r = Get("/health");
    r.host = host;
    EXPECT_FALSE(a.Check(r).refusal) << host;
  }
}

TEST(AdminAccessTest, RefusesCrossSiteOrigins) {
  const AdminAccess a = AdminAccess::WithTokens(Tokens(), kPort);
  for (std::string_view origin :
       {"http://evil.example", "null", "https://127.0.0.1:8081",
        "http://127.0.0.1:8082", "http://127.0.0.1:8081.evil.example", ""}) {
    AdminRequest r = JsonPost();
    r.origin = origin;
    const std::string bearer = std::string("Bearer ") + kOpsToken;
    r.authorization = bearer;
    const AdminVerdict v = a.Check(r);
    ASSERT_TRUE(v.refusal) << origin;
    EXPECT_EQ(*v.refusal, AdminRefusal::kOrigin);
    EXPECT_EQ(v.http_status, 403);
  }
  AdminRequest same = JsonPost();
  same.origin = "http://localhost:8081";
  const std::string bearer = std::string("Bearer ") + kOpsToken;
  same.authorization = bearer;
  EXPECT_FALSE(a.Check(same).refusal);
}

TEST(AdminAccessTest, EverythingButHealthNeedsCredentials) {
  const AdminAccess a = AdminAccess::WithTokens(Tokens(), kPort);
  EXPECT_FALSE(a.Check(Get("/health")).refusal);
  for (std::string_view path :
       {"/", "/state", "/metrics", "/sessions", "/nowhere", "/health/"}) {
    const AdminVerdict v = a.Check(Get(path));
    ASSERT_TRUE(v.refusal) << path;
    EXPECT_EQ(*v.refusal, AdminRefusal::kMissingCredentials);
    EXPECT_EQ(v.http_status, 401);
    EXPECT_EQ(v.www_authenticate, "Basic realm=\"fixgw admin\"");
  }
  AdminRequest health_post = JsonPost("/health");
  const AdminVerdict post = a.Check(health_post);
  ASSERT_TRUE(post.refusal);
  EXPECT_EQ(post.www_authenticate, "Bearer realm=\"fixgw admin\"");
}

TEST(AdminAccessTest, BearerTokenNamesTheCaller) {
  const AdminAccess a = AdminAccess::WithTokens(Tokens(), kPort);
  AdminRequest r = JsonPost();
  const std::string good = std::string("Bearer ") + kCiToken;
  r.authorization = good;
  AdminVerdict v = a.Check(r);
  ASSERT_FALSE(v.refusal) << v.message;
  EXPECT_EQ(v.identity, "token:ci");
  const std::string lower = std::string("bearer  ") + kOpsToken;
  r.authorization = lower;
  EXPECT_EQ(a.Check(r).identity, "token:ops");

  const std::string wrong = std::string("Bearer ") + kOpsToken + "x";
  AdminRequest g = Get();
  g.authorization = wrong;
  v = a.Check(g);
  ASSERT_TRUE(v.refusal);
  EXPECT_EQ(*v.refusal, AdminRefusal::kBadCredentials);
  EXPECT_EQ(v.http_status, 401);
  EXPECT_EQ(v.www_authenticate,
            "Bearer realm=\"fixgw admin\", error=\"invalid_token\"");
  EXPECT_EQ(v.message.find(kOpsToken), std::string::npos);
  const std::string huge = "Bearer " + std::string(5000, 'A');
  g.authorization = huge;
  EXPECT_EQ(a.Check(g).refusal, AdminRefusal::kBadCredentials);
  g.authorization = "Digest x";
  EXPECT_EQ(a.Check(g).refusal, AdminRefusal::kMissingCredentials);
  g.authorization = "Bearer";
  EXPECT_EQ(a.Check(g).refusal, AdminRefusal::kBadCredentials);
}

TEST(AdminAccessTest, BasicCredentialsAreNameAndToken) {
  const AdminAccess a = AdminAccess::WithTokens(Tokens(), kPort);
  AdminRequest r = Get("/");
  const std::string good = "Basic " + Base64(std::string("ops:") + kOpsToken);
  r.authorization = good;
  AdminVerdict v = a.Check(r);
  ASSERT_FALSE(v.refusal) << v.message;
  EXPECT_EQ(v.identity, "token:ops");
  for (const std::string& bad : std::vector<std::string>{
           "Basic " + Base64(std::string("ci:") + kOpsToken),
           "Basic " + Base64(std::string(":") + kOpsToken),
           "Basic " + Base64(kOpsToken), "Basic !!!!", "Basic "}) {
    r.authorization = bad;
    v = a.Check(r);
    ASSERT_TRUE(v.refusal) << bad;
    EXPECT_EQ(*v.refusal, AdminRefusal::kBadCredentials) << bad;
    EXPECT_EQ(v.www_authenticate, "Basic realm=\"fixgw admin\"");
  }
}

TEST(AdminAccessTest, PostsMustBeJsonWithoutQueryString) {
  const AdminAccess a = AdminAccess::WithTokens(Tokens(), kPort);
  const std::string bearer = std::string("Bearer ") + kOpsToken;
  for (std::optional<std::string_view> type :
       {std::optional<std::string_view>("application/x-www-form-urlencoded"),
        std::optional<std::string_view>("text/plain"),
        std::optional<std::string_view>("multipart/form-data; boundary=x"),
        std::optional<std::string_view>("application/jsonx"),
        std::optional<std::string_view>()}) {
    AdminRequest r = JsonPost();
    r.authorization = bearer;
    r.content_type = type;
    const AdminVerdict v = a.Check(r);
    ASSERT_TRUE(v.refusal) << type.value_or("(none)");
    EXPECT_EQ(*v.refusal, AdminRefusal::kContentType);
    EXPECT_EQ(v.http_status, 415);
    EXPECT_NE(v.message.find("Content-Type: application/json"),
              std::string::npos);
  }
  AdminRequest r = JsonPost();
  r.authorization = bearer;
  r.content_type = "Application/JSON; charset=utf-8";
  EXPECT_FALSE(a.Check(r).refusal);
  r.has_query = true;
  const AdminVerdict v = a.Check(r);
  ASSERT_TRUE(v.refusal);
  EXPECT_EQ(*v.refusal, AdminRefusal::kBadRequest);
  EXPECT_EQ(v.http_status, 400);
  EXPECT_NE(v.message.find("not the query string"), std::string::npos);
}

TEST(AdminAccessTest, UnauthenticatedModeStillChecksTheRest) {
  const AdminAccess a = AdminAccess::Unauthenticated(kPort);
  AdminVerdict v = a.Check(JsonPost());
  ASSERT_FALSE(v.refusal) << v.message;
  EXPECT_EQ(v.identity, "unauthenticated");
  AdminRequest form = JsonPost();
  form.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(a.Check(form).refusal, AdminRefusal::kContentType);
  AdminRequest foreign = Get();
  foreign.host = "evil.example:8081";
  EXPECT_EQ(a.Check(foreign).refusal, AdminRefusal::kHost);
}

TEST(AdminAccessTest, DefaultRefusesAllButHealth) {
  const AdminAccess a;
  AdminRequest r = Get();
  r.host = "127.0.0.1:0";
  const std::string bearer = "Bearer " + std::string(43, 'A');
  r.authorization = bearer;
  EXPECT_EQ(a.Check(r).refusal, AdminRefusal::kBadCredentials);
  AdminRequest health = Get("/health");
  health.host = "127.0.0.1:0";
  EXPECT_FALSE(a.Check(health).refusal);
}

const std::map<std::string, size_t> kKillLimits = {
    {"action", 16}, {"scope", 16}, {"name", 64}, {"reason", 256}};

TEST(AdminParamsTest, ReadsAJsonObjectOfStrings) {
  auto p = ParseAdminParams(
      R"({"action":"engage","scope":"account","name":"ACC1","reason":"runaway algo é"})",
      kKillLimits);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->at("action"), "engage");
  EXPECT_EQ(p->at("name"), "ACC1");
  EXPECT_EQ(p->at("reason"), "runaway algo é");
  auto empty = ParseAdminParams("", kKillLimits);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(ParseAdminParams(" {} ", {}).ok());
}

TEST(AdminParamsTest, RefusesWhatIsNotAnObjectOfKnownStrings) {
  struct Case {
    std::string body;
    std::string expected;
  };
  const Case cases[] = {
      {"action=engage&scope=global", "not valid JSON"},
      {R"({"action":"engage")", "not valid JSON"},
      {R"(["engage"])", "must be a JSON object"},
      {R"("engage")", "must be a JSON object"},
      {R"({"action":1})", "'action' must be a string"},
      {R"({"action":null})", "'action' must be a string"},
      {R"({"scope":{"x":"y"}})", "'scope' must be a string"},
      {R"({"actor":"me"})",
       "unknown parameter 'actor' (expected action, name, reason, scope)"},
      {"{\"act\nor\":\"me\"}", "not valid JSON"},
      {R"({"a\nb":"me"})", "unknown parameter 'a?b'"},
  };
  for (const Case& c : cases) {
    auto p = ParseAdminParams(c.body, kKillLimits);
    ASSERT_FALSE(p.ok()) << c.body;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << c.body << " -> " << p.status().message();
  }
}

TEST(AdminParamsTest, RefusesControlCharactersAndInvalidUtf8NamingTheKey) {
  struct Case {
    std::string body;
    std::string expected;
  };
  const Case cases[] = {
      {R"({"reason":"a\nINFO forged"})",
       "'reason' contains a control "
       "character"},
      {R"({"reason":"a\r"})", "'reason' contains a control character"},
      {R"({"name":"A\u0000B"})", "'name' contains a control character"},
      {R"({"name":"\u001b[31m"})", "'name' contains a control character"},
      {"{\"reason\":\"del\x7f\"}", "'reason' contains a control character"},
      {R"({"reason":"del\u007f"})", "'reason' contains a control character"},
      {"{\"action\":\"engage\",\"reason\":\"bad \xff byte\"}",
       "'reason' is not valid UTF-8"},
      {"{\"name\":\"\xc0\xaf\"}", "'name' is not valid UTF-8"},
      {R"({"name":"\ud800"})", "not valid JSON"},
  };
  for (const Case& c : cases) {
    auto p = ParseAdminParams(c.body, kKillLimits);
    ASSERT_FALSE(p.ok()) << c.body;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << c.body << " -> " << p.status().message();
    EXPECT_EQ(p.status().message().find("forged"), std::string::npos);
  }
}

TEST(AdminParamsTest, LengthLimitsAreInclusive) {
  auto ok =
      ParseAdminParams(R"({"reason":")" + std::string(256, 'r') +
                           R"(","name":")" + std::string(64, 'n') + R"("})",
                       kKillLimits);
  EXPECT_TRUE(ok.ok()) << ok.status().message();
  auto reason = ParseAdminParams(
      R"({"reason":")" + std::string(257, 'r') + R"("})", kKillLimits);
  ASSERT_FALSE(reason.ok());
  EXPECT_EQ(reason.status().message(), "'reason' is longer than 256 bytes");
  auto name = ParseAdminParams(R"({"name":")" + std::string(65, 'n') + R"("})",
                               kKillLimits);
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().message(), "'name' is longer than 64 bytes");
}

TEST(AdminParamsTest, PrintableKeepsLogLinesWhole) {
  EXPECT_EQ(Printable("/kill\nswitch\x1b\xff"), "/kill?switch??");
  EXPECT_EQ(Printable("abcdef", 3), "abc...");
}

// The codec Basic credentials and tokens go through, against RFC 4648's
// test vectors (section 10).
TEST(Base64Test, MatchesTheRfcVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
      {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, encoded] : vectors) {
    EXPECT_EQ(Base64(raw), encoded) << raw;
    if (*raw != '\0') {
      EXPECT_EQ(Unbase64(encoded), std::string(raw)) << raw;
    }
  }
  EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
  EXPECT_FALSE(Unbase64("Zm9").has_value());
  EXPECT_FALSE(Unbase64("Zm9v!A==").has_value());
}

}  // namespace
}  // namespace fixgw::gw

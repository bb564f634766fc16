#include "gateway/fixgw/gateway_config.h"

#include <gtest/gtest.h>

namespace fixgw::gw {
namespace {

using Keys = std::map<std::string, std::string>;

TEST(GatewayConfigTest, ParsesEveryKey) {
  auto c = ParseGatewayConfig(Keys{{"JOURNALPATH", "/tmp/j.db"},
                                   {"JOURNALSYNC", "full"},
                                   {"IDPREFIX", "GW2"},
                                   {"SYMBOLS", "AAPL,MSFT"},
                                   {"RISKCONFIG", "/etc/risk.toml"},
                                   {"ADMINPORT", "8081"},
                                   {"ADMINTOKENFILE", "/etc/fixgw/tokens"},
                                   {"ADMINAUTH", "token"},
                                   {"LOGLEVEL", "debug"},
                                   {"LOGFILE", "/var/log/fixgw.log"},
                                   {"LOGCONSOLE", "off"},
                                   {"DRAINTIMEOUTSECONDS", "30"},
                                   {"FINISHEDORDERSKEPT", "500"},
                                   {"JOURNALVERIFY", "checkpoint"},
                                   {"FILEMODE", "0640"},
                                   {"EXCHANGESILENCESECONDS", "1"},
                                   {"EXCHANGEANSWERSECONDS", "3600"},
                                   {"MAXPENDINGSECONDS", "86400"},
                                   {"REFUSEORDERSWHENEXCHANGEUNRESPONSIVE",
                                    "Y"}},
                              "gw.cfg");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->journal_path, "/tmp/j.db");
  EXPECT_EQ(c->journal_sync, store::SyncMode::kFull);
  EXPECT_EQ(c->id_prefix, "GW2");
  EXPECT_EQ(c->symbols, (std::set<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(c->risk_config, "/etc/risk.toml");
  EXPECT_TRUE(c->risk_checks);
  EXPECT_EQ(c->admin_port, 8081);
  EXPECT_EQ(c->admin_token_file, "/etc/fixgw/tokens");
  EXPECT_TRUE(c->admin_auth);
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_file, "/var/log/fixgw.log");
  EXPECT_EQ(c->log_console, "off");
  EXPECT_EQ(c->drain_timeout_s, 30);
  EXPECT_EQ(c->finished_orders_kept, 500u);
  EXPECT_EQ(c->exchange_silence_s, 1);
  EXPECT_EQ(c->exchange_answer_s, 3600);
  EXPECT_EQ(c->max_pending_s, 86400);
  EXPECT_TRUE(c->refuse_when_exchange_unresponsive);
  EXPECT_EQ(c->journal_verify, store::VerifyMode::kCheckpoint);
  EXPECT_EQ(c->file_mode, 0640u);
}

TEST(GatewayConfigTest, WholeJournalIsVerifiedAndFilesArePrivateByDefault) {
  auto c = ParseGatewayConfig(Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}},
                              "gw.cfg");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->journal_verify, store::VerifyMode::kFull);
  EXPECT_EQ(c->file_mode, 0600u);
}

TEST(GatewayConfigTest, PassThroughNeedsNoJournalAndNoRisk) {
  auto c = ParseGatewayConfig(Keys{{"PASSTHROUGH", "Y"}}, "gw.cfg");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->pass_through);
  EXPECT_FALSE(c->risk_checks);
  auto bad = ParseGatewayConfig(
      Keys{{"PASSTHROUGH", "Y"}, {"JOURNALPATH", "j"}}, "gw.cfg");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("JOURNALPATH"), std::string::npos);
  // Named as written when the spelling is known.
  bad = ParseGatewayConfig(Keys{{"PASSTHROUGH", "Y"}, {"JOURNALPATH", "j"}},
                           "gw.cfg", {{"JOURNALPATH", "JournalPath"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("found JournalPath"),
            std::string::npos);
}

TEST(GatewayConfigTest, RiskChecksOffNeedsNoRiskFile) {
  auto c = ParseGatewayConfig(
      Keys{{"JOURNALPATH", "j.db"}, {"RISKCHECKS", "off"}}, "gw.cfg");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->risk_checks);
  EXPECT_EQ(c->risk_config, "");
}

TEST(GatewayConfigTest, DefaultsApply) {
  auto c = ParseGatewayConfig(
      Keys{{"JOURNALPATH", "j.db"}, {"RISKCONFIG", "r.toml"}}, "gw.cfg");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->journal_sync, store::SyncMode::kNormal);
  EXPECT_EQ(c->id_prefix, "GW");
  EXPECT_TRUE(c->symbols.empty());
  EXPECT_TRUE(c->risk_checks);
  EXPECT_EQ(c->admin_port, 0);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_file, "");
  EXPECT_EQ(c->log_console, "stderr");
  EXPECT_EQ(c->drain_timeout_s, 10);
  EXPECT_EQ(c->finished_orders_kept, 10'000u);
  EXPECT_EQ(c->exchange_silence_s, 2);
  EXPECT_EQ(c->exchange_answer_s, 3);
  EXPECT_EQ(c->max_pending_s, 10);
  EXPECT_FALSE(c->refuse_when_exchange_unresponsive);
}

TEST(GatewayConfigTest, AdminApiWithoutTokensNeedsAnExplicitOptOut) {
  const Keys base{{"JOURNALPATH", "j.db"}, {"RISKCONFIG", "r.toml"},
                  {"ADMINPORT", "8081"}};
  auto missing = ParseGatewayConfig(base, "gw.cfg");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(
                "gw.cfg: [GATEWAY] AdminTokenFile is required with AdminPort"),
            std::string::npos)
      << missing.status().message();
  Keys none = base;
  none["ADMINAUTH"] = "none";
  auto dev = ParseGatewayConfig(none, "gw.cfg");
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  EXPECT_FALSE(dev->admin_auth);
  EXPECT_EQ(dev->admin_token_file, "");
  // No admin API, nothing to authenticate.
  auto off = ParseGatewayConfig(
      Keys{{"JOURNALPATH", "j.db"}, {"RISKCONFIG", "r.toml"}}, "gw.cfg");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->admin_auth);
}

struct Bad {
  Keys keys;
  std::string mention;
};
class GatewayConfigErrorTest : public ::testing::TestWithParam<Bad> {};

TEST_P(GatewayConfigErrorTest, NamesFileAndKey) {
  auto c = ParseGatewayConfig(GetParam().keys, "gw.cfg");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("gw.cfg"), std::string::npos) << m;
  EXPECT_NE(m.find(GetParam().mention), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GatewayConfigErrorTest,
    ::testing::Values(
        Bad{Keys{}, "JournalPath"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"JOURNALSYNC", "sometimes"}},
            "JournalSync"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"IDPREFIX", "G-W"}}, "IdPrefix"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"SYMBOLS", "AAPL,,MSFT"}}, "Symbols"},
        Bad{Keys{{"JOURNALPATH", "j"}}, "RiskConfig"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"RISKCHECKS", "no"}},
            "RiskChecks"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"RISKCHECKS", "off"}},
            "RiskChecks=off"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"ADMINPORT", "0"}},
            "AdminPort"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"ADMINPORT", "x"}},
            "AdminPort"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"MAXORDERQTY", "5"}}, "MAXORDERQTY"},
        Bad{Keys{{"PASSTHROUGH", "yes"}}, "PassThrough"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"LOGLEVEL", "loud"}},
            "LogLevel"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"LOGFILE", ""}},
            "LogFile"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"LOGCONSOLE", "tty"}},
            "LogConsole"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"DRAINTIMEOUTSECONDS", "-1"}},
            "DrainTimeoutSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"FINISHEDORDERSKEPT", "-5"}},
            "FinishedOrdersKept"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"FINISHEDORDERSKEPT", "1.5"}},
            "FinishedOrdersKept"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"EXCHANGESILENCESECONDS", "0"}},
            "ExchangeSilenceSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"EXCHANGESILENCESECONDS", "3601"}},
            "ExchangeSilenceSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"EXCHANGEANSWERSECONDS", "0.5"}},
            "ExchangeAnswerSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"EXCHANGEANSWERSECONDS", "3601"}},
            "ExchangeAnswerSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"MAXPENDINGSECONDS", "0"}},
            "MaxPendingSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"MAXPENDINGSECONDS", "86401"}},
            "MaxPendingSeconds"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"REFUSEORDERSWHENEXCHANGEUNRESPONSIVE", "yes"}},
            "RefuseOrdersWhenExchangeUnresponsive"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"ADMINPORTT", "1"}}, "ADMINPORTT"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"JOURNALVERIFY", "fast"}},
            "JournalVerify"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"FILEMODE", "0644"}},
            "FileMode"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"ADMINPORT", "8081"}, {"ADMINAUTH", "off"}},
            "AdminAuth=off: must be 'token' or 'none'"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"ADMINPORT", "8081"}, {"ADMINTOKENFILE", ""}},
            "AdminTokenFile"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"ADMINPORT", "8081"}, {"ADMINAUTH", "none"},
                 {"ADMINTOKENFILE", "t"}},
            "AdminTokenFile is set but AdminAuth=none"},
        Bad{Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"},
                 {"ADMINTOKENFILE", "t"}},
            "AdminTokenFile is set but AdminPort is not"}));

TEST(GatewayConfigTest, LogLevelWarningIsWhatTheLogPrints) {
  for (const char* level : {"warning", "warn"}) {
    auto c = ParseGatewayConfig(
        Keys{{"JOURNALPATH", "j"}, {"RISKCONFIG", "r"}, {"LOGLEVEL", level}},
        "gw.cfg");
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->log_level, "warning");
  }
}

TEST(GatewayConfigTest, UnknownKeyIsNamedAsWritten) {
  const std::string text =
      "[DEFAULT]\nBeginString=FIX.4.4\n[GATEWAY]\nJournalPath=j\n"
      "  RiskConfig = r\nAdminPortt=8081\n[SESSION]\nAdminPortX=1\n";
  const auto spelling = KeySpelling(text, "GATEWAY");
  EXPECT_EQ(spelling.at("ADMINPORTT"), "AdminPortt");
  EXPECT_EQ(spelling.at("RISKCONFIG"), "RiskConfig");
  EXPECT_FALSE(spelling.contains("ADMINPORTX"));
  EXPECT_FALSE(spelling.contains("BEGINSTRING"));
  auto c = ParseGatewayConfig(Keys{{"JOURNALPATH", "j"},
                                   {"RISKCONFIG", "r"},
                                   {"ADMINPORTT", "8081"}},
                              "gw.cfg", spelling);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "gw.cfg: unknown key 'AdminPortt' in [GATEWAY]");
}

TEST(GatewayConfigTest, RiskFileNamesThatMatchNothingAreWarnedAbout) {
  auto limits = risk::ParseRiskLimits(R"(
[accounts.ACC1]
allowed_symbols = ["AAPL", "TSLA"]
[symbols.AAPL]
reference_price = "100"
[symbols.IBM]
reference_price = "100"
[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1"]
[sessions.ALPHA]
allowed_accounts = ["ACC1"]
[sessions."FIX.4.4:GW->NOBODY"]
allowed_accounts = ["ACC1"]
)",
                                      "risk.toml");
  ASSERT_TRUE(limits.ok()) << limits.status().message();
  const std::vector<std::string> w = RiskFileWarnings(
      *limits, {"FIX.4.4:GW->BROKER1", "FIX.4.4:GW->ALPHA"}, {"AAPL", "MSFT"},
      "risk.toml");
  ASSERT_EQ(w.size(), 4u) << ::testing::PrintToString(w);
  EXPECT_EQ(w[0],
            "risk.toml: [sessions.\"ALPHA\"] matches no broker session of "
            "the settings file, so its limits apply to nothing; the risk file "
            "names a session by its full key: [sessions.\"FIX.4.4:GW->ALPHA\"]");
  EXPECT_EQ(w[1],
            "risk.toml: [sessions.\"FIX.4.4:GW->NOBODY\"] matches no broker "
            "session of the settings file, so its limits apply to nothing");
  EXPECT_EQ(w[2],
            "risk.toml: [symbols.IBM] is not in [GATEWAY] Symbols: orders for "
            "it are refused before any risk check");
  EXPECT_EQ(w[3],
            "risk.toml: accounts.ACC1.allowed_symbols names TSLA, which is not "
            "a [symbols.*] entry");
  // Without [GATEWAY] Symbols any symbol is tradable.
  EXPECT_EQ(RiskFileWarnings(*limits, {"FIX.4.4:GW->BROKER1",
                                       "FIX.4.4:GW->ALPHA",
                                       "FIX.4.4:GW->NOBODY"},
                             {}, "risk.toml")
                .size(),
            2u);
}

}  // namespace
}  // namespace fixgw::gw

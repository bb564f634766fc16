#include "gateway/fixgw/session_options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace fixgw::gw {
namespace {

// A settings file with one broker and one exchange session; `broker` and
// `exchange` are extra lines for their blocks.
class SessionOptionsTest : public ::testing::Test {
 protected:
  // `more`: further [SESSION] blocks, after the exchange's.
  Result<LoadedSessionOptions> Load(const std::string& broker,
                                    const std::string& exchange = "",
                                    const std::string& more = "") {
    std::ofstream(path_) << "[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
                            "StartTime=00:00:00\nEndTime=00:00:00\n"
                            "HeartBtInt=30\nDataDictionary=" FIXGW_FIX44_XML "\n"
                            "\n[SESSION]\nConnectionType=acceptor\n"
                            "TargetCompID=B1\nSocketAcceptPort=1\n"
                         << broker
                         << "\n[SESSION]\nConnectionType=initiator\n"
                            "TargetCompID=X\nSocketConnectHost=127.0.0.1\n"
                            "SocketConnectPort=2\n"
                         << exchange << more;
    auto split = fix::LoadSessionSettings(path_, GatewaySessionDefaults());
    if (!split.ok()) return split.status();
    exchange_defaults_ = split->initiators.get(
        *split->initiators.getSessions().begin());
    return LoadSessionOptions(*split, path_);
  }
  ~SessionOptionsTest() override { unlink(path_.c_str()); }

  // One file per process: ctest runs each test as its own process, in
  // parallel.
  std::string path_ = ::testing::TempDir() + "session_options_test." +
                      std::to_string(getpid()) + ".cfg";
  FIX::Dictionary exchange_defaults_;
};

TEST_F(SessionOptionsTest, ReadsVersionPrecisionDefaultAccountAndDenyList) {
  auto o = Load("DefaultAccount=ACC9\nPassThroughDeny=58, 9001\n"
                "TimestampPrecision=6\n",
                "BeginString=FIX.4.2\nDataDictionary=" FIXGW_FIX42_XML "\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  const auto& broker = o->sessions.at("FIX.4.4:GW->B1");
  EXPECT_EQ(broker.default_account, "ACC9");
  EXPECT_EQ(broker.dialect.deny, (std::set<int>{58, 9001}));
  EXPECT_EQ(broker.dialect.timestamp_digits, 6);
  ASSERT_NE(broker.dialect.dictionary, nullptr);
  const auto& exchange = o->sessions.at("FIX.4.2:GW->X");
  EXPECT_EQ(exchange.dialect.version, fix::FixVersion::kFix42);
  EXPECT_EQ(exchange.dialect.timestamp_digits, 3);
  EXPECT_EQ(exchange.dialect.dictionary->getVersion(), "FIX.4.2");
  // The venue's extra tags are accepted unless the block says otherwise.
  EXPECT_EQ(exchange_defaults_.getString("ValidateUserDefinedFields"), "N");
  EXPECT_EQ(exchange_defaults_.getString("AllowUnknownMsgFields"), "Y");
}

TEST_F(SessionOptionsTest, CancelOnDisconnectIsOffByDefaultWithoutDelay) {
  auto o = Load("");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_FALSE(o->sessions.at("FIX.4.4:GW->B1").cancel_on_disconnect);
  EXPECT_EQ(o->sessions.at("FIX.4.4:GW->B1").cancel_on_disconnect_delay_s, 0);
  o = Load("CancelOnDisconnect=Y\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o->sessions.at("FIX.4.4:GW->B1").cancel_on_disconnect);
  EXPECT_EQ(o->sessions.at("FIX.4.4:GW->B1").cancel_on_disconnect_delay_s, 0);
  EXPECT_FALSE(o->sessions.at("FIX.4.4:GW->X").cancel_on_disconnect);
  o = Load("CancelOnDisconnect=Y\nCancelOnDisconnectDelaySeconds=3600\n",
           "CancelOnDisconnect=N\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->sessions.at("FIX.4.4:GW->B1").cancel_on_disconnect_delay_s,
            3600);
}

TEST_F(SessionOptionsTest, ExchangeBlockMayKeepQuickFixsStrictChecks) {
  ASSERT_TRUE(Load("", "ValidateUserDefinedFields=Y\n").ok());
  EXPECT_EQ(exchange_defaults_.getString("ValidateUserDefinedFields"), "Y");
}

TEST_F(SessionOptionsTest, ErrorsNameTheSessionAndTheKey) {
  struct Case {
    std::string broker, exchange, message;
  };
  for (const Case& c : std::vector<Case>{
           {"BeginString=FIX.4.3\n", "",
            "session FIX.4.3:GW->B1: BeginString=FIX.4.3: not supported "
            "(FIX.4.2 and FIX.4.4 are)"},
           {"BeginString=FIX.4.2\n", "",
            "session FIX.4.2:GW->B1: DataDictionary=" FIXGW_FIX44_XML
            ": is a FIX.4.4 dictionary, the session speaks FIX.4.2"},
           {"TimestampPrecision=4\n", "",
            "session FIX.4.4:GW->B1: TimestampPrecision=4: must be 0, 3, 6 "
            "or 9"},
           {"", "DefaultAccount=A\n",
            "session FIX.4.4:GW->X: DefaultAccount=A: only broker (acceptor) "
            "sessions take one"},
           {"PassThroughDeny=58,x\n", "",
            "session FIX.4.4:GW->B1: PassThroughDeny=58,x: 'x' is not a tag "
            "number"},
           {"CancelOnDisconnect=yes\n", "",
            "session FIX.4.4:GW->B1: CancelOnDisconnect=yes: must be Y or N"},
           {"", "CancelOnDisconnect=Y\n",
            "session FIX.4.4:GW->X: CancelOnDisconnect=Y: only broker "
            "(acceptor) sessions take it"},
           {"CancelOnDisconnect=Y\nCancelOnDisconnectDelaySeconds=-1\n", "",
            "session FIX.4.4:GW->B1: CancelOnDisconnectDelaySeconds=-1: must "
            "be a whole number of seconds from 0 to 3600"},
           {"CancelOnDisconnect=Y\nCancelOnDisconnectDelaySeconds=3601\n", "",
            "session FIX.4.4:GW->B1: CancelOnDisconnectDelaySeconds=3601: "
            "must be a whole number of seconds from 0 to 3600"},
           {"CancelOnDisconnect=Y\nCancelOnDisconnectDelaySeconds=1.5\n", "",
            "session FIX.4.4:GW->B1: CancelOnDisconnectDelaySeconds=1.5: must "
            "be a whole number of seconds from 0 to 3600"},
           {"CancelOnDisconnectDelaySeconds=5\n", "",
            "session FIX.4.4:GW->B1: CancelOnDisconnectDelaySeconds=5: needs "
            "CancelOnDisconnect=Y in the same session"}}) {
    auto o = Load(c.broker, c.exchange);
    ASSERT_FALSE(o.ok()) << c.message;
    EXPECT_EQ(o.status().message(), path_ + ": " + c.message);
  }
}

// A broker-side session block for TargetCompID `comp` with `keys`.
std::string Acceptor(const std::string& comp, const std::string& keys) {
  return "\n[SESSION]\nConnectionType=acceptor\nTargetCompID=" + comp +
         "\nSocketAcceptPort=1\n" + keys;
}

TEST_F(SessionOptionsTest, SessionsAreBrokersUnlessTheirRoleIsDropCopy) {
  auto o = Load("Role=broker\n", "",
                Acceptor("B2", "") + Acceptor("DC", "Role=dropcopy\n"));
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_FALSE(o->sessions.at("FIX.4.4:GW->B1").drop_copy);
  EXPECT_FALSE(o->sessions.at("FIX.4.4:GW->B2").drop_copy);
  EXPECT_TRUE(o->sessions.at("FIX.4.4:GW->DC").drop_copy);
  // Without lists it copies every session and account.
  ASSERT_EQ(o->drop_copies.size(), 1u);
  EXPECT_EQ(o->drop_copies[0].session, "FIX.4.4:GW->DC");
  EXPECT_TRUE(o->drop_copies[0].sessions.empty());
  EXPECT_TRUE(o->drop_copies[0].accounts.empty());
}

TEST_F(SessionOptionsTest, DropCopyListsResolveShortAndFullSessionNames) {
  auto o = Load("", "",
                Acceptor("B2", "") +
                    Acceptor("DC", "Role=dropcopy\nDropCopySessions=B1, "
                                   "FIX.4.4:GW->B2\n"
                                   "DropCopyAccounts=ACC1 ,ACC2\n") +
                    Acceptor("DC2", "Role=dropcopy\nDropCopySessions=\n"));
  ASSERT_TRUE(o.ok()) << o.status().message();
  ASSERT_EQ(o->drop_copies.size(), 2u);
  const auto& dc = o->drop_copies[0].session == "FIX.4.4:GW->DC"
                       ? o->drop_copies[0]
                       : o->drop_copies[1];
  const auto& dc2 = &dc == &o->drop_copies[0] ? o->drop_copies[1]
                                               : o->drop_copies[0];
  EXPECT_EQ(dc.sessions,
            (std::set<std::string>{"FIX.4.4:GW->B1", "FIX.4.4:GW->B2"}));
  EXPECT_EQ(dc.accounts, (std::set<std::string>{"ACC1", "ACC2"}));
  EXPECT_EQ(dc2.session, "FIX.4.4:GW->DC2");
  EXPECT_TRUE(dc2.sessions.empty());  // empty means every session
}

TEST_F(SessionOptionsTest, DropCopyErrorsNameTheFileTheSessionAndTheKey) {
  struct Case {
    std::string broker, exchange, more, message;
  };
  for (const Case& c : std::vector<Case>{
           {"Role=trader\n", "", "",
            "session FIX.4.4:GW->B1: Role=trader: must be broker or dropcopy"},
           {"", "Role=dropcopy\n", "",
            "session FIX.4.4:GW->X: Role=dropcopy: only broker (acceptor) "
            "sessions take one"},
           {"DropCopyAccounts=ACC1\n", "", "",
            "session FIX.4.4:GW->B1: DropCopyAccounts=ACC1: only a session "
            "with Role=dropcopy takes one"},
           {"DropCopySessions=B1\n", "", "",
            "session FIX.4.4:GW->B1: DropCopySessions=B1: only a session "
            "with Role=dropcopy takes one"},
           {"", "", Acceptor("DC", "Role=dropcopy\nDefaultAccount=A\n"),
            "session FIX.4.4:GW->DC: DefaultAccount=A: a drop-copy session "
            "sends no orders"},
           {"", "", Acceptor("DC", "Role=dropcopy\nDropCopySessions=NOPE\n"),
            "session FIX.4.4:GW->DC: DropCopySessions=NOPE: unknown session "
            "'NOPE'"},
           {"", "",
            Acceptor("DC", "Role=dropcopy\nDropCopySessions=B1,DC2\n") +
                Acceptor("DC2", "Role=dropcopy\n"),
            "session FIX.4.4:GW->DC: DropCopySessions=B1,DC2: 'DC2' is a "
            "drop-copy session, not a broker session"}}) {
    auto o = Load(c.broker, c.exchange, c.more);
    ASSERT_FALSE(o.ok()) << c.message;
    // The unknown-name message goes on to list the valid names.
    EXPECT_EQ(o.status().message().substr(0, path_.size() + 2 +
                                                 c.message.size()),
              path_ + ": " + c.message);
  }
}

TEST_F(SessionOptionsTest, DropCopyAccountsMustBeConfiguredAccounts) {
  auto o = Load("", "",
                Acceptor("DC", "Role=dropcopy\nDropCopyAccounts=ACC1,ACCX\n"));
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(CheckDropCopyAccounts(*o, {"ACC1", "ACCX", "ACC3"}, path_).ok());
  Status st = CheckDropCopyAccounts(*o, {"ACC1", "ACC3"}, path_);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            path_ + ": session FIX.4.4:GW->DC: DropCopyAccounts=ACC1,ACCX: "
                    "unknown account 'ACCX': the accounts are ACC1, ACC3");
}

// A second exchange session, for the venue tests.
constexpr const char* kSecondVenue =
    "\n[SESSION]\nConnectionType=initiator\nTargetCompID=Y\n"
    "SocketConnectHost=127.0.0.1\nSocketConnectPort=3\n";

TEST_F(SessionOptionsTest, OneVenueIsNamedAfterItsTargetCompId) {
  auto o = Load("");
  ASSERT_TRUE(o.ok()) << o.status().message();
  ASSERT_EQ(o->venues.size(), 1U);
  EXPECT_EQ(o->venues[0].name, "X");
  EXPECT_EQ(o->venues[0].session.toString(), "FIX.4.4:GW->X");
  EXPECT_EQ(o->venues[0].max_messages_per_second, 0);
  EXPECT_EQ(o->venues[0].max_queued_messages, 1000);
}

TEST_F(SessionOptionsTest, SeveralVenuesNeedNamesAndDistinctSymbols) {
  auto o = Load("",
                "Venue=XA\nVenueSymbols=AAPL, MSFT\n"
                "MaxMessagesPerSecond=50\nMaxQueuedMessages=10\n",
                std::string(kSecondVenue) + "Venue=XB\nVenueSymbols=IBM\n");
  ASSERT_TRUE(o.ok()) << o.status().message();
  ASSERT_EQ(o->venues.size(), 2U);
  EXPECT_EQ(o->venues[0].name, "XA");
  EXPECT_EQ(o->venues[0].symbols, (std::set<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(o->venues[0].max_messages_per_second, 50);
  EXPECT_EQ(o->venues[0].max_queued_messages, 10);
  EXPECT_EQ(o->venues[1].name, "XB");
  EXPECT_EQ(o->RouterVenues().size(), 2U);

  auto unnamed = Load("", "Venue=XA\n", kSecondVenue);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.status().message().find(
                "session FIX.4.4:GW->Y: Venue=: every exchange session needs "
                "a Venue name when there are several"),
            std::string::npos)
      << unnamed.status().message();
  auto twice =
      Load("", "Venue=XA\nVenueSymbols=AAPL\n",
           std::string(kSecondVenue) + "Venue=XB\nVenueSymbols=MSFT,AAPL\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find(
                "VenueSymbols=MSFT,AAPL: symbol AAPL is already routed to "
                "venue XA"),
            std::string::npos)
      << twice.status().message();
  auto same = Load("", "Venue=XA\n", std::string(kSecondVenue) + "Venue=XA\n");
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("already the name of"),
            std::string::npos);
}

TEST_F(SessionOptionsTest, VenueKeysAreCheckedAndBelongToExchangeSessions) {
  for (const char* bad :
       {"Venue=a b\n", "Venue=\n", "Venue=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\n",
        "MaxMessagesPerSecond=-1\n", "MaxMessagesPerSecond=fast\n",
        "MaxQueuedMessages=0\n"}) {
    auto o = Load("", bad);
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_NE(o.status().message().find("session FIX.4.4:GW->X: "),
              std::string::npos)
        << o.status().message();
  }
  auto on_broker = Load("Venue=XA\n");
  ASSERT_FALSE(on_broker.ok());
  EXPECT_NE(on_broker.status().message().find(
                "session FIX.4.4:GW->B1: Venue=XA: only exchange (initiator) "
                "sessions take one"),
            std::string::npos)
      << on_broker.status().message();
}

}  // namespace
}  // namespace fixgw::gw

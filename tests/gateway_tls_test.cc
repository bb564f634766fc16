// Security end to end (issue 7): fixgw's broker side and exchange side over
// TLS with the harness's throwaway certificates (tests/harness/tls_pki.h:
// a CA, server, exchange and client certificates, and a second "other" CA
// with its own client certificate; nothing is committed), logon
// authentication against PBKDF2 hashes made by `fixgw --hash-password`,
// entitlements, and for every denial the exact FIX answer and the journal
// entry.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"
#include "tests/harness/tls_peer.h"
#include "tests/harness/tls_pki.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kPassword = "s3cret-Pa55";

std::string LogonBytes(const std::string& sender, const std::string& extra) {
  return FixMessage("35=A|49=" + sender + "|56=GW|34=1|52=" + FixNow() +
                    "|98=0|108=30|141=Y|" + extra);
}

std::string Credentials(const std::string& user, const std::string& pw) {
  return "553=" + user + "|554=" + pw + "|";
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_error_ = SharedTlsPki().error;
    hash_dir_ = new TempDir();
    // The broker's password hash, made by the command operators use.
    const std::string in =
        hash_dir_->Write("password.txt", std::string(kPassword) + "\n");
    const std::string out = hash_dir_->path() + "/hash.txt";
    const int rc =
        RunToCompletion({"/bin/sh", "-c",
                         std::string(FIXGW_BIN) +
                             " --hash-password --iterations 10000 < " + in},
                        out, seconds(30));
    hash_ = ReadFile(out);
    while (!hash_.empty() && hash_.back() == '\n') hash_.pop_back();
    if (rc != 0) pki_error_ += "fixgw --hash-password failed: " + hash_;
  }
  static void TearDownTestSuite() { delete hash_dir_; }

  static std::string Pem(const std::string& name) {
    return SharedTlsPki().Pem(name);
  }

  // A TLS client presenting `cert` (none if ""), the handshake run (2 s).
  std::unique_ptr<TlsPeer> TlsClient(const std::string& cert,
                                     const std::string& key,
                                     int max_version = 0) {
    std::string error;
    auto context = TlsClientContext::Create(
        {Pem("ca.pem"), cert, key, max_version}, &error);
    EXPECT_TRUE(context != nullptr) << error;
    auto client = std::make_unique<TlsPeer>(cluster_.gateway_port(), context);
    EXPECT_TRUE(client->connected());
    client->Handshake(seconds(2));
    return client;
  }

  void SetUp() override {
    ASSERT_TRUE(pki_error_.empty()) << pki_error_;
    ASSERT_EQ(hash_.rfind("pbkdf2-sha256$10000$", 0), 0u) << hash_;
  }

  // TLS on both sides: client certificates required on the broker side,
  // the exchange's certificate verified on the exchange side.
  void UseTls() { ConfigureTls(SharedTlsPki(), cluster_); }

  // Username/PasswordHash on BROKER1 only, and message logs (to check that
  // the password never reaches them).
  void UseCredentials() {
    cluster_.broker_session_extra_for["BROKER1"] =
        "Username=broker1\nPasswordHash=" + hash_ + "\n";
    cluster_.broker_session_extra += "FileLogPath=" + dir_.path() + "/gwlog\n";
  }

  void Start() {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  std::string JournalText(const std::string& sql) const {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(cluster_.journal().c_str(), &db, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 2000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) ==
          SQLITE_OK) {
        while (sqlite3_step(stmt) == SQLITE_ROW) {
          const unsigned char* t = sqlite3_column_text(stmt, 0);
          out += t != nullptr ? reinterpret_cast<const char*>(t) : "";
          out += "\n";
        }
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return out;
  }

  // Every journal entry of `kind` as "session payload raw_fix" lines,
  // waiting up to 3 s for one that contains `needle`. (The harness's
  // readiness probe, a TCP connect without a handshake, is itself journaled
  // as a refused TLS connection.)
  std::string Journaled(const std::string& kind, const std::string& needle) {
    auto deadline = std::chrono::steady_clock::now() + seconds(3);
    while (true) {
      std::string text = JournalText(
          "SELECT session || ' ' || payload || ' ' || raw_fix "
          "FROM journal WHERE kind='" +
          kind + "' ORDER BY seq");
      if (text.find(needle) != std::string::npos ||
          std::chrono::steady_clock::now() >= deadline) {
        return text;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  // Waits for a journaled tls_handshake refusal from 127.0.0.1 whose detail
  // holds `reason` (OpenSSL's words, after the transport's own "TLS
  // handshake with ADDR failed: "); returns the journal's refusals if none
  // comes, "" if one does.
  std::string MissingTlsRefusal(const std::string& reason) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(3);
    while (true) {
      const std::string j = JournalText(
          "SELECT payload FROM journal WHERE kind='ConnectionRefused' "
          "ORDER BY seq");
      std::istringstream rows(j);
      for (std::string row; std::getline(rows, row);) {
        if (row.find(R"({"code":"tls_handshake","detail":"TLS handshake )"
                     R"(refused from 127.0.0.1: )") != std::string::npos &&
            row.find(reason) != std::string::npos) {
          return "";
        }
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return j.empty() ? "(no refusal journaled)" : j;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  // fixreplay's audit trail of the journal (text format).
  std::string Trail() {
    const std::string out = dir_.path() + "/trail.txt";
    EXPECT_EQ(
        RunToCompletion({FIXREPLAY_BIN, cluster_.journal()}, out, seconds(30)),
        0);
    return ReadFile(out);
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  std::unique_ptr<Broker> LoggedOn(const std::string& sender,
                                   const std::string& extra = "") {
    auto b = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    EXPECT_TRUE(b->connected());
    EXPECT_TRUE(b->Send("A", 1, "98=0|108=30|141=Y|" + extra));
    EXPECT_TRUE(b->WaitFor({"35=A"})) << b->Transcript() << GatewayLog();
    return b;
  }

  // Sends a Logon with `extra` and returns the answer (a Logout expected).
  std::string RefusedLogon(const std::string& extra) {
    Broker b(cluster_.gateway_port(), "BROKER1");
    EXPECT_TRUE(b.connected());
    EXPECT_TRUE(b.Send("A", 1, "98=0|108=30|141=Y|" + extra));
    auto logout = b.WaitFor({"35=5"});
    EXPECT_TRUE(logout.has_value()) << b.Transcript() << GatewayLog();
    EXPECT_TRUE(b.WaitClosed()) << b.Transcript();
    EXPECT_EQ(b.Count({"35=A"}, milliseconds(0)), 0) << b.Transcript();
    return logout.value_or("");
  }

  static TempDir* hash_dir_;
  static std::string pki_error_;
  static std::string hash_;
  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TempDir* SecurityTest::hash_dir_ = nullptr;
std::string SecurityTest::pki_error_;
std::string SecurityTest::hash_;

// ---- TLS

TEST_F(SecurityTest, PlaintextClientIsRefusedByTheTlsAcceptor) {
  UseTls();
  Start();
  RawClient plain(cluster_.gateway_port());
  ASSERT_TRUE(plain.connected());
  ASSERT_TRUE(plain.Send(LogonBytes("BROKER1", "")));
  EXPECT_TRUE(plain.WaitClosed(seconds(5)));
  // Not a byte of FIX comes back: TLS refuses before any session exists.
  EXPECT_EQ(plain.Receive(milliseconds(0)).find("35="), std::string::npos);
  EXPECT_EQ(MissingTlsRefusal("wrong version number"), "") << GatewayLog();
}

TEST_F(SecurityTest, ClientWithoutCertificateIsRefused) {
  UseTls();
  Start();
  auto client = TlsClient("", "");
  client->Send(LogonBytes("BROKER1", ""), seconds(1));
  client->Receive(seconds(3));
  const std::string& got = client->received();
  EXPECT_EQ(got.find("35=A"), std::string::npos) << got;
  EXPECT_TRUE(client->WaitClosed(milliseconds(0)) || !client->handshake_ok());
  EXPECT_EQ(MissingTlsRefusal("peer did not return a certificate"), "")
      << GatewayLog();
  const std::string trail = Trail();
  EXPECT_NE(trail.find("tls_handshake: TLS handshake refused from 127.0.0.1: "),
            std::string::npos)
      << trail;
  EXPECT_NE(trail.find("peer did not return a certificate"), std::string::npos)
      << trail;
}

TEST_F(SecurityTest, ClientWithCertificateFromAnotherCaIsRefused) {
  UseTls();
  Start();
  auto client = TlsClient(Pem("other-client.pem"), Pem("other-client.key"));
  client->Send(LogonBytes("BROKER1", ""), seconds(1));
  client->Receive(seconds(3));
  const std::string& got = client->received();
  EXPECT_EQ(got.find("35=A"), std::string::npos) << got;
  EXPECT_TRUE(client->WaitClosed(milliseconds(0)) || !client->handshake_ok());
  EXPECT_EQ(MissingTlsRefusal("certificate verify failed"), "")
      << GatewayLog();
}

TEST_F(SecurityTest, ClientOfferingOnlyTls11IsRefused) {
  UseTls();
  Start();
  auto client = TlsClient(Pem("client.pem"), Pem("client.key"), TLS1_1_VERSION);
  EXPECT_FALSE(client->handshake_ok());
  EXPECT_EQ(MissingTlsRefusal("unsupported protocol"), "") << GatewayLog();
}

TEST_F(SecurityTest, ValidClientTradesEndToEndOverTlsToATlsExchange) {
  UseTls();
  UseCredentials();
  Start();
  // The raw TLS client with the right certificate and password logs on.
  {
    auto client = TlsClient(Pem("client.pem"), Pem("client.key"));
    ASSERT_TRUE(client->handshake_ok()) << client->handshake_error();
    client->Send(LogonBytes("BROKER1", Credentials("broker1", kPassword)),
                 seconds(1));
    client->Receive(seconds(2));
    const std::string& got = client->received();
    EXPECT_NE(got.find("\x01"
                       "35=A\x01"),
              std::string::npos)
        << got;
  }
  // fixload (QuickFIX's SSL initiator) trades through the gateway to fixsim.
  cluster_.client_extra =
      "SocketUseSSL=Y\nCertificationAuthoritiesFile=" + Pem("ca.pem") +
      "\nClientCertificateFile=" + Pem("client.pem") +
      "\nClientCertificateKeyFile=" + Pem("client.key") +
      "\nUsername=broker1\nPassword=" + kPassword + "\n";
  dir_.Write("trade.script",
             "send D ClOrdID=t1 Symbol=AAPL Side=2 OrderQty=10 OrdType=2 "
             "Price=100 TimeInForce=0\n"
             "expect 8 ClOrdID=t1 ExecType=0 OrdStatus=0\n"
             "send D ClOrdID=t2 Symbol=AAPL Side=1 OrderQty=10 OrdType=2 "
             "Price=100 TimeInForce=0\n"
             "expect 8 ClOrdID=t2 ExecType=0 OrdStatus=0\n"
             "expect 8 ClOrdID=t2 ExecType=F OrdStatus=2 LastQty=10\n"
             "expect 8 ClOrdID=t1 ExecType=F OrdStatus=2 LastQty=10\n");
  const std::string out = dir_.path() + "/fixload.out";
  const int rc = RunToCompletion(
      {FIXLOAD_BIN, "--config", cluster_.ClientConfig("BROKER1"), "--script",
       dir_.path() + "/trade.script"},
      out, seconds(60));
  EXPECT_EQ(rc, 0) << ReadFile(out) << GatewayLog();
  EXPECT_EQ(Occurrences(cluster_.SimMessages(),
                        "\x01"
                        "35=D\x01"),
            2)
      << cluster_.SimMessages();
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind='NewOrderAccepted'"),
            2);
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind IN ('LogonRefused')"),
            0);
  EXPECT_NE(
      ReadFile(cluster_.gateway_log())
          .find("broker session(s) (TLS), exchange FIX.4.4:GW->SIM (TLS)"),
      std::string::npos)
      << GatewayLog();
}

TEST_F(SecurityTest, BadCertificateFileStopsStartUpNamingKeyAndFile) {
  UseTls();
  cluster_.broker_session_extra += "";
  const std::string missing = dir_.path() + "/nope.pem";
  cluster_.exchange_session_extra =
      "SocketUseSSL=Y\nCertificationAuthoritiesFile=" + missing + "\n";
  std::string error;
  const std::string cfg = cluster_.WriteGatewayFiles(&error);
  ASSERT_FALSE(cfg.empty()) << error;
  const std::string out = dir_.path() + "/bad.out";
  EXPECT_EQ(RunToCompletion({FIXGW_BIN, "--config", cfg}, out, seconds(20)), 2);
  EXPECT_EQ(ReadFile(out), "fixgw: " + cfg +
                               ": CertificationAuthoritiesFile=" + missing +
                               ": cannot read: No such file or directory\n");
}

// ---- logon authentication (plain TCP: the checks are the same over TLS)

TEST_F(SecurityTest, WrongPasswordIsAnsweredWithLogoutAndJournaled) {
  UseCredentials();
  Start();
  const std::string logout = RefusedLogon(Credentials("broker1", "guess-1"));
  EXPECT_EQ(Field(logout, 58), "Rejected Logon Attempt: bad credentials");
  const std::string want =
      "FIX.4.4:GW->BROKER1 "
      R"({"code":"wrong_password","detail":"bad credentials"})";
  const std::string j = Journaled("LogonRefused", want);
  EXPECT_NE(j.find(want), std::string::npos) << j;
  EXPECT_NE(j.find("553=broker1|554=****|"), std::string::npos) << j;
  const std::string trail = Trail();
  EXPECT_NE(trail.find("wrong_password: bad credentials"), std::string::npos)
      << trail;
  // The password is nowhere: journal, gateway log, QuickFIX message logs.
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "raw_fix LIKE '%guess-1%' OR payload LIKE "
                                  "'%guess-1%'"),
            0);
  EXPECT_EQ(ReadFile(cluster_.gateway_log()).find("guess-1"),
            std::string::npos);
  const std::string messages =
      ReadFile(dir_.path() + "/gwlog/FIX.4.4-GW-BROKER1.messages.current.log");
  EXPECT_NE(messages.find("554=****"), std::string::npos) << messages;
  EXPECT_EQ(messages.find("guess-1"), std::string::npos) << messages;  // Counted in /metrics.
  const std::string metrics = cluster_.Admin("GET", "/metrics").body;
  EXPECT_NE(metrics.find("\nfixgw_denials_total{reason=\"wrong_password\"} 1\n"),
            std::string::npos)
      << metrics;
}

TEST_F(SecurityTest, MissingPasswordIsAnsweredWithLogoutAndJournaled) {
  UseCredentials();
  Start();
  const std::string logout = RefusedLogon("553=broker1|");
  EXPECT_EQ(Field(logout, 58),
            "Rejected Logon Attempt: Username (553) and Password (554) "
            "required");
  const std::string want =
      R"(FIX.4.4:GW->BROKER1 {"code":"missing_credentials","detail":)"
      R"("Username (553) and Password (554) required"})";
  const std::string j = Journaled("LogonRefused", want);
  EXPECT_NE(j.find(want), std::string::npos) << j;
}

TEST_F(SecurityTest, UnknownUserIsAnsweredLikeAWrongPasswordAndJournaled) {
  UseCredentials();
  Start();
  const std::string logout = RefusedLogon(Credentials("mallory", kPassword));
  EXPECT_EQ(Field(logout, 58), "Rejected Logon Attempt: bad credentials");
  const std::string want =
      R"(FIX.4.4:GW->BROKER1 {"code":"unknown_user","detail":)"
      R"("bad credentials"})";
  const std::string j = Journaled("LogonRefused", want);
  EXPECT_NE(j.find(want), std::string::npos) << j;
  EXPECT_EQ(j.find(kPassword), std::string::npos) << j;
}

TEST_F(SecurityTest, ReplayedLogonOfALoggedOnSessionIsRefused) {
  UseCredentials();
  Start();
  auto b1 = LoggedOn("BROKER1", Credentials("broker1", kPassword));
  // The same Logon again on a second connection: QuickFIX holds it while
  // the session is in use (up to 5 s) and closes it without a FIX answer.
  Broker replay(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(replay.connected());
  ASSERT_TRUE(replay.Send(
      "A", 1, "98=0|108=30|141=Y|" + Credentials("broker1", kPassword)));
  EXPECT_TRUE(replay.WaitClosed(seconds(8))) << replay.Transcript();
  EXPECT_EQ(replay.Count({"35="}, milliseconds(0)), 0) << replay.Transcript();
  // The logged-on session is untouched.
  ASSERT_TRUE(b1->Next("D", "11=r1|1=ACC1|55=AAPL|54=1|60=" + FixNow() +
                                "|38=10|40=2|44=99|59=0|"));
  auto ack = b1->WaitFor({"35=8", "11=r1"});
  ASSERT_TRUE(ack) << b1->Transcript() << GatewayLog();
  EXPECT_EQ(Field(*ack, 150), "0");
  // A Logon replayed on the logged-on connection itself: QuickFIX drops the
  // connection without an answer; the gateway journals it.
  ASSERT_TRUE(
      b1->Next("A", "98=0|108=30|" + Credentials("broker1", kPassword)));
  EXPECT_TRUE(b1->WaitClosed(seconds(5))) << b1->Transcript();
  const std::string want = R"(FIX.4.4:GW->BROKER1 {"code":"logon_state")";
  const std::string j = Journaled("LogonRefused", want);
  EXPECT_NE(j.find(want), std::string::npos) << j << GatewayLog();
}

// ---- allowed source addresses

// A plain TCP connection to 127.0.0.1:port from `source` (another loopback
// address), the Logon sent; returns what came back before the gateway
// closed the connection (or 5 s passed), and whether it closed.
std::pair<std::string, bool> LogonFrom(const char* source, int port,
                                       const std::string& logon) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return {"cannot connect", false};
  }
  (void)!::send(fd, logon.data(), logon.size(), MSG_NOSIGNAL);
  std::string got;
  bool closed = false;
  auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
    } else {
      got.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return {got, closed};
}

TEST_F(SecurityTest, ConnectionFromAnAddressNotAllowedIsCutAndJournaled) {
  cluster_.broker_session_extra =
      "AllowedRemoteAddresses=127.0.0.1, 10.1.2.3\n";
  Start();
  auto [got, closed] = LogonFrom("127.0.0.2", cluster_.gateway_port(),
                                 LogonBytes("BROKER1", ""));
  EXPECT_TRUE(closed);
  EXPECT_EQ(got, "");  // no FIX answer at all
  const std::string want =
      R"({"code":"address_not_allowed","detail":"connection from 127.0.0.2 )"
      "to port " +
      std::to_string(cluster_.gateway_port()) +
      R"x( refused: not in AllowedRemoteAddresses"})x";
  const std::string j = Journaled("ConnectionRefused", want);
  EXPECT_NE(j.find(want), std::string::npos) << j << GatewayLog();
  // From an allowed address the same Logon is answered.
  auto [ok, ok_closed] = LogonFrom("127.0.0.1", cluster_.gateway_port(),
                                   LogonBytes("BROKER1", ""));
  EXPECT_NE(ok.find("\x01"
                    "35=A\x01"),
            std::string::npos)
      << ok;
}

TEST_F(SecurityTest, MalformedAllowedAddressStopsStartUp) {
  cluster_.broker_session_extra =
      "AllowedRemoteAddresses=127.0.0.1,localhost\n";
  std::string error;
  const std::string cfg = cluster_.WriteGatewayFiles(&error);
  ASSERT_FALSE(cfg.empty()) << error;
  const std::string out = dir_.path() + "/bad.out";
  EXPECT_EQ(RunToCompletion({FIXGW_BIN, "--config", cfg}, out, seconds(20)), 2);
  EXPECT_NE(
      ReadFile(out).find(
          ": session FIX.4.4:GW->BROKER1: AllowedRemoteAddresses=127.0.0.1,"
          "localhost: 'localhost' is not an IPv4 address"),
      std::string::npos)
      << ReadFile(out);
}

// ---- entitlements

TEST_F(SecurityTest, OrderForAnotherSessionsAccountIsRejectedAndJournaled) {
  cluster_.risk_limits += R"(
[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1"]
[sessions."FIX.4.4:GW->BROKER2"]
allowed_accounts = ["ACC2"]
)";
  Start();
  auto b1 = LoggedOn("BROKER1");
  ASSERT_TRUE(b1->Next("D", "11=e1|1=ACC2|55=AAPL|54=1|60=" + FixNow() +
                                "|38=10|40=2|44=99|59=0|"));
  auto er = b1->WaitFor({"35=8", "11=e1"});
  ASSERT_TRUE(er) << b1->Transcript();
  EXPECT_EQ(Field(*er, 150), "8");
  EXPECT_EQ(Field(*er, 39), "8");
  EXPECT_EQ(Field(*er, 103), "0");
  EXPECT_EQ(Field(*er, 58),
            "entitlement: session FIX.4.4:GW->BROKER1 may not trade account "
            "ACC2");
  EXPECT_EQ(
      cluster_.JournalCount(
          "SELECT count(*) FROM journal WHERE kind='NewOrderRejected' AND "
          "session='FIX.4.4:GW->BROKER1' AND cl_ord_id='e1' AND payload "
          "LIKE '%entitlement: session FIX.4.4:GW->BROKER1 may not trade "
          "account ACC2%'"),
      1);
  const std::string metrics = cluster_.Admin("GET", "/metrics").body;
  EXPECT_NE(metrics.find("\nfixgw_denials_total{reason=\"entitlement\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(Occurrences(cluster_.SimMessages(),
                        "\x01"
                        "35=D\x01"),
            0);
}

TEST_F(SecurityTest, CancelOfAnotherSessionsOrderIsRejectedAndJournaled) {
  Start();
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  ASSERT_TRUE(b1->Next("D", "11=own1|1=ACC1|55=AAPL|54=1|60=" + FixNow() +
                                "|38=10|40=2|44=99|59=0|"));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=own1", "150=0"})) << b1->Transcript();
  // BROKER2 tries to cancel and to replace BROKER1's order.
  ASSERT_TRUE(
      b2->Next("F", "11=x1|41=own1|55=AAPL|54=1|60=" + FixNow() + "|38=10|"));
  auto rej = b2->WaitFor({"35=9", "11=x1"});
  ASSERT_TRUE(rej) << b2->Transcript();
  EXPECT_EQ(Field(*rej, 41), "own1");
  EXPECT_EQ(Field(*rej, 37), "NONE");
  EXPECT_EQ(Field(*rej, 39), "8");
  EXPECT_EQ(Field(*rej, 434), "1");
  EXPECT_EQ(Field(*rej, 102), "1");
  EXPECT_EQ(Field(*rej, 58),
            "unknown order: OrigClOrdID 'own1' on this session");
  ASSERT_TRUE(b2->Next(
      "G", "11=x2|41=own1|55=AAPL|54=1|60=" + FixNow() + "|38=5|40=2|44=98|"));
  auto rej2 = b2->WaitFor({"35=9", "11=x2"});
  ASSERT_TRUE(rej2) << b2->Transcript();
  EXPECT_EQ(Field(*rej2, 434), "2");
  EXPECT_EQ(Field(*rej2, 102), "1");
  EXPECT_EQ(
      cluster_.JournalCount(
          "SELECT count(*) FROM journal WHERE kind='CancelReplaceRejected' "
          "AND session='FIX.4.4:GW->BROKER2' AND cl_ord_id IN ('x1','x2') "
          "AND payload LIKE '%unknown order: OrigClOrdID%own1%'"),
      2);
  // Nothing reached the exchange, and BROKER1's order is still live.
  EXPECT_EQ(Occurrences(cluster_.SimMessages(),
                        "\x01"
                        "35=F\x01"),
            0);
  EXPECT_EQ(Occurrences(cluster_.SimMessages(),
                        "\x01"
                        "35=G\x01"),
            0);
  EXPECT_EQ(b1->Count({"11=own1", "150=4"}, milliseconds(200)), 0);
}

}  // namespace
}  // namespace fixgw::testing

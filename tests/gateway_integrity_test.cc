// Integrity of what fixgw keeps (issue 18), tried as an unlucky operator
// and a local attacker would: a second gateway on a running one's journal,
// a journal edited, cut or replaced while the gateway was stopped, files
// other users could read, a risk file that is not a file, and a log line
// for an order the journal never held.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kOrder[] = "|1=ACC1|55=MSFT|54=1|38=10|40=2|44=100|59=0|";

class GatewayIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  }

  std::string Log() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  // Starts the gateway, has BROKER1 place `orders` orders (o1, o2, ...)
  // and waits for their acknowledgements.
  void Trade(int orders, int first = 1) {
    std::string error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
    Broker broker(cluster_.gateway_port());
    ASSERT_TRUE(broker.Logon(1, /*reset=*/true));
    ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript();
    for (int i = first; i < first + orders; ++i) {
      const std::string id = "o" + std::to_string(i);
      ASSERT_TRUE(broker.Next("D", "11=" + id + "|60=" + FixNow() + kOrder));
      ASSERT_TRUE(broker.WaitFor({"35=8", "11=" + id, "150=0"}, seconds(10)))
          << broker.Transcript() << Log();
    }
  }

  // The settings and risk file StartGateway would write, without starting.
  void WriteSettings() {
    std::string error;
    ASSERT_FALSE(cluster_.WriteGatewayFiles(&error).empty()) << error;
  }

  // SIGTERM: a clean stop, which records the journal's head.
  void Stop() {
    cluster_.gateway().Signal(SIGTERM);
    auto rc = cluster_.gateway().Wait(seconds(20));
    ASSERT_TRUE(rc.has_value()) << Log();
    ASSERT_EQ(*rc, 0) << Log();
  }

  // Runs fixgw once more on the cluster's settings (written by the last
  // StartGateway), with `extra` arguments, until it exits or `timeout`.
  Ran RunGateway(const std::vector<std::string>& extra, const std::string& name,
                 milliseconds timeout = seconds(15)) {
    std::vector<std::string> argv{FIXGW_BIN, "--config",
                                  dir_.path() + "/fixgw.cfg"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCapturing(argv, dir_.path() + "/" + name, timeout);
  }

  // SQL on the journal as an attacker with the service's rights would run
  // it: the append-only triggers dropped first.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(cluster_.journal().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(
        db,
        ("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; " +
         sql)
            .c_str(),
        nullptr, nullptr, &err);
    const std::string message = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  static unsigned Mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 07777;  // absent: fails
    return st.st_mode & 0777;
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayIntegrityTest, SecondGatewayOnALiveJournalExitsAndTouchesNothing) {
  ASSERT_NO_FATAL_FAILURE(Trade(1));
  const int64_t entries_before =
      cluster_.JournalCount("SELECT count(*) FROM journal");
  const std::string journal_bytes = ReadFile(cluster_.journal());
  ASSERT_GT(entries_before, 0);

  Ran second = RunGateway({}, "second");
  EXPECT_EQ(second.rc, 2) << second.err;
  EXPECT_NE(second.err.find("in use by another fixgw (pid " +
                            std::to_string(cluster_.gateway().pid()) + ")"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1)
      << second.err;
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal"),
            entries_before);
  EXPECT_EQ(ReadFile(cluster_.journal()), journal_bytes);
  // A reader needs no lock: fixreplay verifies the live journal.
  Ran verify = RunCapturing({FIXREPLAY_BIN, cluster_.journal(), "--verify"},
                            dir_.path() + "/verify", seconds(20));
  EXPECT_EQ(verify.rc, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(": intact: "), std::string::npos) << verify.out;

  // The first one trades on, and stops cleanly.
  Broker broker(cluster_.gateway_port(), "BROKER2");
  ASSERT_TRUE(broker.Logon(1, /*reset=*/true));
  ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript();
  ASSERT_TRUE(broker.Next("D", "11=p1|60=" + FixNow() + kOrder));
  EXPECT_TRUE(broker.WaitFor({"35=8", "11=p1", "150=0"}, seconds(10)))
      << broker.Transcript() << Log();
  ASSERT_NO_FATAL_FAILURE(Stop());
}

struct Edit {
  const char* name;
  const char* sql;  // on a journal holding o1..o3 and their reports
  int first_bad;    // the first bad seq, from o2's NewOrderAccepted
};

class GatewayJournalEditTest : public GatewayIntegrityTest,
                               public ::testing::WithParamInterface<Edit> {};

TEST_P(GatewayJournalEditTest, EditedJournalIsRefusedNamingTheFirstBadEntry) {
  ASSERT_NO_FATAL_FAILURE(Trade(3));
  ASSERT_NO_FATAL_FAILURE(Stop());
  const int64_t o2 = cluster_.JournalCount(
      "SELECT seq FROM journal WHERE kind='NewOrderAccepted' AND "
      "cl_ord_id='o2'");
  ASSERT_GT(o2, 0);
  const int64_t bad = o2 + GetParam().first_bad;
  Tamper(GetParam().sql);

  Ran refused = RunGateway({}, "refused");
  EXPECT_EQ(refused.rc, 2) << refused.err;
  EXPECT_NE(refused.err.find("is damaged: the hash chain breaks at seq " +
                             std::to_string(bad)),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(WaitForPort(cluster_.gateway_port(), milliseconds(100)));

  // The operator's override, for forensics: it starts, and says so in the
  // journal with the reason.
  Ran forensic = RunGateway(
      {"--accept-journal-damage", "ticket 42: inspect the edit"}, "forensic",
      seconds(3));
  EXPECT_EQ(forensic.rc, -1) << "still running after 3 s expected: "
                             << forensic.err;
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE "
                "kind='JournalDamageAccepted' AND payload LIKE "
                "'%ticket 42: inspect the edit%' AND payload LIKE "
                "'%\"first_bad_seq\":" +
                std::to_string(bad) + "%'"),
            1);
}

INSTANTIATE_TEST_SUITE_P(
    Edits, GatewayJournalEditTest,
    ::testing::Values(
        Edit{"QuantityChanged",
             "UPDATE journal SET payload = replace(payload, '\"qty\":10', "
             "'\"qty\":99') WHERE kind='NewOrderAccepted' AND "
             "cl_ord_id='o2'",
             0},
        Edit{"RowDeleted",
             "DELETE FROM journal WHERE kind='NewOrderAccepted' AND "
             "cl_ord_id='o2'",
             1},  // the gap shows at the entry after it
        Edit{"RowsSwapped",
             "CREATE TEMP TABLE a AS SELECT * FROM journal WHERE "
             "kind='NewOrderAccepted' AND cl_ord_id='o2';"
             "CREATE TEMP TABLE b AS SELECT * FROM journal WHERE "
             "kind='NewOrderAccepted' AND cl_ord_id='o3';"
             "UPDATE journal SET (time_us, payload, cl_ord_id, "
             "exch_cl_ord_id, raw_fix, hash) = (SELECT time_us, payload, "
             "cl_ord_id, exch_cl_ord_id, raw_fix, hash FROM b) WHERE seq = "
             "(SELECT seq FROM a);"
             "UPDATE journal SET (time_us, payload, cl_ord_id, "
             "exch_cl_ord_id, raw_fix, hash) = (SELECT time_us, payload, "
             "cl_ord_id, exch_cl_ord_id, raw_fix, hash FROM a) WHERE seq = "
             "(SELECT seq FROM b);",
             0}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(GatewayIntegrityTest, JournalCutAfterAKillIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Trade(3));
  // The head is recorded once a second while the journal grows.
  std::this_thread::sleep_for(milliseconds(1500));
  cluster_.gateway().Signal(SIGKILL);
  // Killed, not exited: an exit closes the journal and removes its -wal.
  ASSERT_EQ(cluster_.gateway().Wait(seconds(5)), std::optional<int>(128 + SIGKILL))
      << Log();
  const std::string wal = cluster_.journal() + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal)) << Log();
  const auto size = std::filesystem::file_size(wal);
  ASSERT_GT(size, 4096u * 8);
  std::filesystem::resize_file(wal, size / 2);

  Ran refused = RunGateway({}, "refused");
  EXPECT_EQ(refused.rc, 2) << refused.err;
  EXPECT_NE(refused.err.find("missing (the file or its -wal was cut"),
            std::string::npos)
      << refused.err;
}

TEST_F(GatewayIntegrityTest, BrokerPortInUseExitsWithOneLine) {
  // Someone else listens on the broker port while the exchange is
  // reachable (the crash was the exchange session's thread, started first
  // and destroyed running).
  const int other = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(other, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(cluster_.gateway_port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(other, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << std::strerror(errno);
  ASSERT_EQ(::listen(other, 1), 0);
  ASSERT_NO_FATAL_FAILURE(WriteSettings());
  Ran ran = RunGateway({}, "port-in-use", seconds(30));
  ::close(other);
  EXPECT_EQ(ran.rc, 2) << ran.err << Log();
  // The start-up log lines before it, then one line that names the port
  // and the cause, and nothing after it (no abort, no crash).
  const std::string port = "127.0.0.1:" + std::to_string(cluster_.gateway_port());
  const size_t at = ran.err.find(port);
  ASSERT_NE(at, std::string::npos) << ran.err;
  EXPECT_NE(ran.err.find("Address already in use", at), std::string::npos)
      << ran.err;
  EXPECT_EQ(ran.err.find('\n', at), ran.err.size() - 1) << ran.err;
  EXPECT_EQ(ran.err.find("pure virtual"), std::string::npos) << ran.err;
}

TEST_F(GatewayIntegrityTest, CleanRestartIsVerifiedAndJournaled) {
  ASSERT_NO_FATAL_FAILURE(Trade(2));
  ASSERT_NO_FATAL_FAILURE(Stop());
  const std::string head = ReadFile(cluster_.journal() + ".head");
  EXPECT_NE(head.find("reason=clean stop"), std::string::npos) << head;
  ASSERT_NO_FATAL_FAILURE(Trade(1, 3));
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='JournalVerified'"),
            2);
  EXPECT_TRUE(cluster_.WaitForGatewayLog("verified (full)", 2, seconds(1)))
      << Log();
}

TEST_F(GatewayIntegrityTest, FilesAreReadableByTheServiceUserOnly) {
  cluster_.gateway_extra = "LogFile=" + dir_.path() + "/gw.log\n";
  cluster_.exchange_session_extra =
      "FileLogPath=" + dir_.path() + "/fixlog\n";
  ASSERT_NO_FATAL_FAILURE(Trade(1));
  std::this_thread::sleep_for(milliseconds(1500));  // a head recorded
  const std::string j = cluster_.journal();
  for (const std::string& path :
       {j, j + "-wal", j + "-shm", j + ".lock", j + ".head",
        dir_.path() + "/gw.log",
        dir_.path() + "/fixlog/FIX.4.4-GW-SIM.messages.current.log"}) {
    EXPECT_EQ(Mode(path) & 0077, 0u)
        << path << " mode " << std::oct << Mode(path);
  }
}

TEST_F(GatewayIntegrityTest, FileModeLetsTheServiceGroupRead) {
  cluster_.gateway_extra = "FileMode=0640\n";
  ASSERT_NO_FATAL_FAILURE(Trade(1));
  EXPECT_EQ(Mode(cluster_.journal()), 0640u) << std::oct
                                             << Mode(cluster_.journal());
  EXPECT_EQ(Mode(cluster_.journal() + "-wal"), 0640u);
}

TEST_F(GatewayIntegrityTest, JournalDirectoryWritableByAnyoneIsRefused) {
  WriteSettings();
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0777), 0);
  Ran ran = RunGateway({}, "open-dir");
  ::chmod(dir_.path().c_str(), 0700);
  EXPECT_EQ(ran.rc, 2) << ran.err;
  EXPECT_NE(ran.err.find("is writable by every user (mode 0777)"),
            std::string::npos)
      << ran.err;
  EXPECT_FALSE(std::filesystem::exists(cluster_.journal()));
}

TEST_F(GatewayIntegrityTest, BadRiskFileStopsStartUpBeforeAnyFileIsCreated) {
  cluster_.risk_limits = "[accounts.ACC1]\ncash = \"not money\"\n";
  WriteSettings();
  Ran bad = RunGateway({}, "bad-risk");
  EXPECT_EQ(bad.rc, 2) << bad.err;
  EXPECT_NE(bad.err.find("RiskConfig"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(cluster_.journal()));
  EXPECT_FALSE(std::filesystem::exists(cluster_.journal() + ".lock"));

  // A directory where the risk file should be: refused, naming it.
  std::filesystem::remove(cluster_.risk_file());
  std::filesystem::create_directory(cluster_.risk_file() + ".d");
  std::string config = ReadFile(dir_.path() + "/fixgw.cfg");
  const std::string key = "RiskConfig=" + cluster_.risk_file();
  config.replace(config.find(key), key.size(), key + ".d");
  dir_.Write("fixgw.cfg", config);
  Ran ran = RunGateway({}, "riskdir");
  EXPECT_EQ(ran.rc, 2) << ran.err;
  EXPECT_NE(ran.err.find("risk file is not a regular file (a directory)"),
            std::string::npos)
      << ran.err;
  EXPECT_FALSE(std::filesystem::exists(cluster_.journal()));
}

TEST_F(GatewayIntegrityTest, OrderIsLoggedOnlyOnceItIsJournaled) {
  cluster_.gateway_env = {"FIXGW_CRASH_POINT=before-journal:1"};
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker broker(cluster_.gateway_port());
  ASSERT_TRUE(broker.Logon(1, /*reset=*/true));
  ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript();
  ASSERT_TRUE(broker.Next("D", "11=ghost|60=" + FixNow() + kOrder));
  auto rc = cluster_.gateway().Wait(seconds(10));
  ASSERT_TRUE(rc.has_value()) << Log();
  ASSERT_NE(Log().find("crash point before-journal reached"),
            std::string::npos)
      << Log();
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "cl_ord_id='ghost'"),
            0);
  EXPECT_EQ(Log().find("ClOrdID=ghost"), std::string::npos) << Log();
}

}  // namespace
}  // namespace fixgw::testing

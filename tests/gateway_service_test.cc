// fixgw as a systemd service, without systemd: the test plays the service
// manager. It binds the notification socket itself (NOTIFY_SOCKET, an
// abstract name), starts fixgw with it and a watchdog, and checks what a
// Type=notify unit relies on: READY=1 only once the broker port and the
// admin API answer, STATUS= lines, WATCHDOG=1 at half of WATCHDOG_USEC,
// RELOADING=1 and READY=1 around SIGHUP, STOPPING=1 at SIGTERM. And the
// shipped logrotate file (docs/logrotate/fixgw) run by logrotate on fixgw's
// own log and its QuickFIX message logs: copytruncate leaves both writers
// appending at the start of the emptied files.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

// The service manager's end of NOTIFY_SOCKET. A thread receives every
// datagram with its arrival time; when one holds READY=1 it checks at once
// whether the gateway's ports accept connections.
class NotifyListener {
 public:
  struct Datagram {
    Clock::time_point at;
    std::string text;
    bool ports_open = false;  // READY=1 only: both ports accepted
  };

  NotifyListener(int broker_port, int admin_port)
      : name_("@fixgw-service-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(Clock::now().time_since_epoch().count())),
        broker_port_(broker_port),
        admin_port_(admin_port) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path + 1, name_.data() + 1, name_.size() - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a),
                    static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) +
                                           name_.size())) == 0;
    thread_ = std::thread([this] { Receive(); });
  }
  ~NotifyListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  bool bound() const { return bound_; }
  const std::string& name() const { return name_; }

  std::vector<Datagram> Received() {
    std::lock_guard lock(mu_);
    return got_;
  }
  // Index of the first datagram from `from` on containing `what`, waiting
  // up to `timeout`; -1 if none came.
  int WaitFor(const std::string& what, size_t from, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    do {
      {
        std::lock_guard lock(mu_);
        for (size_t i = from; i < got_.size(); ++i) {
          if (got_[i].text.find(what) != std::string::npos) {
            return static_cast<int>(i);
          }
        }
      }
      std::this_thread::sleep_for(milliseconds(10));
    } while (Clock::now() < deadline);
    return -1;
  }
  std::string Transcript() {
    std::string out;
    for (const Datagram& d : Received()) out += "[" + d.text + "]\n";
    return out;
  }

 private:
  void Receive() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) continue;
      Datagram d{Clock::now(), std::string(buf, static_cast<size_t>(n))};
      if (d.text.find("READY=1") != std::string::npos) {
        d.ports_open = Accepts(broker_port_) && Accepts(admin_port_);
      }
      std::lock_guard lock(mu_);
      got_.push_back(std::move(d));
    }
  }

  const std::string name_;
  const int broker_port_, admin_port_;
  int fd_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Datagram> got_;
  std::thread thread_;
};

class GatewayServiceTest : public ::testing::Test {
 protected:
  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayServiceTest, TellsTheServiceManagerReadyWatchdogReloadStopping) {
  NotifyListener manager(cluster_.gateway_port(), cluster_.admin_port());
  ASSERT_TRUE(manager.bound());
  // 400 ms: fixgw pings every 200 ms.
  cluster_.gateway_env = {"NOTIFY_SOCKET=" + manager.name(),
                          "WATCHDOG_USEC=400000"};
  std::string error;
  ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;

  const int ready = manager.WaitFor("READY=1", 0, seconds(5));
  ASSERT_GE(ready, 0) << manager.Transcript() << GatewayLog();
  std::vector<NotifyListener::Datagram> got = manager.Received();
  EXPECT_TRUE(got[static_cast<size_t>(ready)].ports_open)
      << "READY=1 before the broker port and the admin API answered";
  EXPECT_NE(got[static_cast<size_t>(ready)].text.find(
                "STATUS=serving 2 broker session(s), exchange "
                "FIX.4.4:GW->SIM"),
            std::string::npos)
      << manager.Transcript();
  // Before it: the journal's check, and nothing else but STATUS.
  ASSERT_GE(manager.WaitFor("STATUS=verifying and replaying the journal", 0,
                            milliseconds(0)),
            0)
      << manager.Transcript();
  EXPECT_LT(manager.WaitFor("STATUS=verifying", 0, milliseconds(0)), ready);
  for (int i = 0; i < ready; ++i) {
    EXPECT_EQ(got[static_cast<size_t>(i)].text.rfind("STATUS=", 0), 0u)
        << got[static_cast<size_t>(i)].text;
  }

  // The watchdog: about every 200 ms, counted over 2 s after READY (10;
  // fewer on a loaded machine or under a sanitizer, never twice as many).
  std::this_thread::sleep_for(seconds(2));
  got = manager.Received();
  const auto window_start = got[static_cast<size_t>(ready)].at;
  int pings = 0;
  for (const auto& d : got) {
    if (d.text == "WATCHDOG=1" && d.at > window_start &&
        d.at <= window_start + seconds(2)) {
      ++pings;
    }
  }
  EXPECT_GE(pings, 4) << manager.Transcript();
  EXPECT_LE(pings, 12) << manager.Transcript();

  // SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 again.
  const size_t before_hup = manager.Received().size();
  cluster_.gateway().Signal(SIGHUP);
  const int reloading = manager.WaitFor("RELOADING=1", before_hup, seconds(5));
  ASSERT_GE(reloading, 0) << manager.Transcript() << GatewayLog();
  EXPECT_NE(manager.Received()[static_cast<size_t>(reloading)].text.find(
                "MONOTONIC_USEC="),
            std::string::npos);
  EXPECT_GT(manager.WaitFor("READY=1", static_cast<size_t>(reloading) + 1,
                            seconds(5)),
            reloading)
      << manager.Transcript();

  // SIGTERM: STOPPING=1 as the drain starts, then a clean exit.
  const size_t before_term = manager.Received().size();
  cluster_.gateway().Signal(SIGTERM);
  const int stopping = manager.WaitFor("STOPPING=1", before_term, seconds(5));
  ASSERT_GE(stopping, 0) << manager.Transcript() << GatewayLog();
  EXPECT_NE(manager.Received()[static_cast<size_t>(stopping)].text.find(
                "STATUS=draining"),
            std::string::npos);
  EXPECT_EQ(cluster_.gateway().Wait(seconds(30)), 0) << GatewayLog();
}

TEST_F(GatewayServiceTest, MalformedNotifySocketStopsStartUpWithOneLine) {
  std::string error;
  const std::string config = cluster_.WriteGatewayFiles(&error);
  ASSERT_FALSE(config.empty()) << error;
  const Ran ran = RunCapturing({"/usr/bin/env", "NOTIFY_SOCKET=relative/notify",
                                FIXGW_BIN, "--config", config},
                               dir_.path() + "/bad-notify", seconds(10));
  EXPECT_EQ(ran.rc, 2) << ran.out << ran.err;
  EXPECT_EQ(ran.err,
            "fixgw: NOTIFY_SOCKET=relative/notify: not an absolute path or an "
            "abstract socket name (@...)\n");
  // Refused before anything was created.
  EXPECT_FALSE(std::filesystem::exists(cluster_.journal()));
}

// The order a broker sends to make log lines.
std::string Order(const std::string& id) {
  return "11=" + id + "|1=ACC1|55=MSFT|54=1|60=" + FixNow() +
         "|38=10|40=2|44=100|59=0|";
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(GatewayServiceTest, LogrotateCopytruncateKeepsBothWritersAppending) {
  if (::access("/usr/sbin/logrotate", X_OK) != 0) {
    GTEST_SKIP() << "logrotate is not installed (scripts/deps.sh installs it)";
  }
  const std::string logs = dir_.path() + "/log";
  std::filesystem::create_directories(logs + "/fix");
  cluster_.gateway_extra = "LogFile=" + logs + "/fixgw.log\n";
  cluster_.exchange_session_extra = "FileLogPath=" + logs + "/fix\n";
  cluster_.broker_session_extra = "FileLogPath=" + logs + "/fix\n";
  std::string error;
  ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker broker(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(broker.Logon(1, /*reset=*/true));
  ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript();
  ASSERT_TRUE(broker.Next("D", Order("before-rotation")));
  ASSERT_TRUE(broker.WaitFor({"35=8", "11=before-rotation"}))
      << broker.Transcript();
  ASSERT_TRUE(
      cluster_.WaitForGatewayLog("ClOrdID=before-rotation", 1, seconds(5)));
  // fixgw flushes info lines to its LogFile within a second.
  const std::string own_log = logs + "/fixgw.log";
  for (int i = 0;
       i < 150 && Slurp(own_log).find("before-rotation") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_NE(Slurp(own_log).find("before-rotation"), std::string::npos);

  // The shipped file, with the scratch directory for /var/log/fixgw and
  // without `su fixgw fixgw` (no such user here; it only sets who rotates).
  std::string conf = ReadFile(FIXGW_LOGROTATE_CONF);
  ASSERT_NE(conf.find("copytruncate"), std::string::npos);
  for (size_t at; (at = conf.find("/var/log/fixgw")) != std::string::npos;) {
    conf.replace(at, std::strlen("/var/log/fixgw"), logs);
  }
  const size_t su = conf.find("\tsu fixgw fixgw\n");
  ASSERT_NE(su, std::string::npos) << conf;
  conf.erase(su, std::strlen("\tsu fixgw fixgw\n"));
  const std::string conf_path = dir_.Write("logrotate.conf", conf);
  ASSERT_EQ(RunToCompletion({"/usr/sbin/logrotate", "--force", "--state",
                             dir_.path() + "/logrotate.state", conf_path},
                            dir_.path() + "/logrotate.out", seconds(30)),
            0)
      << ReadFile(dir_.path() + "/logrotate.out");

  ASSERT_TRUE(broker.Next("D", Order("after-rotation")));
  ASSERT_TRUE(broker.WaitFor({"35=8", "11=after-rotation"}))
      << broker.Transcript();
  ASSERT_TRUE(
      cluster_.WaitForGatewayLog("ClOrdID=after-rotation", 1, seconds(5)));
  // Every current log: rotated (a copy beside it holds the first order's
  // lines) and written on from its start, without a hole of NULs where
  // the old content was.
  // (The exchange sees the gateway's ClOrdIDs, GWT-1 and GWT-2.)
  struct Log {
    std::string name, before, after;
  };
  const std::vector<Log> checked = {
      {"fixgw.log", "before-rotation", "after-rotation"},
      {"fix/FIX.4.4-GW-BROKER1.messages.current.log", "before-rotation",
       "after-rotation"},
      {"fix/FIX.4.4-GW-SIM.messages.current.log",
       "\x01"
       "11=GWT-1\x01",
       "\x01"
       "11=GWT-2\x01"}};
  for (const Log& log : checked) {
    const std::filesystem::path current = logs + "/" + log.name;
    // Lines reach the files a moment after the messages.
    std::string now;
    for (int i = 0; i < 100; ++i) {
      now = Slurp(current);
      if (now.find(log.after) != std::string::npos) break;
      std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_NE(now.find(log.after), std::string::npos) << log.name << now;
    EXPECT_EQ(now.find(log.before), std::string::npos) << log.name;
    EXPECT_EQ(now.find('\0'), std::string::npos)
        << log.name << ": NULs: the writer did not append";
    bool rotated = false;
    for (const auto& e :
         std::filesystem::directory_iterator(current.parent_path())) {
      const std::string n = e.path().filename().string();
      if (n.rfind(current.filename().string() + "-", 0) == 0) {
        rotated = Slurp(e.path()).find(log.before) != std::string::npos;
      }
    }
    EXPECT_TRUE(rotated) << log.name << " has no rotated copy";
  }
}

}  // namespace
}  // namespace fixgw::testing

#include "gateway/fixgw/sd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

namespace fixgw::gw {
namespace {

// The manager's end: a datagram socket bound to a path or abstract name.
class ManagerSocket {
 public:
  // `name`: an absolute path or "@abstract".
  explicit ManagerSocket(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name.data(), name.size());
    if (name[0] == '@') a.sun_path[0] = '\0';
    const auto size =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() +
                               (name[0] == '/' ? 1u : 0u));
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&a), size) == 0;
  }
  ~ManagerSocket() { ::close(fd_); }
  bool bound() const { return bound_; }
  // The next datagram, or "<none>" after 2 s.
  std::string Receive() const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return "<none>";
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n < 0 ? "<error>" : std::string(buf, static_cast<size_t>(n));
  }
  bool Empty() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 50) == 0;
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

std::string UniqueAbstractName() {
  return "@fixgw-sd-notify-test-" + std::to_string(::getpid());
}

TEST(ServiceNotifier, DisabledWithoutNotifySocketSendsNothing) {
  ServiceNotifier::Environment env;
  env.watchdog_usec = "10000000";
  env.pid = ::getpid();
  auto n = ServiceNotifier::Create(env);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_FALSE(n->enabled());
  EXPECT_FALSE(n->watchdog_timeout());  // nobody to ping
  EXPECT_TRUE(n->Notify("READY=1").ok());
}

TEST(ServiceNotifier, SendsEachNotificationAsOneDatagramToAnAbstractSocket) {
  const std::string name = UniqueAbstractName();
  ManagerSocket manager(name);
  ASSERT_TRUE(manager.bound());
  ServiceNotifier::Environment env;
  env.notify_socket = name;
  env.pid = ::getpid();
  auto n = ServiceNotifier::Create(env);
  ASSERT_TRUE(n.ok()) << n.status().message();
  ASSERT_TRUE(n->enabled());
  ASSERT_TRUE(n->Notify("READY=1\n" + StatusLine("serving 2 brokers")).ok());
  ASSERT_TRUE(n->Notify("WATCHDOG=1").ok());
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=serving 2 brokers");
  EXPECT_EQ(manager.Receive(), "WATCHDOG=1");
  EXPECT_TRUE(manager.Empty());
}

TEST(ServiceNotifier, SendsToAPathSocketNamedByTheEnvironment) {
  char dir_template[] = "/tmp/fixgw-sd-notify-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string path = std::string(dir_template) + "/notify";
  {
    ManagerSocket manager(path);
    ASSERT_TRUE(manager.bound());
    ASSERT_EQ(::setenv("NOTIFY_SOCKET", path.c_str(), 1), 0);
    ASSERT_EQ(::setenv("WATCHDOG_USEC", "3000000", 1), 0);
    ASSERT_EQ(::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1),
              0);
    auto n = ServiceNotifier::Create(ServiceNotifier::ReadEnvironment());
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    ASSERT_TRUE(n.ok()) << n.status().message();
    ASSERT_TRUE(n->watchdog_timeout());
    EXPECT_EQ(n->watchdog_timeout()->count(), 3'000'000);
    ASSERT_TRUE(n->Notify("STOPPING=1\nSTATUS=draining").ok());
    EXPECT_EQ(manager.Receive(), "STOPPING=1\nSTATUS=draining");
  }
  std::filesystem::remove_all(dir_template);
}

TEST(ServiceNotifier, WatchdogOfAnotherProcessIsNotOurs) {
  ServiceNotifier::Environment env;
  env.notify_socket = UniqueAbstractName();
  env.watchdog_usec = "5000000";
  env.watchdog_pid = "1";
  env.pid = ::getpid();
  auto n = ServiceNotifier::Create(env);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->enabled());
  EXPECT_FALSE(n->watchdog_timeout());
}

TEST(ServiceNotifier, RefusesMalformedEnvironmentNamingTheVariable) {
  ServiceNotifier::Environment env;
  env.pid = ::getpid();
  env.notify_socket = "run/notify";
  auto relative = ServiceNotifier::Create(env);
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.status().message().find("NOTIFY_SOCKET=run/notify"),
            std::string::npos);
  env.notify_socket = "/" + std::string(200, 'x');
  auto long_path = ServiceNotifier::Create(env);
  ASSERT_FALSE(long_path.ok());
  EXPECT_NE(long_path.status().message().find("too long"), std::string::npos);
  env.notify_socket = "@ok";
  for (const char* bad : {"", "0", "-5", "12s", "abc"}) {
    env.watchdog_usec = bad;
    auto n = ServiceNotifier::Create(env);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_NE(n.status().message().find("WATCHDOG_USEC"), std::string::npos);
  }
}

TEST(ServiceNotifier, ReportsASocketNobodyListensOn) {
  ServiceNotifier::Environment env;
  env.notify_socket = UniqueAbstractName() + "-nobody";
  env.pid = ::getpid();
  auto n = ServiceNotifier::Create(env);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->Notify("READY=1").ok());
}

TEST(StatusLine, KeepsTheStatusOnOneLine) {
  EXPECT_EQ(StatusLine("a\nb\rc"), "STATUS=a b c");
}

}  // namespace
}  // namespace fixgw::gw

// The QuickFIX MessageStore in the journal file: OutputKey for every message
// type, the MessageStore contract (ranges, sequence numbers, incr, reset,
// refresh, creation time, set without incr before a crash), SQLite failures
// as FIX::IOException / FIX::ConfigError, and a real QuickFIX initiator and
// acceptor pair on loopback whose sequence numbers and resends go through
// the store across a restart.
#include "gateway/fix/sqlite_message_store.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/clock.h"
#include "store/journal.h"
#include "store/raw_sqlite_test_util.h"
#include "store/session_store.h"

namespace fixgw::fix {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using store::test_util::RawExec;

// A FIX message from '|'-separated fields, with SOH separators.
std::string Soh(std::string text) {
  for (char& c : text) {
    if (c == '|') c = '\x01';
  }
  return text;
}

// A minimal message of `type` with extra body fields; the store never
// parses more than OutputKey does.
std::string Msg(const std::string& type, int seq, const std::string& body) {
  return Soh("8=FIX.4.4|9=99|35=" + type + "|34=" + std::to_string(seq) +
             "|49=GW|56=BROKER1|" + body + "10=000|");
}

TEST(OutputKeyTest, ExecutionReportIsKeyedByExecId) {
  EXPECT_EQ(OutputKey(Msg("8", 2, "11=C1|17=E7|37=O1|150=0|39=0|")), "8:E7");
}

TEST(OutputKeyTest, OrderMessagesAndCancelRejectAreKeyedByClOrdId) {
  for (const char* type : {"9", "D", "F", "G"}) {
    EXPECT_EQ(OutputKey(Msg(type, 3, "37=O1|11=C9|41=C8|17=E1|")),
              std::string(type) + ":C9")
        << type;
  }
}

TEST(OutputKeyTest, SessionMessagesAndOtherTypesHaveNoKey) {
  for (const char* type : {"0", "1", "2", "3", "4", "5", "A", "j", "H", "AE"}) {
    EXPECT_EQ(OutputKey(Msg(type, 1, "11=C1|17=E1|112=T|58=x|")), "") << type;
  }
}

TEST(OutputKeyTest, MissingIdFieldOrMsgTypeGivesNoKey) {
  EXPECT_EQ(OutputKey(Msg("8", 2, "11=C1|37=O1|")), "");
  EXPECT_EQ(OutputKey(Msg("D", 2, "17=E1|55=AAPL|")), "");
  EXPECT_EQ(OutputKey(Msg("D", 2, "11=|55=AAPL|")), "");
  EXPECT_EQ(OutputKey(Soh("8=FIX.4.4|11=C1|17=E1|")), "");
  EXPECT_EQ(OutputKey(""), "");
  EXPECT_EQ(OutputKey("garbage without fields"), "");
}

TEST(OutputKeyTest, MatchesWholeTagsAndTheFirstOccurrence) {
  EXPECT_EQ(OutputKey(Soh("8=FIX.4.4|135=X|35=D|111=N|117=Q|11=C1|11=C2|")),
            "D:C1");
  EXPECT_EQ(OutputKey(Soh("35=8|17=E1|17=E2|")), "8:E1");
}

TEST(OutputKeyTest, ReadsTheJournalsPrintableForm) {
  // The journal stores messages with '|' for SOH, before QuickFIX fills in
  // MsgSeqNum: the key is the same.
  const std::string wire = Msg("8", 5, "11=C1|17=GW-X1|58=a=b|");
  std::string printable = wire;
  for (char& c : printable) {
    if (c == '\x01') c = '|';
  }
  EXPECT_EQ(OutputKey(printable), "8:GW-X1");
  EXPECT_EQ(OutputKey("8=FIX.4.4|35=F|11=C2|41=C1|"), "F:C2");
  // With SOH present, '|' is data.
  EXPECT_EQ(OutputKey(Soh("35=D|58=x") + "|11=NO\x01"
                                         "11=C3\x01"),
            "D:C3");
}

TEST(OutputKeyTest, KeysAQuickFixBuiltMessage) {
  FIX::Message report;
  report.getHeader().setField(FIX::MsgType("8"));
  report.getHeader().setField(FIX::MsgSeqNum(12));
  report.setField(37, "O1");
  report.setField(11, "C1");
  report.setField(17, "X-17");
  report.setField(150, "F");
  EXPECT_EQ(OutputKey(report.toString()), "8:X-17");
}

class SqliteMessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        ::testing::TempDir() + "sqlite_message_store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/journal.db";
    auto journal = store::Journal::Open(path_, store::SyncMode::kNormal);
    ASSERT_TRUE(journal.ok()) << journal.status().message();
    auto s = store::SessionStore::Open(path_, store::SyncMode::kNormal,
                                       [this] { return Now(); });
    ASSERT_TRUE(s.ok()) << s.status().message();
    sessions_ = std::move(s).value();
    factory_ = std::make_unique<SqliteMessageStoreFactory>(*sessions_);
  }
  void TearDown() override {
    factory_.reset();
    sessions_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Timestamp Now() const {
    return Timestamp(std::chrono::microseconds(now_.load()));
  }

  // A store made by the factory, destroyed through it.
  using StorePtr = std::unique_ptr<FIX::MessageStore,
                                   std::function<void(FIX::MessageStore*)>>;
  StorePtr Create(const FIX::SessionID& id) {
    return StorePtr(factory_->create(id),
                    [this](FIX::MessageStore* s) { factory_->destroy(s); });
  }

  static std::vector<std::string> Get(const FIX::MessageStore& store, int begin,
                                      int end) {
    std::vector<std::string> out{"stale"};
    store.get(begin, end, out);
    return out;
  }


  const FIX::SessionID kBroker{"FIX.4.4", "GW", "BROKER1"};
  const FIX::SessionID kExchange{"FIX.4.4", "GW", "EXCH"};
  std::string dir_;
  std::string path_;
  std::atomic<int64_t> now_{1'700'000'000'654'321};
  std::unique_ptr<store::SessionStore> sessions_;
  std::unique_ptr<SqliteMessageStoreFactory> factory_;
};

TEST_F(SqliteMessageStoreTest, NewSessionStartsAtOneStampedNow) {
  StorePtr store = Create(kBroker);
  EXPECT_EQ(store->getNextSenderMsgSeqNum(), 1);
  EXPECT_EQ(store->getNextTargetMsgSeqNum(), 1);
  FIX::UtcTimeStamp created = store->getCreationTime();
  EXPECT_EQ(created.getTimeT(), 1'700'000'000);
  EXPECT_EQ(created.getFraction(6), 654'321);
  EXPECT_THAT(Get(*store, 1, 10), IsEmpty());
  EXPECT_EQ(static_cast<SqliteMessageStore&>(*store).session_key(),
            "FIX.4.4:GW->BROKER1");
}

TEST_F(SqliteMessageStoreTest, GetReturnsStoredMessagesOfTheRangeInOrder) {
  StorePtr store = Create(kBroker);
  for (int seq : {4, 1, 2, 7}) {
    EXPECT_TRUE(store->set(seq, Msg("0", seq, "")));
  }
  EXPECT_THAT(Get(*store, 1, 7), ElementsAre(Msg("0", 1, ""), Msg("0", 2, ""),
                                             Msg("0", 4, ""), Msg("0", 7, "")));
  // begin itself not stored (QuickFIX's MemoryStore would return nothing).
  EXPECT_THAT(Get(*store, 3, 5), ElementsAre(Msg("0", 4, "")));
  EXPECT_THAT(Get(*store, 5, 6), IsEmpty());
  EXPECT_THAT(Get(*store, 8, 100), IsEmpty());
  EXPECT_THAT(Get(*store, 7, 1), IsEmpty());
  // set on a stored seq replaces the message.
  EXPECT_TRUE(store->set(2, Msg("4", 2, "123=Y|36=5|")));
  EXPECT_THAT(Get(*store, 2, 2), ElementsAre(Msg("4", 2, "123=Y|36=5|")));
}

TEST_F(SqliteMessageStoreTest, SequenceNumbersSetAndIncrSurviveReopen) {
  {
    StorePtr store = Create(kBroker);
    store->setNextSenderMsgSeqNum(10);
    store->setNextTargetMsgSeqNum(20);
    store->incrNextSenderMsgSeqNum();
    store->incrNextTargetMsgSeqNum();
    store->incrNextTargetMsgSeqNum();
    EXPECT_EQ(store->getNextSenderMsgSeqNum(), 11);
    EXPECT_EQ(store->getNextTargetMsgSeqNum(), 22);
  }
  StorePtr store = Create(kBroker);
  EXPECT_EQ(store->getNextSenderMsgSeqNum(), 11);
  EXPECT_EQ(store->getNextTargetMsgSeqNum(), 22);
  // Lowering is allowed (a sequence reset by the peer).
  store->setNextTargetMsgSeqNum(3);
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 3);
}

TEST_F(SqliteMessageStoreTest, LazyInboundSeqIsWrittenEveryNAndOnClose) {
  SqliteStoreOptions lazy;
  lazy.target_persist_every = 4;
  auto store = SqliteMessageStore::Open(*sessions_, kBroker.toString(), lazy);
  ASSERT_TRUE(store.ok()) << store.status().message();
  for (int i = 0; i < 3; ++i) (*store)->incrNextTargetMsgSeqNum();
  EXPECT_EQ((*store)->getNextTargetMsgSeqNum(), 4);
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 1);  // not yet
  (*store)->incrNextTargetMsgSeqNum();
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 5);  // the 4th
  (*store)->incrNextTargetMsgSeqNum();
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 5);
  (*store)->setNextTargetMsgSeqNum(9);  // explicit sets are written at once
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 9);
  (*store)->incrNextTargetMsgSeqNum();
  store->reset();  // unique_ptr::reset: the destructor writes the rest
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 10);
}

TEST_F(SqliteMessageStoreTest, ApplicationPersistedInboundSeqWaitsForTheFlush) {
  // fixgw's mode: the inbound seq is written by the gateway's commits; the
  // store writes it only after flush_application, and never on incr.
  std::vector<std::string> events;
  SqliteStoreOptions app;
  app.flush_application = [&] {
    events.push_back("flush, SQLite at " +
                     std::to_string(*sessions_->NextTarget(kBroker.toString())));
  };
  auto store = SqliteMessageStore::Open(*sessions_, kBroker.toString(), app);
  ASSERT_TRUE(store.ok()) << store.status().message();
  for (int i = 0; i < 40; ++i) (*store)->incrNextTargetMsgSeqNum();
  EXPECT_EQ((*store)->getNextTargetMsgSeqNum(), 41);
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 1);
  EXPECT_TRUE(events.empty());
  (*store)->setNextTargetMsgSeqNum(50);  // a SequenceReset: flush, then write
  EXPECT_THAT(events, ElementsAre("flush, SQLite at 1"));
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 50);
  (*store)->incrNextTargetMsgSeqNum();
  (*store)->reset();  // a logon reset flushes first too
  EXPECT_THAT(events,
              ElementsAre("flush, SQLite at 1", "flush, SQLite at 50"));
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 1);
  (*store)->incrNextTargetMsgSeqNum();
  store->reset();  // closing: flush, then the rest is written
  EXPECT_EQ(events.size(), 3u);
  EXPECT_EQ(*sessions_->NextTarget(kBroker.toString()), 2);
}

TEST(StoredFormTest, FillsTheHeaderAsQuickFixWouldAndKeysTheSame) {
  FIX::Message report;
  report.getHeader().setField(FIX::MsgType("8"));
  report.setField(37, "O1");
  report.setField(17, "X-17");
  const std::string stored =
      StoredForm(report, FIX::SessionID("FIX.4.4", "GW", "BROKER1"), 42);
  FIX::Message parsed(stored, /*validate=*/false);
  EXPECT_EQ(parsed.getHeader().getField(FIX::FIELD::BeginString), "FIX.4.4");
  EXPECT_EQ(parsed.getHeader().getField(FIX::FIELD::SenderCompID), "GW");
  EXPECT_EQ(parsed.getHeader().getField(FIX::FIELD::TargetCompID), "BROKER1");
  EXPECT_EQ(parsed.getHeader().getField(FIX::FIELD::MsgSeqNum), "42");
  EXPECT_EQ(parsed.getHeader().getField(FIX::FIELD::SendingTime).size(),
            21u);  // YYYYMMDD-HH:MM:SS.sss
  EXPECT_EQ(OutputKey(stored), "8:X-17");
  EXPECT_EQ(MessageOutputKey(report), "8:X-17");
  FIX::Message heartbeat;
  heartbeat.getHeader().setField(FIX::MsgType("0"));
  EXPECT_EQ(MessageOutputKey(heartbeat), "");
  FIX::Message order;
  order.getHeader().setField(FIX::MsgType("D"));
  EXPECT_EQ(MessageOutputKey(order), "");  // no ClOrdID
  order.setField(11, "C1");
  EXPECT_EQ(MessageOutputKey(order), "D:C1");
}

TEST_F(SqliteMessageStoreTest, SetThenIncrAdvancesByOne) {
  StorePtr store = Create(kBroker);
  for (int seq = 1; seq <= 3; ++seq) {
    ASSERT_EQ(store->getNextSenderMsgSeqNum(), seq);
    ASSERT_TRUE(
        store->set(seq, Msg("8", seq, "17=E" + std::to_string(seq) + "|")));
    EXPECT_EQ(store->getNextSenderMsgSeqNum(), seq);  // until incr
    store->incrNextSenderMsgSeqNum();
    EXPECT_EQ(*sessions_->NextSender(kBroker.toString()), seq + 1);
  }
  EXPECT_EQ(store->getNextSenderMsgSeqNum(), 4);
  store.reset();
  EXPECT_EQ(Create(kBroker)->getNextSenderMsgSeqNum(), 4);
}

TEST_F(SqliteMessageStoreTest, SetWithoutIncrBeforeACrashResumesAtSeqPlusOne) {
  {
    StorePtr store = Create(kBroker);
    store->setNextSenderMsgSeqNum(5);
    // QuickFIX's Session::persist: set(5, ...) and the process dies before
    // incrNextSenderMsgSeqNum() (and before the socket write).
    ASSERT_TRUE(store->set(5, Msg("8", 5, "17=E5|")));
  }
  StorePtr store = Create(kBroker);
  EXPECT_EQ(store->getNextSenderMsgSeqNum(), 6);
  // The peer's ResendRequest for 5 finds the message.
  EXPECT_THAT(Get(*store, 5, 5), ElementsAre(Msg("8", 5, "17=E5|")));
}

TEST_F(SqliteMessageStoreTest,
       CreationTimeIsKeptAcrossReopenAndRenewedByReset) {
  const int64_t created_us = now_.load();
  Create(kBroker).reset();
  now_ += 86'400'000'000;  // a day later
  StorePtr store = Create(kBroker);
  FIX::UtcTimeStamp kept = store->getCreationTime();
  EXPECT_EQ(kept.getTimeT(), created_us / 1'000'000);
  EXPECT_EQ(kept.getFraction(6), created_us % 1'000'000);

  store->reset();
  FIX::UtcTimeStamp renewed = store->getCreationTime();
  EXPECT_EQ(renewed.getTimeT(), now_.load() / 1'000'000);
  EXPECT_EQ(renewed.getFraction(6), now_.load() % 1'000'000);
  store.reset();
  now_ += 1'000'000;
  EXPECT_EQ(Create(kBroker)->getCreationTime(), renewed);
}

TEST_F(SqliteMessageStoreTest, ResetClearsOnlyItsSession) {
  StorePtr broker = Create(kBroker);
  StorePtr exchange = Create(kExchange);
  for (int seq = 1; seq <= 3; ++seq) {
    ASSERT_TRUE(
        broker->set(seq, Msg("8", seq, "17=B" + std::to_string(seq) + "|")));
    broker->incrNextSenderMsgSeqNum();
    ASSERT_TRUE(
        exchange->set(seq, Msg("D", seq, "11=G" + std::to_string(seq) + "|")));
    exchange->incrNextSenderMsgSeqNum();
  }
  broker->setNextTargetMsgSeqNum(9);
  exchange->setNextTargetMsgSeqNum(7);

  broker->reset();
  EXPECT_EQ(broker->getNextSenderMsgSeqNum(), 1);
  EXPECT_EQ(broker->getNextTargetMsgSeqNum(), 1);
  EXPECT_THAT(Get(*broker, 1, 10), IsEmpty());
  EXPECT_FALSE(*sessions_->HasOutgoing(kBroker.toString(), "8:B1"));

  EXPECT_EQ(exchange->getNextSenderMsgSeqNum(), 4);
  EXPECT_EQ(exchange->getNextTargetMsgSeqNum(), 7);
  EXPECT_EQ(Get(*exchange, 1, 10).size(), 3U);
  broker.reset();
  exchange.reset();
  EXPECT_EQ(Create(kBroker)->getNextSenderMsgSeqNum(), 1);
  EXPECT_EQ(Create(kExchange)->getNextSenderMsgSeqNum(), 4);
}

TEST_F(SqliteMessageStoreTest, RefreshReloadsWhatAnotherStoreWrote) {
  StorePtr mine = Create(kBroker);
  StorePtr other = Create(kBroker);
  other->setNextSenderMsgSeqNum(42);
  other->setNextTargetMsgSeqNum(17);
  EXPECT_EQ(mine->getNextSenderMsgSeqNum(), 1);  // cached
  mine->refresh();
  EXPECT_EQ(mine->getNextSenderMsgSeqNum(), 42);
  EXPECT_EQ(mine->getNextTargetMsgSeqNum(), 17);
  // After a reset by the other store the creation time changes too.
  now_ += 5'000'000;
  other->reset();
  mine->refresh();
  EXPECT_EQ(mine->getNextSenderMsgSeqNum(), 1);
  EXPECT_EQ(mine->getCreationTime(), other->getCreationTime());
  // Messages are never cached: the other store's set is visible at once.
  ASSERT_TRUE(other->set(1, Msg("0", 1, "")));
  EXPECT_THAT(Get(*mine, 1, 1), ElementsAre(Msg("0", 1, "")));
}

TEST_F(SqliteMessageStoreTest, SetRecordsTheOutboxKey) {
  StorePtr store = Create(kBroker);
  ASSERT_TRUE(store->set(1, Msg("A", 1, "98=0|108=30|")));
  ASSERT_TRUE(store->set(2, Msg("8", 2, "11=C1|17=GW-X1|")));
  ASSERT_TRUE(store->set(3, Msg("9", 3, "11=C2|41=C1|")));
  auto missing = sessions_->MissingOutgoing(
      kBroker.toString(), {"8:GW-X1", "9:C2", "8:GW-X2", "D:C1"});
  ASSERT_TRUE(missing.ok());
  EXPECT_THAT(*missing, ElementsAre("8:GW-X2", "D:C1"));
  EXPECT_FALSE(*sessions_->HasOutgoing(kExchange.toString(), "8:GW-X1"));
}

TEST_F(SqliteMessageStoreTest, SqliteFailuresAreThrownAsIOException) {
  StorePtr store = Create(kBroker);
  RawExec(path_, "DROP TABLE fix_message");
  try {
    store->set(1, Msg("0", 1, ""));
    ADD_FAILURE() << "set did not throw";
  } catch (const FIX::IOException& e) {
    EXPECT_THAT(e.what(), HasSubstr(path_));
    EXPECT_THAT(e.what(), HasSubstr("cannot store message 1"));
    EXPECT_THAT(e.what(), HasSubstr("FIX.4.4:GW->BROKER1"));
  }
  std::vector<std::string> out;
  EXPECT_THROW(store->get(1, 2, out), FIX::IOException);
  EXPECT_THROW(store->reset(), FIX::IOException);
  // The failed set left the sequence alone.
  EXPECT_EQ(store->getNextSenderMsgSeqNum(), 1);
  // set() with a seq QuickFIX never uses is refused the same way.
  EXPECT_THROW(store->set(0, "x"), FIX::IOException);

  RawExec(path_, "DROP TABLE fix_session");
  EXPECT_THROW(store->setNextTargetMsgSeqNum(5), FIX::IOException);
  EXPECT_EQ(store->getNextTargetMsgSeqNum(), 1);
  EXPECT_THROW(store->refresh(), FIX::IOException);
}

TEST_F(SqliteMessageStoreTest, FailuresReachOnErrorBeforeTheyAreThrown) {
  // QuickFIX swallows a store's IOException inside Session::next (it
  // disconnects, and says why only in the session's own log): on_error is
  // how the gateway's log hears of it.
  std::vector<std::string> errors;
  SqliteStoreOptions options;
  options.on_error = [&](const std::string& m) { errors.push_back(m); };
  auto store = SqliteMessageStore::Open(*sessions_, kBroker.toString(),
                                        std::move(options));
  ASSERT_TRUE(store.ok()) << store.status().message();
  RawExec(path_, "DROP TABLE fix_message");
  EXPECT_THROW((*store)->reset(), FIX::IOException);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("FIX.4.4:GW->BROKER1"));
  EXPECT_THROW((*store)->set(1, Msg("0", 1, "")), FIX::IOException);
  EXPECT_EQ(errors.size(), 2u);
}

TEST_F(SqliteMessageStoreTest, FactoryThrowsConfigErrorWhenStateCannotLoad) {
  RawExec(path_, "DROP TABLE fix_session");
  try {
    factory_->create(kBroker);
    ADD_FAILURE() << "create did not throw";
  } catch (const FIX::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path_));
    EXPECT_THAT(e.what(), HasSubstr("FIX.4.4:GW->BROKER1"));
  }
}

// --- A real QuickFIX session pair --------------------------------------

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (fd >= 0 &&
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

// Records what a side receives; the exchange side answers every
// NewOrderSingle with an ExecutionReport (ExecID E1, E2, ...).
class PairApp : public FIX::Application {
 public:
  explicit PairApp(bool answers_orders) : answers_orders_(answers_orders) {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    Update([&] { ++logons_; });
  }
  void onLogout(const FIX::SessionID&) override {
    Update([&] { ++logouts_; });
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  void fromApp(const FIX::Message& msg, const FIX::SessionID& id) override {
    const std::string text = msg.toString();
    int n = 0;
    Update([&] {
      received_.push_back(text);
      n = static_cast<int>(received_.size());
    });
    if (answers_orders_ && msg.getHeader().getField(35) == "D") {
      FIX::Message report;
      report.getHeader().setField(FIX::MsgType("8"));
      report.setField(37, "O" + std::to_string(n));
      report.setField(11, msg.getField(11));
      report.setField(17, "E" + std::to_string(n));
      report.setField(150, "0");
      report.setField(39, "0");
      report.setField(55, msg.getField(55));
      report.setField(54, msg.getField(54));
      report.setField(151, "100");
      report.setField(14, "0");
      report.setField(6, "0");
      FIX::Session::sendToTarget(report, id);
    }
  }

  // Waits up to 10 s for `pred` over (logons, received messages).
  bool WaitFor(
      const std::function<bool(int, const std::vector<std::string>&)>& pred) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return pred(logons_, received_); });
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  template <typename Fn>
  void Update(Fn fn) {
    {
      std::lock_guard lock(mu_);
      fn();
    }
    cv_.notify_all();
  }

  const bool answers_orders_;
  std::mutex mu_;
  std::condition_variable cv_;
  int logons_ = 0;
  int logouts_ = 0;
  std::vector<std::string> received_;
};

FIX::SessionSettings PairSettings(bool acceptor, int port) {
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nBeginString=FIX.4.4\nHeartBtInt=30\n"
         "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\n"
         "ReconnectInterval=1\nSocketNodelay=Y\n\n[SESSION]\n";
  if (acceptor) {
    cfg << "ConnectionType=acceptor\nSenderCompID=EXCH\nTargetCompID=GW\n"
           "SocketAcceptHost=127.0.0.1\nSocketAcceptPort="
        << port << "\n";
  } else {
    cfg << "ConnectionType=initiator\nSenderCompID=GW\nTargetCompID=EXCH\n"
           "SocketConnectHost=127.0.0.1\nSocketConnectPort="
        << port << "\n";
  }
  std::istringstream in(cfg.str());
  return FIX::SessionSettings(in);
}

bool HasField(const std::string& msg, const std::string& field) {
  return msg.find('\x01' + field + '\x01') != std::string::npos;
}

int64_t SeqOf(const std::string& msg) {
  const size_t pos = msg.find(
      "\x01"
      "34=");
  return pos == std::string::npos ? 0 : std::stoll(msg.substr(pos + 4));
}

// Runs `body` while EXCH (acceptor) and GW (initiator) are connected on a
// free loopback port, both keeping their stores through `factory`.
void RunPair(FIX::MessageStoreFactory& factory, PairApp& gw_app,
             PairApp& exch_app, const std::function<void()>& body) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  FIX::SessionSettings acceptor_settings = PairSettings(true, port);
  FIX::SessionSettings initiator_settings = PairSettings(false, port);
  FIX::ThreadedSocketAcceptor acceptor(exch_app, factory, acceptor_settings);
  FIX::ThreadedSocketInitiator initiator(gw_app, factory, initiator_settings);
  acceptor.start();
  initiator.start();
  body();
  initiator.stop();
  acceptor.stop();
}

TEST_F(SqliteMessageStoreTest, RealSessionPairKeepsSequencesAndResendsFromIt) {
  const FIX::SessionID gw("FIX.4.4", "GW", "EXCH");
  const FIX::SessionID exch("FIX.4.4", "EXCH", "GW");
  const std::string gw_key = gw.toString();
  const std::string exch_key = exch.toString();
  // QuickFIX resets a session whose creation time lies outside the current
  // session window (StartTime/EndTime): the store's clock must be real here.
  now_ = fixgw::Now().time_since_epoch().count();

  // Both sides keep their stores in the same journal file.
  auto run = [&](PairApp& gw_app, PairApp& exch_app,
                 const std::function<void()>& body) {
    RunPair(*factory_, gw_app, exch_app, body);
  };
  auto logged_on = [](int logons, const std::vector<std::string>&) {
    return logons >= 1;
  };

  {  // First run: logon, one order and its report.
    PairApp gw_app(false), exch_app(true);
    run(gw_app, exch_app, [&] {
      ASSERT_TRUE(gw_app.WaitFor(logged_on));
      ASSERT_TRUE(exch_app.WaitFor(logged_on));
      FIX::Message order;
      order.getHeader().setField(FIX::MsgType("D"));
      order.setField(11, "C1");
      order.setField(55, "AAPL");
      order.setField(54, "1");
      order.setField(60, "20240101-00:00:00");
      order.setField(38, "100");
      order.setField(40, "1");
      ASSERT_TRUE(FIX::Session::sendToTarget(order, gw));
      ASSERT_TRUE(gw_app.WaitFor(
          [](int, const std::vector<std::string>& r) { return !r.empty(); }));
      EXPECT_EQ(OutputKey(gw_app.received()[0]), "8:E1");
    });
  }
  EXPECT_TRUE(*sessions_->HasOutgoing(gw_key, "D:C1"));
  EXPECT_TRUE(*sessions_->HasOutgoing(exch_key, "8:E1"));
  const int64_t gw_next = *sessions_->NextSender(gw_key);
  const int64_t exch_next = *sessions_->NextSender(exch_key);
  EXPECT_GE(gw_next, 3);  // Logon, D (and the Logout)
  EXPECT_EQ(*sessions_->NextTarget(exch_key), gw_next);
  EXPECT_EQ(*sessions_->NextTarget(gw_key), exch_next);
  // The order was seq 2 on the GW side.
  auto stored = sessions_->GetOutgoing(gw_key, 2, 2);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1U);
  EXPECT_EQ(OutputKey((*stored)[0].body), "D:C1");

  // The exchange side "forgets" everything after GW's Logon: on the next
  // logon it asks for a resend, which GW answers from its store.
  ASSERT_TRUE(sessions_->SetNextTarget(exch_key, 2).ok());
  {  // Second run: no sequence reset on either side.
    PairApp gw_app(false), exch_app(true);
    run(gw_app, exch_app, [&] {
      ASSERT_TRUE(exch_app.WaitFor(
          [](int, const std::vector<std::string>& r) { return !r.empty(); }));
      const std::string resent = exch_app.received()[0];
      EXPECT_EQ(OutputKey(resent), "D:C1");
      EXPECT_TRUE(HasField(resent, "34=2")) << resent;
      EXPECT_TRUE(HasField(resent, "43=Y")) << resent;
      // Its (new) report reaches GW on the continued sequence.
      ASSERT_TRUE(gw_app.WaitFor(
          [](int, const std::vector<std::string>& r) { return !r.empty(); }));
      EXPECT_GT(SeqOf(gw_app.received()[0]), exch_next) << gw_app.received()[0];
    });
  }
  EXPECT_TRUE(*sessions_->HasOutgoing(exch_key, "8:E1"));
  EXPECT_EQ(*sessions_->NextTarget(exch_key), *sessions_->NextSender(gw_key));
  EXPECT_EQ(*sessions_->NextTarget(gw_key), *sessions_->NextSender(exch_key));
  EXPECT_GT(*sessions_->NextSender(gw_key), gw_next);
}

// The gateway's prestore (store/session_store.h, "Prestoring") with real
// QuickFIX sessions: a message is stored in the journal transaction at the
// seq QuickFIX is predicted to give it, then a heartbeat takes that seq
// first. The order must end up stored exactly once, at the seq it was
// really sent with, and a resend from the predicted seq must give the peer
// a gap fill for the heartbeat and the order once.
TEST_F(SqliteMessageStoreTest, HeartbeatTakingAPredictedSeqLeavesOneCopyAtTheRealSeq) {
  const FIX::SessionID gw("FIX.4.4", "GW", "EXCH");
  const FIX::SessionID exch("FIX.4.4", "EXCH", "GW");
  const std::string gw_key = gw.toString();
  now_ = fixgw::Now().time_since_epoch().count();
  auto opened = store::Journal::Open(dir_ + "/shared.db",
                                     store::SyncMode::kNormal);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  std::unique_ptr<store::Journal> journal = std::move(opened).value();
  auto shared = store::SessionStore::Open(*journal, [this] { return Now(); });
  ASSERT_TRUE(shared.ok()) << shared.status().message();
  std::unique_ptr<store::SessionStore> sessions = std::move(shared).value();
  SqliteMessageStoreFactory factory(*sessions);

  auto order = [](const std::string& id) {
    FIX::Message m;
    m.getHeader().setField(FIX::MsgType("D"));
    m.setField(11, id);
    m.setField(55, "AAPL");
    m.setField(54, "1");
    m.setField(60, "20240101-00:00:00");
    m.setField(38, "100");
    m.setField(40, "1");
    return m;
  };
  // One journal commit that will send `m`: whether it was prestored.
  auto commit = [&](const FIX::Message& m) {
    std::vector<store::JournalEntry> entries(1);
    entries[0].kind = "Sent";
    entries[0].payload = "{}";
    bool prestored = false;
    Status st = journal->Append(entries, [&]() -> Status {
      Result<bool> r = sessions->PrestoreOutgoing(
          gw_key, MessageOutputKey(m),
          [&](int64_t seq) { return StoredForm(m, gw, seq); });
      if (!r.ok()) return r.status();
      prestored = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return prestored;
  };
  auto count_key = [&](const std::string& key) {
    auto all = sessions->GetOutgoing(gw_key, 1, 1000);
    EXPECT_TRUE(all.ok());
    int n = 0;
    for (const store::StoredMessage& m : *all) n += OutputKey(m.body) == key;
    return n;
  };
  auto run = [&](PairApp& gw_app, PairApp& exch_app,
                 const std::function<void()>& body) {
    RunPair(factory, gw_app, exch_app, body);
  };
  auto logged_on = [](int logons, const std::vector<std::string>&) {
    return logons >= 1;
  };

  int64_t predicted = 0;
  {
    PairApp gw_app(false), exch_app(false);
    run(gw_app, exch_app, [&] {
      ASSERT_TRUE(gw_app.WaitFor(logged_on));
      ASSERT_TRUE(exch_app.WaitFor(logged_on));
      predicted = *sessions->NextSender(gw_key);
      const FIX::Message c1 = order("C1");
      ASSERT_TRUE(commit(c1));  // stored at `predicted`, in the commit
      ASSERT_EQ(count_key("D:C1"), 1);

      // A heartbeat goes out first and takes the predicted seq.
      FIX::Message heartbeat;
      heartbeat.getHeader().setField(FIX::MsgType("0"));
      ASSERT_TRUE(FIX::Session::sendToTarget(heartbeat, gw));
      EXPECT_EQ(count_key("D:C1"), 0);  // the prediction is gone
      FIX::Message c1_sent = c1;
      ASSERT_TRUE(FIX::Session::sendToTarget(c1_sent, gw));
      // The next commit predicts again from where QuickFIX is.
      const FIX::Message c2 = order("C2");
      EXPECT_TRUE(commit(c2));
      FIX::Message c2_sent = c2;
      ASSERT_TRUE(FIX::Session::sendToTarget(c2_sent, gw));
      ASSERT_TRUE(exch_app.WaitFor(
          [](int, const std::vector<std::string>& r) { return r.size() >= 2; }));
      EXPECT_EQ(SeqOf(exch_app.received()[0]), predicted + 1);
      EXPECT_EQ(SeqOf(exch_app.received()[1]), predicted + 2);
    });
  }
  // Each order stored once, at the seq it went out with; the heartbeat at
  // the predicted one.
  EXPECT_EQ(count_key("D:C1"), 1);
  EXPECT_EQ(count_key("D:C2"), 1);
  auto stored = sessions->GetOutgoing(gw_key, predicted, predicted + 2);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 3U);
  EXPECT_TRUE(HasField((*stored)[0].body, "35=0")) << (*stored)[0].body;
  EXPECT_EQ(OutputKey((*stored)[1].body), "D:C1");
  EXPECT_TRUE(HasField((*stored)[1].body, "34=" + std::to_string(predicted + 1)));
  EXPECT_EQ(OutputKey((*stored)[2].body), "D:C2");
  EXPECT_TRUE(HasField((*stored)[2].body, "34=" + std::to_string(predicted + 2)));

  // The exchange forgets everything from the predicted seq on: the resend
  // gives it the two orders once each, the heartbeat as a gap fill.
  ASSERT_TRUE(sessions->SetNextTarget(exch.toString(), predicted).ok());
  {
    PairApp gw_app(false), exch_app(false);
    run(gw_app, exch_app, [&] {
      ASSERT_TRUE(exch_app.WaitFor(
          [](int, const std::vector<std::string>& r) { return r.size() >= 2; }));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      const std::vector<std::string> resent = exch_app.received();
      ASSERT_EQ(resent.size(), 2U);
      EXPECT_EQ(OutputKey(resent[0]), "D:C1");
      EXPECT_EQ(OutputKey(resent[1]), "D:C2");
      EXPECT_TRUE(HasField(resent[0], "43=Y")) << resent[0];
    });
  }
}

}  // namespace
}  // namespace fixgw::fix

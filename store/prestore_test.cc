// The session store on the journal's connection (SessionStore::Open(
// Journal&)): outgoing messages prestored in the journal's transaction,
// QuickFIX's later store of them writing nothing, displacement by another
// message, the stored messages staying a prefix of the commit order, the
// inbound sequence number raised with the journal entries, and rollback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/journal.h"
#include "store/session_store.h"

namespace fixgw::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kA[] = "FIX.4.4:GW->BROKER1";
constexpr char kB[] = "FIX.4.4:GW->BROKER2";

class PrestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "prestore_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/journal.db";
    auto j = Journal::Open(path_, SyncMode::kNormal);
    ASSERT_TRUE(j.ok()) << j.status().message();
    journal_ = std::move(j).value();
    auto s = SessionStore::Open(*journal_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->LoadSession(kA).ok());  // as QuickFIX does first
    ASSERT_TRUE(store_->LoadSession(kB).ok());
  }
  void TearDown() override {
    store_.reset();
    journal_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static JournalEntry Entry(const std::string& kind) {
    JournalEntry e;
    e.kind = kind;
    e.payload = "{}";
    return e;
  }

  // One journal commit of an entry that sends `keys` to `session`; returns
  // whether each was prestored.
  std::vector<bool> Commit(std::string_view session,
                           const std::vector<std::string>& keys) {
    std::vector<JournalEntry> entries{Entry("Sent")};
    std::vector<bool> prestored;
    Status st = journal_->Append(entries, [&]() -> Status {
      for (const std::string& key : keys) {
        Result<bool> r = store_->PrestoreOutgoing(
            session, key,
            [&](int64_t seq) { return Body(key, seq); });
        if (!r.ok()) return r.status();
        prestored.push_back(*r);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return prestored;
  }

  static std::string Body(const std::string& key, int64_t seq) {
    return "prestored " + key + " @" + std::to_string(seq);
  }

  // What QuickFIX's set() does when it sends `key` with MsgSeqNum `seq`.
  void Send(std::string_view session, int64_t seq, const std::string& key) {
    Status st = store_->SaveOutgoing(session, seq, "sent " + key, key);
    ASSERT_TRUE(st.ok()) << st.message();
  }

  // (seq, body) of every stored message of `session`.
  std::vector<std::string> Stored(std::string_view session) {
    auto msgs = store_->GetOutgoing(session, 1, 1000);
    EXPECT_TRUE(msgs.ok()) << msgs.status().message();
    std::vector<std::string> out;
    for (const StoredMessage& m : *msgs) {
      out.push_back(std::to_string(m.seq) + "=" + m.body);
    }
    return out;
  }

  int64_t NextSender(std::string_view session) {
    auto n = store_->NextSender(session);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  std::string dir_, path_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<SessionStore> store_;
};

TEST_F(PrestoreTest, PrestoredMessageIsCommittedWithItsEntryAndNotWrittenAgain) {
  EXPECT_THAT(Commit(kA, {"8:E1", "8:E2"}), ElementsAre(true, true));
  // Durable with the journal entry, at the seqs QuickFIX will use.
  EXPECT_THAT(Stored(kA),
              ElementsAre("1=prestored 8:E1 @1", "2=prestored 8:E2 @2"));
  EXPECT_EQ(NextSender(kA), 3);
  EXPECT_EQ(journal_->last_seq(), 1);

  Send(kA, 1, "8:E1");
  Send(kA, 2, "8:E2");
  // Nothing written: the stored copies are the prestored ones.
  EXPECT_THAT(Stored(kA),
              ElementsAre("1=prestored 8:E1 @1", "2=prestored 8:E2 @2"));
  // The next commit predicts from where QuickFIX is.
  EXPECT_THAT(Commit(kA, {"8:E3"}), ElementsAre(true));
  Send(kA, 3, "8:E3");
  EXPECT_THAT(Stored(kA), ElementsAre("1=prestored 8:E1 @1",
                                      "2=prestored 8:E2 @2",
                                      "3=prestored 8:E3 @3"));
}

TEST_F(PrestoreTest, AnotherMessageTakingTheSeqDisplacesThePredictions) {
  EXPECT_THAT(Commit(kA, {"8:E1", "8:E2", "8:E3"}),
              ElementsAre(true, true, true));
  Send(kA, 1, "");  // a heartbeat goes first
  // E2 and E3's rows are gone: each message is stored at most once.
  EXPECT_THAT(Stored(kA), ElementsAre("1=sent "));
  EXPECT_GE(NextSender(kA), 4);  // never lowered: no seq is reused

  // While E1..E3 are in flight without rows, nothing more is prestored:
  // it would be stored ahead of them.
  EXPECT_THAT(Commit(kA, {"8:E4"}), ElementsAre(false));
  Send(kA, 2, "8:E1");
  Send(kA, 3, "8:E2");
  Send(kA, 4, "8:E3");
  Send(kA, 5, "8:E4");
  EXPECT_THAT(Stored(kA), ElementsAre("1=sent ", "2=sent 8:E1", "3=sent 8:E2",
                                      "4=sent 8:E3", "5=sent 8:E4"));
  // All sent: prediction resumes at QuickFIX's next seq.
  EXPECT_THAT(Commit(kA, {"8:E5"}), ElementsAre(true));
  EXPECT_THAT(Stored(kA).back(), "6=prestored 8:E5 @6");
}

TEST_F(PrestoreTest, StoredMessagesStayAPrefixOfTheCommitOrderAtACrash) {
  // A crash right after a displacement and one send: the outbox must find
  // the unsent messages missing, so that it sends them after the stored
  // ones, in order.
  Commit(kA, {"8:A", "8:B", "8:C"});
  Send(kA, 1, "");
  Send(kA, 2, "8:A");
  auto missing = store_->MissingOutgoing(kA, {"8:A", "8:B", "8:C"});
  ASSERT_TRUE(missing.ok());
  EXPECT_THAT(*missing, ElementsAre("8:B", "8:C"));

  // Without a displacement the prestored ones count as stored: after a
  // crash the peer's resend request gets them.
  Commit(kB, {"8:X", "8:Y"});
  missing = store_->MissingOutgoing(kB, {"8:X", "8:Y"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
  EXPECT_EQ(NextSender(kB), 3);
}

TEST_F(PrestoreTest, SessionsPredictIndependently) {
  EXPECT_THAT(Commit(kA, {"8:A1"}), ElementsAre(true));
  EXPECT_THAT(Commit(kB, {"8:B1"}), ElementsAre(true));
  Send(kA, 1, "");  // displaces A's prediction only
  EXPECT_THAT(Commit(kB, {"8:B2"}), ElementsAre(true));
  EXPECT_THAT(Stored(kB),
              ElementsAre("1=prestored 8:B1 @1", "2=prestored 8:B2 @2"));
}

TEST_F(PrestoreTest, ResetDropsThePredictions) {
  Commit(kA, {"8:E1"});
  ASSERT_TRUE(store_->Reset(kA).ok());
  EXPECT_TRUE(Stored(kA).empty());
  EXPECT_THAT(Commit(kA, {"8:E2"}), ElementsAre(false));  // E1 in flight
  Send(kA, 1, "8:E1");
  Send(kA, 2, "8:E2");
  EXPECT_THAT(Commit(kA, {"8:E3"}), ElementsAre(true));
  EXPECT_THAT(Stored(kA).back(), "3=prestored 8:E3 @3");
}

TEST_F(PrestoreTest, UnloadedSessionsAndUnkeyedMessagesAreNotPrestored) {
  EXPECT_THAT(Commit("FIX.4.4:GW->NEW", {"8:N1"}), ElementsAre(false));
  EXPECT_THAT(Commit(kA, {""}), ElementsAre(false));
  // The unkeyed message is never counted as in flight.
  EXPECT_THAT(Commit(kA, {"8:E1"}), ElementsAre(true));
}

TEST_F(PrestoreTest, OnlyInsideTheJournalTransaction) {
  auto r = store_->PrestoreOutgoing(kA, "8:E1",
                                    [](int64_t) { return std::string("x"); });
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("outside a journal transaction"));
  Status st = store_->RaiseNextTarget(kA, 5);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("outside a journal transaction"));
}

TEST_F(PrestoreTest, InboundSeqIsRaisedWithTheEntriesAndNeverLowered) {
  std::vector<JournalEntry> entries{Entry("Order")};
  ASSERT_TRUE(journal_
                  ->Append(entries,
                           [&] { return store_->RaiseNextTarget(kA, 8); })
                  .ok());
  EXPECT_EQ(*store_->NextTarget(kA), 8);
  entries = {Entry("Order")};
  ASSERT_TRUE(journal_
                  ->Append(entries,
                           [&] { return store_->RaiseNextTarget(kA, 5); })
                  .ok());
  EXPECT_EQ(*store_->NextTarget(kA), 8);
}

TEST_F(PrestoreTest, AFailureInTheTransactionWritesNothing) {
  std::vector<JournalEntry> entries{Entry("Order")};
  Status st = journal_->Append(entries, [&]() -> Status {
    if (Status s = store_->RaiseNextTarget(kA, 9); !s.ok()) return s;
    return Status::Unavailable("injected");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "injected");
  EXPECT_EQ(journal_->last_seq(), 0);
  EXPECT_EQ(*store_->NextTarget(kA), 1);
  // And the journal goes on.
  entries = {Entry("Order")};
  ASSERT_TRUE(journal_->Append(entries).ok());
  EXPECT_EQ(journal_->last_seq(), 1);
  auto report = journal_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->first_bad_seq.has_value());
}

}  // namespace
}  // namespace fixgw::store

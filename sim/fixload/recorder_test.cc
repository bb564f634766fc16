// fixload's message record and the mixed flow's FIX side: record lines,
// the record file, the recording listener, and the messages and answers of
// the mix runner (no network).
#include "sim/fixload/recorder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "sim/fixload/mix_runner.h"

namespace fixgw::load {
namespace {

std::string Raw(const std::string& piped) {
  std::string s = piped;
  for (char& c : s) {
    if (c == '|') c = '\x01';
  }
  return s;
}

TEST(RecordLine, WritesEveryColumnInOrder) {
  std::string line = RecordLine(
      false, 42,
      Raw("8=FIX.4.4|9=10|35=8|34=7|43=Y|49=GW|56=B|11=c1|17=E1|150=F|39=1|"
          "1=ACC|54=1|55=AAPL|32=10|31=100.01|14=10|151=90|58=a\tb|10=000|"));
  EXPECT_EQ(line,
            "dir=in\ttime_us=42\ttype=8\tseq=7\tpossdup=Y\tclordid=c1\t"
            "origclordid=\texecid=E1\texectype=F\tordstatus=1\taccount=ACC\t"
            "side=1\tsymbol=AAPL\tqty=\tprice=\tlastqty=10\tlastpx=100.01\t"
            "cumqty=10\tleavesqty=90\trefseq=\tbizrefid=\ttext=a b");
}

TEST(RecordLine, PossDupIsNWhenAbsent) {
  std::string line = RecordLine(true, 1, Raw("35=D|34=3|11=x|"));
  EXPECT_NE(line.find("dir=out\t"), std::string::npos);
  EXPECT_NE(line.find("\tpossdup=N\t"), std::string::npos);
}

class TempFile {
 public:
  TempFile() {
    char name[] = "/tmp/fixload-record-XXXXXX";
    int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    path_ = name;
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }

 private:
  std::string path_;
};

FIX::Message Message(const std::string& type,
                     const std::vector<std::pair<int, std::string>>& body) {
  FIX::Message m;
  m.getHeader().setField(35, type);
  for (const auto& [tag, value] : body) m.setField(tag, value);
  return m;
}

class CountingListener : public Client::Listener {
 public:
  void OnInbound(const FIX::Message&, SteadyTime) override { ++in; }
  void OnOutbound(const FIX::Message&) override { ++out; }
  int in = 0, out = 0;
};

TEST(RecordingListener, RecordsAndForwardsButSkipsLogout) {
  TempFile file;
  auto recorder = MessageRecorder::Open(file.path(), "FIX.4.4:B->GW");
  ASSERT_TRUE(recorder.ok());
  CountingListener inner;
  RecordingListener listener(recorder->get(), &inner);
  SteadyTime now = std::chrono::steady_clock::now();
  listener.OnOutbound(Message("D", {{11, "c1"}}));
  listener.OnInbound(Message("8", {{11, "c1"}, {17, "E1"}}), now);
  listener.OnInbound(Message("3", {{45, "2"}}), now);
  listener.OnInbound(Message("5", {}), now);
  EXPECT_EQ(inner.in, 3);
  EXPECT_EQ(inner.out, 1);
  std::vector<std::string> lines = file.Lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "# fixload record v1 session=FIX.4.4:B->GW");
  EXPECT_EQ(lines[1].rfind("dir=out\t", 0), 0u);
  EXPECT_NE(lines[2].find("\texecid=E1\t"), std::string::npos);
  EXPECT_NE(lines[3].find("\ttype=3\t"), std::string::npos);
}

TEST(MessageRecorder, FailsOnAnUnwritablePath) {
  auto recorder = MessageRecorder::Open("/nonexistent/dir/rec", "s");
  ASSERT_FALSE(recorder.ok());
  EXPECT_NE(recorder.status().message().find("/nonexistent/dir/rec"),
            std::string::npos);
}

TEST(BuildMixMessage, CarriesTheRequestsFields) {
  MixRequest r;
  r.kind = RequestKind::kReplace;
  r.cl_ord_id = "B-2";
  r.orig_cl_ord_id = "B-0";
  r.account = "ACC";
  r.symbol = "AAPL";
  r.side = Side::kSell;
  r.qty = Qty(30);
  r.price = Price::FromMicros(100'010'000);
  FIX::Message g = BuildMixMessage(r, "20240101-00:00:00.000000");
  EXPECT_EQ(g.getHeader().getField(35), "G");
  EXPECT_EQ(g.getField(11), "B-2");
  EXPECT_EQ(g.getField(41), "B-0");
  EXPECT_EQ(g.getField(1), "ACC");
  EXPECT_EQ(g.getField(54), "2");
  EXPECT_EQ(g.getField(38), "30");
  EXPECT_EQ(g.getField(40), "2");
  EXPECT_EQ(g.getField(44), "100.01");
  EXPECT_EQ(g.getField(59), "0");
  r.kind = RequestKind::kCancel;
  FIX::Message f = BuildMixMessage(r, "20240101-00:00:00.000000");
  EXPECT_EQ(f.getHeader().getField(35), "F");
  EXPECT_FALSE(f.isSetField(44));
  EXPECT_FALSE(f.isSetField(40));
  r.kind = RequestKind::kNew;
  FIX::Message d = BuildMixMessage(r, "20240101-00:00:00.000000");
  EXPECT_EQ(d.getHeader().getField(35), "D");
  EXPECT_FALSE(d.isSetField(41));
}

MixOptions FlowOptions() {
  MixOptions o;
  o.instruments = {
      MixInstrument{"AAPL", Price::FromMicros(10'000), Price::FromUnits(100)}};
  o.id_prefix = "B";
  return o;
}

TEST(MixFlow, MatchesAnswersFromFixMessages) {
  MixFlow flow(FlowOptions());
  MixRequest r = flow.Next();
  FIX::Message sent = BuildMixMessage(r, "20240101-00:00:00");
  sent.getHeader().setField(34, "5");
  flow.OnOutbound(sent);
  EXPECT_EQ(flow.outstanding(), 1u);
  EXPECT_FALSE(flow.last_inbound().has_value());
  flow.OnInbound(Message("3", {{45, "5"}}), std::chrono::steady_clock::now());
  EXPECT_EQ(flow.outstanding(), 0u);
  EXPECT_EQ(flow.counts().rejected, 1u);
  EXPECT_TRUE(flow.last_inbound().has_value());
}

TEST(MixFlow, ResendsDoNotRemapSequenceNumbers) {
  MixFlow flow(FlowOptions());
  MixRequest r = flow.Next();
  FIX::Message sent = BuildMixMessage(r, "20240101-00:00:00");
  sent.getHeader().setField(34, "5");
  flow.OnOutbound(sent);
  MixRequest other = flow.Next();
  FIX::Message resent = BuildMixMessage(other, "20240101-00:00:00");
  resent.getHeader().setField(34, "5");
  resent.getHeader().setField(43, "Y");
  flow.OnOutbound(resent);
  flow.OnInbound(Message("3", {{45, "5"}}), std::chrono::steady_clock::now());
  // Seq 5 still means the first request.
  EXPECT_EQ(flow.outstanding(), 1u);
  flow.OnInbound(Message("8", {{11, other.cl_ord_id}, {150, "0"}, {39, "0"}}),
                 std::chrono::steady_clock::now());
  EXPECT_EQ(flow.outstanding(), 0u);
}

TEST(MixReport, FormatsJsonOnOneLine) {
  MixReport r;
  r.counts.new_sent = 10;
  r.send_s = 2;
  std::string json = FormatMixJson(r);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find("\"orders\":10"), std::string::npos);
  EXPECT_NE(json.find("\"orders_per_s\":5.0"), std::string::npos);
}

}  // namespace
}  // namespace fixgw::load

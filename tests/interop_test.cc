// fixgw against FIX peers nobody on this project wrote: a broker on the
// jspurefix engine (npm), QuickFIX's example `executor` and `ordermatch`
// (Debian's libquickfix-doc, built at test time) as exchanges, and a
// raw-socket venue (tests/peers/venue.py) that sends what real venues send:
// every ExecType, extra standard and user-defined tags, session and
// business rejects of forwarded orders. FIX 4.2 and 4.4 on either side.
// The peers are built or installed by tests/peers/ scripts into the build
// folder (once; later runs reuse them).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Json = nlohmann::json;

const std::string kPeers = FIXGW_PEERS_DIR;        // tests/peers
const std::string kPeerBuild = FIXGW_PEERS_BUILD;  // where they are built

// The messages a broker run printed, one JSON object each.
std::vector<Json> Messages(const std::string& out) {
  std::vector<Json> all;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("fields")) all.push_back(std::move(j));
  }
  return all;
}

// The messages received of `type` whose fields include every (tag, value)
// of `want` ("*": present).
std::vector<Json> Received(const std::vector<Json>& all, const std::string& type,
                           const std::map<std::string, std::string>& want) {
  std::vector<Json> out;
  for (const Json& m : all) {
    if (m.value("dir", "") != "in" || m.value("msgType", "") != type) continue;
    bool match = true;
    for (const auto& [tag, value] : want) {
      const Json& f = m["fields"];
      if (!f.contains(tag) ||
          (value != "*" && f[tag].get<std::string>() != value)) {
        match = false;
        break;
      }
    }
    if (match) out.push_back(m);
  }
  return out;
}

class InteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::filesystem::create_directories(kPeerBuild);
    const std::string log = kPeerBuild + "/setup.log";
    ASSERT_EQ(RunToCompletion({"/usr/bin/env", "bash", kPeers + "/quickfix_examples/build.sh",
                               kPeerBuild + "/quickfix"},
                              log, seconds(900)),
              0)
        << ReadFile(log);
    ASSERT_EQ(RunToCompletion({"/usr/bin/env", "bash", kPeers + "/jspurefix_broker/install.sh",
                               kPeerBuild + "/jspurefix"},
                              log, seconds(900)),
              0)
        << ReadFile(log);
  }

  InteropTest() {
    cluster_.exchange_comp_id = "VENUE";
    cluster_.symbols = "";  // any: the venue's symbols choose its answers
    cluster_.brokers = {"BROKER1", "BROKER2", "OLDBRK"};
    cluster_.broker_session_extra_for["OLDBRK"] =
        "BeginString=FIX.4.2\nDataDictionary=" FIXGW_FIX42_XML "\n";
    cluster_.broker_session_extra_for["BROKER2"] = "DefaultAccount=ACC9\n";
    // Every symbol of the venue at reference 10, ample limits.
    // BROKER1 may trade ACC1 only (no blank Account); the others any.
    cluster_.risk_limits += R"(
[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1"]
)";
    for (const char* s : {"FILL", "PART", "BUST", "CORR", "DFD", "EXP", "RSTD",
                          "NOTT", "REJ3", "REJJ", "REJ8", "CXLJ", "CXL3",
                          "REUSE", "IBM"}) {
      cluster_.risk_limits +=
          std::string("[symbols.") + s + "]\nreference_price = \"10.00\"\n";
    }
  }

  // The exchange session speaks `begin` with the project's dictionary.
  void ExchangeSpeaks(const std::string& begin) {
    cluster_.exchange_session_extra =
        "BeginString=" + begin + "\nDataDictionary=" +
        (begin == "FIX.4.2" ? FIXGW_FIX42_XML : FIXGW_FIX44_XML) + "\n";
  }

  void StartGateway() {
    std::string error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  std::string Jspurefix(const std::string& file) const {
    return kPeerBuild + "/jspurefix/node_modules/jspurefix/data/" + file;
  }

  void StartVenue(const std::string& begin = "FIX.4.4") {
    exchange_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/env", "python3", kPeers + "/venue.py", "--port",
                                 std::to_string(cluster_.sim_port()),
                                 "--sender", "VENUE", "--target", "GW",
                                 "--begin", begin, "--record", venue_record()},
        dir_.path() + "/venue.log");
    ASSERT_TRUE(WaitForPort(cluster_.sim_port(), seconds(10)))
        << ReadFile(dir_.path() + "/venue.log");
  }

  // QuickFIX's example `program` (executor, ordermatch) as the exchange,
  // validating with jspurefix's copy of QuickFIX's dictionaries.
  void StartQuickFixExample(const std::string& program,
                            const std::string& begin) {
    std::string cfg = ReadFile(kPeers + "/quickfix_examples/" + program +
                               ".cfg.in");
    const std::string dict =
        Jspurefix(begin == "FIX.4.2" ? "FIX42.xml" : "FIX44.xml");
    for (const auto& [key, value] :
         std::map<std::string, std::string>{
             {"@PORT@", std::to_string(cluster_.sim_port())},
             {"@SENDER@", "VENUE"}, {"@TARGET@", "GW"}, {"@BEGIN@", begin},
             {"@USEDD@", "Y"}, {"@DICT@", dict},
             {"@DIR@", dir_.path() + "/" + program}, {"@RESET@", "Y"}}) {
      for (size_t at; (at = cfg.find(key)) != std::string::npos;) {
        cfg.replace(at, key.size(), value);
      }
    }
    const std::string path = dir_.Write(program + ".cfg", cfg);
    exchange_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/env", "bash", kPeers + "/quickfix_examples/run.sh",
                                 kPeerBuild + "/quickfix/" + program, path},
        dir_.path() + "/" + program + ".log");
    ASSERT_TRUE(WaitForPort(cluster_.sim_port(), seconds(10)))
        << ReadFile(dir_.path() + "/" + program + ".log");
  }

  // Runs a jspurefix broker with `scenario` (JSON steps); its messages.
  std::vector<Json> Broker(const std::string& sender,
                           const std::string& scenario,
                           const std::string& begin = "FIX.4.4",
                           const std::vector<std::string>& more = {}) {
    const std::string name = "broker-" + std::to_string(++runs_);
    const std::string file = dir_.Write(name + ".json", scenario);
    std::vector<std::string> argv = {
        "/usr/bin/env", "node", kPeers + "/jspurefix_broker/broker.js",
        "--modules", kPeerBuild + "/jspurefix",
        "--port",   std::to_string(cluster_.gateway_port()),
        "--sender", sender,
        "--target", "GW",
        "--begin",  begin,
        "--scenario", file,
        "--timeout-ms", "45000"};
    argv.insert(argv.end(), more.begin(), more.end());
    Ran ran = RunCapturing(argv, dir_.path() + "/" + name, seconds(60));
    EXPECT_EQ(ran.rc, 0) << ran.out << ran.err << "\n--- fixgw log:\n"
                         << ReadFile(cluster_.gateway_log());
    return Messages(ran.out);
  }

  std::string venue_record() const { return dir_.path() + "/venue.jsonl"; }

  Json State() {
    Cluster::HttpReply r = cluster_.Admin("GET", "/state");
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body, nullptr, false);
  }
  // The net position of `account` in `symbol` per the gateway's risk state.
  int64_t Position(const std::string& account, const std::string& symbol) {
    const Json state = State();
    const Json* p = nullptr;
    if (state.contains("accounts") && state["accounts"].contains(account) &&
        state["accounts"][account]["positions"].contains(symbol)) {
      p = &state["accounts"][account]["positions"][symbol];
    }
    return p == nullptr ? 0 : (*p)["position"].get<int64_t>();
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  std::unique_ptr<Process> exchange_;
  int runs_ = 0;
};

// An order with the fields order systems send besides the ones fixgw
// interprets: they must reach the exchange unchanged.
constexpr const char* kRichOrder = R"(
  "HandlInst": "1", "ExDestination": "XNAS", "Currency": "USD",
  "OrderCapacity": "A", "Text": "rich order", "SecurityType": "CS",
  "SecurityID": "US4592001014", "SecurityIDSource": "4",
  "NoPartyIDs": [{"PartyID": "TRADER7", "PartyIDSource": "D", "PartyRole": "11"}]
)";

TEST_F(InteropTest, JspurefixBrokerTradesThroughGatewayWithQuickFixExecutor) {
  ExchangeSpeaks("FIX.4.4");
  StartQuickFixExample("executor", "FIX.4.4");
  StartGateway();
  auto msgs = Broker("BROKER1", std::string(R"([
    {"send": "D", "fields": {"ClOrdID": "A1", "Account": "ACC1", "Symbol": "IBM",
      "Side": "1", "OrderQty": "100", "OrdType": "2", "Price": "10.25",)") +
                                    kRichOrder + R"(}},
    {"expect": {"MsgType": "8", "ClOrdID": "A1", "ExecType": "F", "OrdStatus": "2",
                "LastQty": "100", "TransactTime": "*"}},
    {"send": "D", "fields": {"ClOrdID": "A2", "Account": "ACC1", "Symbol": "IBM",
      "Side": "1", "OrderQty": "5", "OrdType": "1"}},
    {"expect": {"MsgType": "8", "ClOrdID": "A2", "ExecType": "8", "OrdStatus": "8"}},
    {"send": "D", "fields": {"ClOrdID": "A3", "Account": "ACC1", "Symbol": "IBM",
      "Side": "2", "OrderQty": "40", "OrdType": "2", "Price": "10.5"}},
    {"expect": {"MsgType": "8", "ClOrdID": "A3", "ExecType": "F"}}
  ])");
  // The executor refused the market order with a session Reject (35=3):
  // the broker hears it, with the venue's reason.
  auto rejected = Received(msgs, "8", {{"11", "A2"}, {"150", "8"}});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0]["fields"]["58"].get<std::string>().find(
                "refused by the exchange (session Reject)"),
            std::string::npos)
      << rejected[0].dump();
  // Gateway timestamps are milliseconds (FIX 4.4 UTCTimestamp).
  auto fill = Received(msgs, "8", {{"11", "A1"}, {"150", "F"}});
  ASSERT_EQ(fill.size(), 1u);
  EXPECT_EQ(fill[0]["fields"]["60"].get<std::string>().size(), 21u)
      << fill[0].dump();
  EXPECT_EQ(Position("ACC1", "IBM"), 60);
  // Nothing waits for the exchange.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT COUNT(*) FROM journal WHERE kind='ExchangeRequestRefused'"),
            1);
}

TEST_F(InteropTest, Fix42BrokerTradesWithFix44Executor) {
  ExchangeSpeaks("FIX.4.4");
  StartQuickFixExample("executor", "FIX.4.4");
  StartGateway();
  auto msgs = Broker("OLDBRK", R"([
    {"send": "D", "fields": {"ClOrdID": "O1", "Account": "ACC1", "HandlInst": "1",
      "Symbol": "IBM", "Side": "1", "OrderQty": "30", "OrdType": "2", "Price": "9.5"}},
    {"expect": {"MsgType": "8", "ClOrdID": "O1", "ExecTransType": "0",
                "ExecType": "2", "OrdStatus": "2", "LastShares": "30"}}
  ])",
                     "FIX.4.2");
  EXPECT_EQ(Received(msgs, "8", {{"11", "O1"}, {"20", "0"}}).size(), 1u);
  EXPECT_EQ(Position("ACC1", "IBM"), 30);
}

TEST_F(InteropTest, Fix44BrokerTradesWithFix42Ordermatch) {
  ExchangeSpeaks("FIX.4.2");
  StartQuickFixExample("ordermatch", "FIX.4.2");
  StartGateway();
  auto msgs = Broker("BROKER1", R"([
    {"send": "D", "fields": {"ClOrdID": "B1", "Account": "ACC1", "Symbol": "IBM",
      "Side": "1", "OrderQty": "100", "OrdType": "2", "Price": "10"}},
    {"expect": {"MsgType": "8", "ClOrdID": "B1", "ExecType": "0"}},
    {"send": "D", "fields": {"ClOrdID": "S1", "Account": "ACC1", "Symbol": "IBM",
      "Side": "2", "OrderQty": "60", "OrdType": "2", "Price": "10"}},
    {"expect": {"MsgType": "8", "ClOrdID": "S1", "ExecType": "F", "OrdStatus": "2"}},
    {"expect": {"MsgType": "8", "ClOrdID": "B1", "ExecType": "F", "OrdStatus": "1",
                "LeavesQty": "40"}},
    {"send": "F", "fields": {"ClOrdID": "B1-C", "OrigClOrdID": "B1", "Symbol": "IBM",
      "Side": "1", "OrderQty": "100"}},
    {"expect": {"MsgType": "8", "ClOrdID": "B1", "ExecType": "4", "OrdStatus": "4"}}
  ])");
  EXPECT_EQ(Received(msgs, "8", {{"150", "F"}}).size(), 2u);
  EXPECT_EQ(Position("ACC1", "IBM"), 0);  // bought 60, sold 60
  const Json state = State();
  EXPECT_EQ(state.dump().find("PendingNew"), std::string::npos) << state.dump();
}

TEST_F(InteropTest, EveryVenueAnswerReachesTheBroker) {
  ExchangeSpeaks("FIX.4.4");
  StartVenue();
  StartGateway();
  auto order = [](const std::string& id, const std::string& symbol) {
    return R"({"send": "D", "fields": {"ClOrdID": ")" + id +
           R"(", "Account": "ACC1", "Symbol": ")" + symbol +
           R"(", "Side": "1", "OrderQty": "100", "OrdType": "2", "Price": "10")" +
           (symbol == "FILL" ? std::string(",") + kRichOrder : "") + "}}";
  };
  auto expect = [](const std::string& id, const std::string& exec_type) {
    return R"({"expect": {"MsgType": "8", "ClOrdID": ")" + id +
           R"(", "ExecType": ")" + exec_type + R"("}})";
  };
  std::string steps = "[" + order("V1", "FILL") + "," + expect("V1", "F") +
                      "," + order("V2", "BUST") + "," + expect("V2", "H") +
                      "," + order("V3", "CORR") + "," + expect("V3", "G") +
                      "," + order("V4", "DFD") + "," + expect("V4", "3") +
                      "," + order("V5", "EXP") + "," + expect("V5", "C") +
                      "," + order("V6", "RSTD") + "," + expect("V6", "D") +
                      "," + order("V7", "NOTT") + "," + expect("V7", "F") +
                      "," + order("V8", "REJ3") + "," + expect("V8", "8") +
                      "," + order("V9", "REJJ") + "," + expect("V9", "8") +
                      "," + order("V10", "REJ8") + "," + expect("V10", "8") +
                      "," + order("V11", "REUSE") + "," + expect("V11", "F") +
                      "," + order("V12", "REUSE") + "," + expect("V12", "F") +
                      "," + order("V13", "CXLJ") + "," + expect("V13", "0") +
                      R"(,{"send": "F", "fields": {"ClOrdID": "V13-C", "OrigClOrdID": "V13",
                           "Symbol": "CXLJ", "Side": "1"}},
                          {"expect": {"MsgType": "9", "ClOrdID": "V13-C", "CxlRejResponseTo": "1"}},)" +
                      order("V14", "CXL3") + "," + expect("V14", "0") +
                      R"(,{"send": "G", "fields": {"ClOrdID": "V14-R", "OrigClOrdID": "V14",
                           "Account": "ACC1", "Symbol": "CXL3", "Side": "1", "OrderQty": "50",
                           "OrdType": "2", "Price": "10"}},
                          {"expect": {"MsgType": "9", "ClOrdID": "V14-R", "CxlRejResponseTo": "2"}},)" +
                      order("V15", "PART") + "," + expect("V15", "F") +
                      R"(,{"send": "G", "fields": {"ClOrdID": "V15-R", "OrigClOrdID": "V15",
                           "Account": "ACC1", "Symbol": "PART", "Side": "1", "OrderQty": "80",
                           "OrdType": "2", "Price": "10"}},
                          {"expect": {"MsgType": "8", "ClOrdID": "V15-R", "ExecType": "5"}},
                          {"send": "F", "fields": {"ClOrdID": "V15-C", "OrigClOrdID": "V15-R",
                           "Symbol": "PART", "Side": "1"}},
                          {"expect": {"MsgType": "8", "ClOrdID": "V15-C", "ExecType": "4"}}
                      ])";
  auto msgs = Broker("BROKER1", steps, "FIX.4.4", {"--udf", "9001"});

  // The venue's extra tags reached the broker: user-defined 9001 on the ack,
  // standard ones the broker's FIX 4.4 ExecutionReport defines on the fill.
  EXPECT_EQ(Received(msgs, "8", {{"11", "V1"}, {"150", "0"}, {"9001", "*"}}).size(),
            1u);
  EXPECT_EQ(Received(msgs, "8", {{"11", "V1"}, {"150", "F"}, {"29", "1"},
                                 {"851", "1"}, {"30", "XVEN"}})
                .size(),
            1u);
  // A report without TransactTime gets the gateway's, never 1970.
  auto nott = Received(msgs, "8", {{"11", "V7"}, {"150", "F"}});
  ASSERT_EQ(nott.size(), 1u);
  EXPECT_EQ(nott[0]["fields"]["60"].get<std::string>().rfind("1970", 0),
            std::string::npos);
  // Session and business rejects of the order became Rejected reports.
  for (const char* id : {"V8", "V9"}) {
    auto r = Received(msgs, "8", {{"11", id}, {"150", "8"}, {"39", "8"}});
    ASSERT_EQ(r.size(), 1u) << id;
    EXPECT_NE(r[0]["fields"]["58"].get<std::string>().find("refused by the exchange"),
              std::string::npos);
  }
  // Two orders filled with the same venue ExecIDs: both fills arrive, with
  // different ExecIDs.
  auto f11 = Received(msgs, "8", {{"11", "V11"}, {"150", "F"}});
  auto f12 = Received(msgs, "8", {{"11", "V12"}, {"150", "F"}});
  ASSERT_EQ(f11.size(), 1u);
  ASSERT_EQ(f12.size(), 1u);
  EXPECT_NE(f11[0]["fields"]["17"], f12[0]["fields"]["17"]);

  // Pass-through: the venue got the broker's fields unchanged.
  const std::string record = ReadFile(venue_record());
  for (const char* field :
       {"[21, \"1\"]", "[100, \"XNAS\"]", "[15, \"USD\"]", "[528, \"A\"]",
        "[58, \"rich order\"]", "[167, \"CS\"]", "[48, \"US4592001014\"]",
        "[453, \"1\"]", "[448, \"TRADER7\"]", "[452, \"11\"]"}) {
    EXPECT_NE(record.find(field), std::string::npos) << field << "\n" << record;
  }

  // Risk follows: the busted fill is gone (V2 back to 0), DFD/EXP/rejects
  // released; nothing stays PendingNew.
  const Json state = State();
  EXPECT_EQ(state.dump().find("PendingNew"), std::string::npos) << state.dump();
  EXPECT_EQ(Position("ACC1", "BUST"), 0);
  EXPECT_EQ(Position("ACC1", "FILL"), 100);
  EXPECT_EQ(Position("ACC1", "REUSE"), 200);
  // Each venue refusal of a forwarded D, F or G is journaled as such.
  EXPECT_EQ(cluster_.JournalCount("SELECT COUNT(*) FROM journal WHERE "
                                  "kind='ExchangeRequestRefused'"),
            4);
}

TEST_F(InteropTest, DefaultAccountAndMassStatusAfterAReset) {
  ExchangeSpeaks("FIX.4.4");
  StartVenue();
  StartGateway();
  // BROKER2 has DefaultAccount=ACC9: an order without Account trades it.
  Broker("BROKER2", R"([
    {"send": "D", "fields": {"ClOrdID": "P1", "Symbol": "PART", "Side": "1",
      "OrderQty": "100", "OrdType": "2", "Price": "10"}},
    {"expect": {"MsgType": "8", "ClOrdID": "P1", "ExecType": "F", "Account": "ACC9"}}
  ])");
  // BROKER1 has none: refused with the reason.
  auto refused = Broker("BROKER1", R"([
    {"send": "D", "fields": {"ClOrdID": "N1", "Symbol": "PART", "Side": "1",
      "OrderQty": "100", "OrdType": "2", "Price": "10"}},
    {"expect": {"MsgType": "8", "ClOrdID": "N1", "ExecType": "8"}}
  ])");
  auto r = Received(refused, "8", {{"11", "N1"}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0]["fields"]["58"].get<std::string>().find("no Account"),
            std::string::npos);
  // BROKER2 comes back with ResetSeqNumFlag=Y (jspurefix's default) and
  // asks for the status of its orders: the open one is reported.
  auto status = Broker("BROKER2", R"([
    {"send": "AF", "fields": {"MassStatusReqID": "M1", "MassStatusReqType": "7"}},
    {"expect": {"MsgType": "8", "ClOrdID": "P1", "ExecType": "I", "OrdStatus": "1",
                "MassStatusReqID": "M1", "LastRptRequested": "Y"}}
  ])");
  EXPECT_EQ(Received(status, "8", {{"150", "I"}}).size(), 1u);

  // While BROKER2 is away its order is canceled (kill switch): the cancel
  // is sent to a session nobody is logged on to.
  EXPECT_EQ(cluster_.Admin("POST",
                           "/kill-switch?action=engage&scope=account&name=ACC9")
                .status,
            200);
  ASSERT_TRUE(cluster_.WaitForGatewayLog("ExecType=Canceled", 1, seconds(10)));
  // A reset logon discards it: fixgw says so, and the mass status still
  // shows the order's last state (finished since the previous connection).
  auto after = Broker("BROKER2", R"([
    {"send": "AF", "fields": {"MassStatusReqID": "M2", "MassStatusReqType": "7"}},
    {"expect": {"MsgType": "8", "ClOrdID": "P1", "ExecType": "I", "OrdStatus": "4",
                "MassStatusReqID": "M2"}}
  ])");
  EXPECT_EQ(Received(after, "8", {{"11", "P1"}, {"150", "4"}}).size(), 0u);
  EXPECT_TRUE(cluster_.WaitForGatewayLog(
      "logged on with ResetSeqNumFlag=Y: 1 message(s) sent to it while it "
      "was away are discarded",
      1, seconds(5)))
      << ReadFile(cluster_.gateway_log());
}

TEST_F(InteropTest, LogonInTheWrongFixVersionIsRefusedAndLogged) {
  ExchangeSpeaks("FIX.4.4");
  StartVenue();
  StartGateway();
  // BROKER1's session is FIX.4.4; a FIX.4.2 Logon matches no session.
  const std::string scenario = dir_.Write("none.json", "[]");
  Ran ran = RunCapturing(
      {"/usr/bin/env", "node", kPeers + "/jspurefix_broker/broker.js",
       "--modules", kPeerBuild + "/jspurefix", "--port",
       std::to_string(cluster_.gateway_port()), "--sender", "BROKER1",
       "--target", "GW", "--begin", "FIX.4.2", "--scenario", scenario,
       "--timeout-ms", "10000", "--logon-timeout-ms", "5000"},
      dir_.path() + "/wrong-version", seconds(30));
  EXPECT_EQ(ran.rc, 2) << ran.out << ran.err;
  EXPECT_TRUE(cluster_.WaitForGatewayLog("logon refused unknown_session", 1,
                                         seconds(5)))
      << ReadFile(cluster_.gateway_log());
}

}  // namespace
}  // namespace fixgw::testing

// The crash battery's checker; definitions in check.h.
#include "tests/crash/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "gateway/core/clock.h"
#include "gateway/router/journal_events.h"
#include "gateway/router/order_router.h"
#include "gateway/router/state_report.h"
#include "risk/limits.h"
#include "risk/risk_engine.h"

namespace fixgw::crash {
namespace {

using Json = nlohmann::json;

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? p : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::optional<int64_t> ToInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return neg ? -v : v;
}

// A decimal ("-12.5") in micro-units; nullopt if malformed or finer.
std::optional<int64_t> Micros(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || frac.size() > 6) return std::nullopt;
  std::optional<int64_t> w = ToInt64(whole);
  if (!w || *w < 0) return std::nullopt;
  int64_t f = 0;
  for (size_t i = 0; i < 6; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    f = f * 10 + (c - '0');
  }
  int64_t v = *w * 1'000'000 + f;
  return neg ? -v : v;
}

std::string FormatMicros(int64_t v) {
  const char* sign = v < 0 ? "-" : "";
  uint64_t a =
      v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  return fmt::format("{}{}.{:06}", sign, a / 1'000'000, a % 1'000'000);
}

std::string IsoOf(int64_t time_us) {
  return FormatIsoTimestamp(Timestamp(std::chrono::microseconds(time_us)));
}

// The value of `tag` in a '|'- or SOH-separated FIX text.
std::string FieldOf(std::string_view fix, int tag, char sep) {
  const std::string key = std::to_string(tag) + "=";
  size_t pos = 0;
  while (pos < fix.size()) {
    size_t end = fix.find(sep, pos);
    if (end == std::string_view::npos) end = fix.size();
    std::string_view field = fix.substr(pos, end - pos);
    if (field.substr(0, key.size()) == key) {
      return std::string(field.substr(key.size()));
    }
    pos = end + 1;
  }
  return "";
}

// "FIX.4.4:BROKER1->GW" -> "FIX.4.4:GW->BROKER1".
std::string ReverseSession(const std::string& s) {
  size_t colon = s.find(':');
  size_t arrow = s.find("->");
  if (colon == std::string::npos || arrow == std::string::npos ||
      arrow < colon) {
    return "";
  }
  return s.substr(0, colon + 1) + s.substr(arrow + 2) + "->" +
         s.substr(colon + 1, arrow - colon - 1);
}

std::string BrokerKey(const std::string& session, const std::string& id) {
  return session + '\x1f' + id;
}

// "FIX.4.4:BROKER1->GW" -> "BROKER1"; "FIX.4.4:GW->BROKER1" -> "GW".
std::string SenderOf(const std::string& session) {
  size_t colon = session.find(':');
  size_t arrow = session.find("->");
  if (colon == std::string::npos || arrow == std::string::npos) return session;
  return session.substr(colon + 1, arrow - colon - 1);
}

// "FIX.4.4:GW->BROKER1" -> "BROKER1".
std::string TargetOf(const std::string& session) {
  size_t arrow = session.find("->");
  return arrow == std::string::npos ? session : session.substr(arrow + 2);
}

// The session lines of `r`, by name (created by Check before the checks).
SessionCounts* SessionOf(CheckResult* r, const std::string& name) {
  for (SessionCounts& s : r->sessions) {
    if (s.name == name) return &s;
  }
  static SessionCounts ignored;  // a name no line was made for
  ignored = SessionCounts{};
  return &ignored;
}

const std::string& VenueName(const CheckInput& in, size_t venue) {
  static const std::string kDefault = "exchange";
  return venue < in.venues.size() ? in.venues[venue].comp_id : kDefault;
}

// Whether `venue` takes `symbol` (a venue without symbols takes them all).
bool VenueTakes(const CheckInput& in, size_t venue, const std::string& symbol) {
  if (venue >= in.venues.size()) return true;
  const std::vector<std::string>& list = in.venues[venue].symbols;
  return list.empty() ||
         std::find(list.begin(), list.end(), symbol) != list.end();
}

// The venue that takes `symbol` (the first that does), or venues.size().
size_t VenueFor(const CheckInput& in, const std::string& symbol) {
  for (size_t v = 0; v < in.venues.size(); ++v) {
    if (VenueTakes(in, v, symbol)) return v;
  }
  return in.venues.size();
}

// Everything the checks look things up in.
class Index {
 public:
  explicit Index(const CheckInput& in) : in_(in) {
    for (size_t i = 0; i < in.journal.size(); ++i) AddJournal(i);
    for (size_t i = 0; i < in.sim.size(); ++i) AddSim(i);
    for (size_t b = 0; b < in.brokers.size(); ++b) AddBroker(b);
    events_ = in.events;
    std::stable_sort(events_.begin(), events_.end(),
                     [](const RunEvent& a, const RunEvent& b) {
                       return a.time_us < b.time_us;
                     });
  }

  const CheckInput& in_;

  // Journal.
  std::unordered_map<std::string, std::vector<size_t>> j_by_exch;
  std::unordered_map<std::string, std::vector<size_t>> j_by_broker;
  std::unordered_map<std::string, std::vector<size_t>> j_by_exec_id;
  struct Owner {
    std::string session, cl_ord_id;
  };
  std::unordered_map<std::string, Owner> owner_of_exch;
  // (session, ClOrdID) -> exchange ClOrdIDs of NewOrderAccepted, in order.
  std::unordered_map<std::string, std::vector<std::string>> accepted;
  std::vector<std::string> accepted_order;  // keys, first acceptance order
  std::vector<std::string> forwarded;       // exch ClOrdIDs of F/G, in order

  // fixsim.
  std::unordered_map<std::string, std::vector<size_t>> sim_orders_in;
  std::vector<std::string> sim_order_ids;  // first receipt order
  std::unordered_map<std::string, size_t> sim_report_by_exec;
  std::vector<std::string> sim_exec_ids;  // first-sent order
  std::unordered_map<std::string, std::set<std::string>> sim_new_acks;
  std::unordered_map<std::string, size_t> sim_cxlrej_by_id;
  std::vector<std::string> sim_cxlrej_ids;

  // Brokers (by index into in_.brokers).
  struct BrokerIndex {
    std::unordered_set<std::string> answered;  // ClOrdIDs answered
    std::unordered_map<std::string, std::string> id_by_seq;
    std::unordered_map<std::string, std::vector<size_t>> exec_in;
    std::vector<std::string> exec_order;
    std::unordered_map<std::string, std::vector<size_t>> sent;  // ClOrdID
    std::vector<std::string> sent_order;
    // ClOrdIDs of the 9s received -> record lines.
    std::unordered_map<std::string, std::vector<size_t>> cxlrej_in;
    std::vector<std::string> cxlrej_order;
  };
  std::vector<BrokerIndex> brokers;
  std::unordered_map<std::string, size_t> broker_by_gw_session;

  std::vector<RunEvent> events_;

  std::string DescribeEntry(size_t i) const {
    const store::JournalEntry& e = in_.journal[i];
    std::string s = fmt::format(
        "#{} {} {}", e.seq, IsoOf(e.time.time_since_epoch().count()), e.kind);
    if (!e.session.empty()) s += " " + e.session;
    if (!e.cl_ord_id.empty()) s += " ClOrdID=" + e.cl_ord_id;
    if (!e.exch_cl_ord_id.empty()) s += " exch=" + e.exch_cl_ord_id;
    if (!e.raw_fix.empty()) {
      std::string type = FieldOf(e.raw_fix, 35, '|');
      s += " [35=" + type;
      for (int tag : {11, 41, 17, 150, 39, 43, 34}) {
        std::string v = FieldOf(e.raw_fix, tag, '|');
        if (!v.empty()) s += fmt::format(" {}={}", tag, v);
      }
      s += "]";
    }
    return s;
  }

  // The journal entries in `list` (plus those just before and after the
  // first one, for context), one per line.
  std::string JournalLines(const std::vector<size_t>& list,
                           const std::string& what) const {
    if (list.empty()) return "    journal: nothing for " + what + "\n";
    std::string out = "    journal for " + what + ":\n";
    std::set<size_t> shown;
    const size_t first = list.front();
    if (first > 0) shown.insert(first - 1);
    for (size_t i : list) {
      if (shown.size() >= 14) break;
      shown.insert(i);
    }
    if (first + 1 < in_.journal.size()) shown.insert(first + 1);
    std::set<size_t> wanted(list.begin(), list.end());
    for (size_t i : shown) {
      out += (wanted.contains(i) ? "      " : "      (next to it) ") +
             DescribeEntry(i) + "\n";
    }
    return out;
  }

  // The battery's events around `time_us`.
  std::string Around(int64_t time_us) const {
    if (events_.empty() || time_us == 0) return "";
    auto it = std::upper_bound(
        events_.begin(), events_.end(), time_us,
        [](int64_t t, const RunEvent& e) { return t < e.time_us; });
    std::string out = "    run: ";
    if (it != events_.begin()) {
      const RunEvent& before = *std::prev(it);
      out += fmt::format("{} ms after \"{}\"",
                         (time_us - before.time_us) / 1000, before.what);
    } else {
      out += "before the first event";
    }
    if (it != events_.end()) {
      out += fmt::format("; {} ms before \"{}\"",
                         (it->time_us - time_us) / 1000, it->what);
    }
    return out + "\n";
  }

  std::string SimLines(const std::vector<size_t>& list) const {
    std::string out;
    for (size_t i : list) {
      const SimMsg& m = in_.sim[i];
      out += fmt::format(
          "      {} log line {} {}: {} 35={} 34={}{}{} 11={}{}{}\n",
          VenueName(in_, m.venue), m.line, m.logged_at,
          m.from_exchange ? "sent" : "received", m.type, m.seq,
          m.possdup ? " 43=Y" : "", m.possresend ? " 97=Y" : "", m.cl_ord_id,
          m.orig_cl_ord_id.empty() ? "" : " 41=" + m.orig_cl_ord_id,
          m.exec_id.empty() ? "" : " 17=" + m.exec_id + " 150=" + m.exec_type);
    }
    return out;
  }

 private:
  void AddJournal(size_t i) {
    const store::JournalEntry& e = in_.journal[i];
    if (!e.exch_cl_ord_id.empty()) j_by_exch[e.exch_cl_ord_id].push_back(i);
    if (!e.session.empty() && !e.cl_ord_id.empty()) {
      j_by_broker[BrokerKey(e.session, e.cl_ord_id)].push_back(i);
    }
    if (!e.raw_fix.empty()) {
      std::string exec_id = FieldOf(e.raw_fix, 17, '|');
      if (!exec_id.empty()) j_by_exec_id[exec_id].push_back(i);
    }
    if (e.kind == "NewOrderAccepted" || e.kind == "CancelReplaceForwarded") {
      owner_of_exch.emplace(e.exch_cl_ord_id, Owner{e.session, e.cl_ord_id});
    }
    if (e.kind == "NewOrderAccepted") {
      std::string key = BrokerKey(e.session, e.cl_ord_id);
      auto& list = accepted[key];
      if (list.empty()) accepted_order.push_back(key);
      list.push_back(e.exch_cl_ord_id);
    }
    if (e.kind == "CancelReplaceForwarded") {
      forwarded.push_back(e.exch_cl_ord_id);
    }
  }

  void AddSim(size_t i) {
    const SimMsg& m = in_.sim[i];
    if (!m.from_exchange && (m.type == "D" || m.type == "F" || m.type == "G")) {
      auto& list = sim_orders_in[m.cl_ord_id];
      if (list.empty()) sim_order_ids.push_back(m.cl_ord_id);
      list.push_back(i);
    }
    if (m.from_exchange && m.type == "8" && !m.exec_id.empty()) {
      if (sim_report_by_exec.emplace(m.exec_id, i).second) {
        sim_exec_ids.push_back(m.exec_id);
      }
      if (m.exec_type == "0") sim_new_acks[m.cl_ord_id].insert(m.exec_id);
    }
    if (m.from_exchange && m.type == "9") {
      if (sim_cxlrej_by_id.emplace(m.cl_ord_id, i).second) {
        sim_cxlrej_ids.push_back(m.cl_ord_id);
      }
    }
  }

  void AddBroker(size_t b) {
    const BrokerRecord& r = in_.brokers[b];
    broker_by_gw_session[r.gateway_session] = b;
    BrokerIndex x;
    for (size_t i = 0; i < r.messages.size(); ++i) {
      const RecordMsg& m = r.messages[i];
      if (m.out) {
        if (!m.possdup) x.id_by_seq[m.seq] = m.cl_ord_id;
        auto& list = x.sent[m.cl_ord_id];
        if (list.empty()) x.sent_order.push_back(m.cl_ord_id);
        list.push_back(i);
        continue;
      }
      if (m.type == "8" || m.type == "9") {
        x.answered.insert(m.cl_ord_id);
        if (!m.orig_cl_ord_id.empty()) x.answered.insert(m.orig_cl_ord_id);
      }
      if (m.type == "9") {
        auto& list = x.cxlrej_in[m.cl_ord_id];
        if (list.empty()) x.cxlrej_order.push_back(m.cl_ord_id);
        list.push_back(i);
      }
      if (m.type == "j") x.answered.insert(m.biz_ref_id);
      if (m.type == "8" && !m.exec_id.empty()) {
        auto& list = x.exec_in[m.exec_id];
        if (list.empty()) x.exec_order.push_back(m.exec_id);
        list.push_back(i);
      }
    }
    // Session rejects name the sequence number the request went out with.
    for (const RecordMsg& m : r.messages) {
      if (!m.out && m.type == "3") {
        auto it = x.id_by_seq.find(m.ref_seq);
        if (it != x.id_by_seq.end()) x.answered.insert(it->second);
      }
    }
    brokers.push_back(std::move(x));
  }
};

std::string SentLine(const RecordMsg& m) {
  return fmt::format(
      "      broker record line {} {}: sent 35={} 34={}{} 11={}{} 1={} 55={} "
      "54={} 38={} 44={}\n",
      m.line, IsoOf(m.time_us), m.type, m.seq, m.possdup ? " 43=Y" : "",
      m.cl_ord_id, m.orig_cl_ord_id.empty() ? "" : " 41=" + m.orig_cl_ord_id,
      m.account, m.symbol, m.side, m.qty, m.price);
}

void Limit(std::vector<std::string>* details, size_t* shown, size_t max,
           std::string text) {
  if (*shown < max) details->push_back(std::move(text));
  ++*shown;
}

void CheckLost(const Index& x, CheckResult* r, size_t max) {
  std::set<std::string> counted;  // broker keys
  size_t shown = 0;
  std::vector<std::string> details;
  uint64_t sent = 0;
  // (1) no answer at all.
  for (size_t b = 0; b < x.in_.brokers.size(); ++b) {
    const BrokerRecord& br = x.in_.brokers[b];
    const Index::BrokerIndex& bx = x.brokers[b];
    for (const std::string& id : bx.sent_order) {
      const std::vector<size_t>& lines = bx.sent.at(id);
      const RecordMsg& first = br.messages[lines.front()];
      if (first.type == "D") ++sent;
      if (bx.answered.contains(id)) continue;
      if (first.type != "D") {
        ++r->counts.requests_unanswered;
        if (r->counts.requests_unanswered <= max) {
          std::string text = fmt::format(
              "unanswered {} (not counted): {} ClOrdID {} got no answer\n",
              first.type == "F" ? "cancel" : "replace", br.session, id);
          for (size_t i : lines) text += SentLine(br.messages[i]);
          text += x.JournalLines(
              x.j_by_broker.count(BrokerKey(br.gateway_session, id))
                  ? x.j_by_broker.at(BrokerKey(br.gateway_session, id))
                  : std::vector<size_t>{},
              br.gateway_session + " " + id);
          text += x.Around(first.time_us);
          r->details.push_back(text);
        }
        continue;
      }
      const std::string key = BrokerKey(br.gateway_session, id);
      counted.insert(key);
      ++SessionOf(r, SenderOf(br.session))->lost;
      std::string text = fmt::format(
          "lost (no answer): {} ClOrdID {} {} {} {}@{} got no answer at all\n",
          br.session, id, first.side == "1" ? "buy" : "sell", first.symbol,
          first.qty, first.price);
      for (size_t i : lines) text += SentLine(br.messages[i]);
      auto j = x.j_by_broker.find(key);
      text += x.JournalLines(
          j == x.j_by_broker.end() ? std::vector<size_t>{} : j->second,
          br.gateway_session + " " + id);
      auto acc = x.accepted.find(key);
      if (acc != x.accepted.end()) {
        for (const std::string& exch : acc->second) {
          auto je = x.j_by_exch.find(exch);
          text += x.JournalLines(
              je == x.j_by_exch.end() ? std::vector<size_t>{} : je->second,
              exch);
          auto s = x.sim_orders_in.find(exch);
          text += s == x.sim_orders_in.end()
                      ? "      exchange log: no order message with 11=" + exch +
                            "\n"
                      : x.SimLines(s->second);
        }
      }
      text += x.Around(first.time_us);
      Limit(&details, &shown, max, text);
    }
  }
  // (2) accepted by the gateway, never at the exchange.
  for (const std::string& key : x.accepted_order) {
    for (const std::string& exch : x.accepted.at(key)) {
      if (x.sim_orders_in.contains(exch)) continue;
      if (counted.contains(key)) continue;
      counted.insert(key);
      const std::vector<size_t>& entries = x.j_by_exch.at(exch);
      const store::JournalEntry& e = x.in_.journal[entries.front()];
      ++SessionOf(r, TargetOf(e.session))->lost;
      // The venue it should have reached: its symbol's, from the broker's
      // record.
      auto b = x.broker_by_gw_session.find(e.session);
      if (b != x.broker_by_gw_session.end()) {
        auto sent_it = x.brokers[b->second].sent.find(e.cl_ord_id);
        if (sent_it != x.brokers[b->second].sent.end()) {
          const std::string& symbol =
              x.in_.brokers[b->second].messages[sent_it->second.front()].symbol;
          ++SessionOf(r, VenueName(x.in_, VenueFor(x.in_, symbol)))->lost;
        }
      }
      std::string text = fmt::format(
          "lost (accepted, never at the exchange): {} ClOrdID {} -> {}\n",
          e.session, e.cl_ord_id, exch);
      text += x.JournalLines(entries, exch);
      text += "      exchange log: no order message with 11=" + exch + "\n";
      text += x.Around(e.time.time_since_epoch().count());
      Limit(&details, &shown, max, text);
    }
  }
  r->counts.orders_sent = sent;
  r->counts.lost = counted.size();
  r->details.insert(r->details.end(), details.begin(), details.end());
  if (shown > max) {
    r->details.push_back(fmt::format("... and {} more lost", shown - max));
  }

  // Not counted: forwarded cancels/replaces that never reached the exchange.
  for (const std::string& exch : x.forwarded) {
    if (x.sim_orders_in.contains(exch)) continue;
    ++r->counts.forwarded_not_at_exchange;
    if (r->counts.forwarded_not_at_exchange <= max) {
      const std::vector<size_t>& entries = x.j_by_exch.at(exch);
      std::string text = fmt::format(
          "cancel/replace forwarded, never at the exchange (not counted): "
          "{}\n",
          exch);
      text += x.JournalLines(entries, exch);
      text += x.Around(
          x.in_.journal[entries.front()].time.time_since_epoch().count());
      r->details.push_back(text);
    }
  }
}

void CheckDuplicates(const Index& x, CheckResult* r, size_t max) {
  size_t shown = 0;
  std::vector<std::string> details;
  uint64_t dups = 0;
  for (const std::string& exch : x.sim_order_ids) {
    const std::vector<size_t>& receipts = x.sim_orders_in.at(exch);
    size_t fresh = 0;
    for (size_t i : receipts) {
      if (!x.in_.sim[i].possdup) ++fresh;
    }
    auto acks = x.sim_new_acks.find(exch);
    const size_t ack_count =
        acks == x.sim_new_acks.end() ? 0 : acks->second.size();
    if (fresh <= 1 && ack_count <= 1) continue;
    ++dups;
    ++SessionOf(r, VenueName(x.in_, x.in_.sim[receipts.front()].venue))
          ->duplicated;
    auto owner = x.owner_of_exch.find(exch);
    if (owner != x.owner_of_exch.end()) {
      ++SessionOf(r, TargetOf(owner->second.session))->duplicated;
    }
    std::string text = fmt::format(
        "dup_at_exchange: {} received {} times other than as a PossDup "
        "resend, acknowledged (ExecType New) {} times\n",
        exch, fresh, ack_count);
    text += x.SimLines(receipts);
    auto j = x.j_by_exch.find(exch);
    text += x.JournalLines(
        j == x.j_by_exch.end() ? std::vector<size_t>{} : j->second, exch);
    Limit(&details, &shown, max, text);
  }
  for (const std::string& key : x.accepted_order) {
    const std::vector<std::string>& exch = x.accepted.at(key);
    if (exch.size() <= 1) continue;
    ++dups;
    ++SessionOf(r, TargetOf(key.substr(0, key.find('\x1f'))))->duplicated;
    const std::string shown_key = key.substr(0, key.find('\x1f')) + " " +
                                  key.substr(key.find('\x1f') + 1);
    std::string text = fmt::format(
        "dup_at_exchange: {} accepted {} times as different exchange "
        "orders:",
        shown_key, exch.size());
    for (const std::string& e : exch) text += " " + e;
    text += "\n" + x.JournalLines(x.j_by_broker.at(key), shown_key);
    Limit(&details, &shown, max, text);
  }
  r->counts.dup_at_exchange = dups;
  r->details.insert(r->details.end(), details.begin(), details.end());
  if (shown > max) {
    r->details.push_back(
        fmt::format("... and {} more dup_at_exchange", shown - max));
  }
}

void CheckReports(const Index& x, CheckResult* r, size_t max) {
  size_t shown_lost = 0, shown_dup = 0;
  std::vector<std::string> details;
  for (const std::string& exec_id : x.sim_exec_ids) {
    const SimMsg& m = x.in_.sim[x.sim_report_by_exec.at(exec_id)];
    auto owner = x.owner_of_exch.find(m.cl_ord_id);
    if (owner == x.owner_of_exch.end()) {
      owner = x.owner_of_exch.find(m.orig_cl_ord_id);
    }
    if (owner == x.owner_of_exch.end()) {
      ++r->counts.unmapped_exchange_reports;
      if (r->counts.unmapped_exchange_reports <= max) {
        r->details.push_back(fmt::format(
            "exchange report for a ClOrdID the journal does not know (not "
            "counted): 17={} 11={} 41={}\n{}",
            exec_id, m.cl_ord_id, m.orig_cl_ord_id,
            x.SimLines({x.sim_report_by_exec.at(exec_id)})));
      }
      continue;
    }
    auto b = x.broker_by_gw_session.find(owner->second.session);
    if (b == x.broker_by_gw_session.end()) {
      r->errors.push_back("no record file for broker session " +
                          owner->second.session + " (report " + exec_id + ")");
      continue;
    }
    if (x.brokers[b->second].exec_in.contains(exec_id)) continue;
    ++r->counts.reports_lost;
    ++SessionOf(r, TargetOf(owner->second.session))->lost;
    ++SessionOf(r, VenueName(x.in_, m.venue))->lost;
    std::string text = fmt::format(
        "reports_lost: ExecID {} (ExecType {}, OrdStatus {}, exchange 11={}{}) "
        "for {} order {} never reached the broker\n",
        exec_id, m.exec_type, m.ord_status, m.cl_ord_id,
        m.orig_cl_ord_id.empty() ? "" : " 41=" + m.orig_cl_ord_id,
        owner->second.session, owner->second.cl_ord_id);
    std::vector<size_t> lines;
    for (size_t i = 0; i < x.in_.sim.size() && lines.size() < 4; ++i) {
      if (x.in_.sim[i].exec_id == exec_id) lines.push_back(i);
    }
    text += x.SimLines(lines);
    auto j = x.j_by_exec_id.find(exec_id);
    text += x.JournalLines(
        j == x.j_by_exec_id.end() ? std::vector<size_t>{} : j->second,
        "ExecID " + exec_id);
    Result<Timestamp> t = ParseFixTimestamp(m.logged_at);
    text += x.Around(t.ok() ? t->time_since_epoch().count() : 0);
    Limit(&details, &shown_lost, max, text);
  }
  if (shown_lost > max) {
    details.push_back(
        fmt::format("... and {} more reports_lost", shown_lost - max));
  }

  for (size_t b = 0; b < x.in_.brokers.size(); ++b) {
    const BrokerRecord& br = x.in_.brokers[b];
    const Index::BrokerIndex& bx = x.brokers[b];
    for (const std::string& exec_id : bx.exec_order) {
      const std::vector<size_t>& lines = bx.exec_in.at(exec_id);
      if (lines.size() <= 1) continue;
      ++r->counts.reports_dup;
      ++SessionOf(r, SenderOf(br.session))->duplicated;
      std::string text =
          fmt::format("reports_dup: {} received ExecID {} {} times:\n",
                      br.session, exec_id, lines.size());
      for (size_t i : lines) {
        const RecordMsg& m = br.messages[i];
        text += fmt::format(
            "      broker record line {} {}: 35=8 34={}{} 11={} 150={} 39={}\n",
            m.line, IsoOf(m.time_us), m.seq, m.possdup ? " 43=Y" : "",
            m.cl_ord_id, m.exec_type, m.ord_status);
      }
      auto j = x.j_by_exec_id.find(exec_id);
      text += x.JournalLines(
          j == x.j_by_exec_id.end() ? std::vector<size_t>{} : j->second,
          "ExecID " + exec_id);
      text += x.Around(br.messages[lines[1]].time_us);
      Limit(&details, &shown_dup, max, text);
    }
  }
  if (shown_dup > max) {
    details.push_back(
        fmt::format("... and {} more reports_dup", shown_dup - max));
  }
  r->details.insert(r->details.end(), details.begin(), details.end());

  // Not counted: exchange cancel rejects the owning broker never received.
  for (const std::string& exch : x.sim_cxlrej_ids) {
    auto owner = x.owner_of_exch.find(exch);
    if (owner == x.owner_of_exch.end()) continue;
    auto b = x.broker_by_gw_session.find(owner->second.session);
    if (b == x.broker_by_gw_session.end()) continue;
    if (x.brokers[b->second].cxlrej_in.contains(owner->second.cl_ord_id)) {
      continue;
    }
    ++r->counts.cancel_rejects_lost;
    if (r->counts.cancel_rejects_lost <= max) {
      auto j = x.j_by_exch.find(exch);
      r->details.push_back(
          fmt::format("cancel reject lost (not counted): exchange 9 for {} "
                      "({} {})\n",
                      exch, owner->second.session, owner->second.cl_ord_id) +
          x.JournalLines(
              j == x.j_by_exch.end() ? std::vector<size_t>{} : j->second,
              exch));
    }
  }

  // Not counted: one request's cancel reject delivered twice.
  for (size_t b = 0; b < x.in_.brokers.size(); ++b) {
    const BrokerRecord& br = x.in_.brokers[b];
    for (const std::string& id : x.brokers[b].cxlrej_order) {
      const std::vector<size_t>& lines = x.brokers[b].cxlrej_in.at(id);
      if (lines.size() <= 1) continue;
      ++r->counts.cancel_rejects_dup;
      if (r->counts.cancel_rejects_dup > max) continue;
      std::string text = fmt::format(
          "cancel reject received {} times (not counted): {} ClOrdID {}\n",
          lines.size(), br.session, id);
      for (size_t i : lines) {
        const RecordMsg& m = br.messages[i];
        text += fmt::format(
            "      broker record line {} {}: 35=9 34={}{} 11={} 41={} 58={}\n",
            m.line, IsoOf(m.time_us), m.seq, m.possdup ? " 43=Y" : "",
            m.cl_ord_id, m.orig_cl_ord_id, m.text);
      }
      r->details.push_back(text);
    }
  }
}

// Every order message at the venue its symbol maps to; per-venue counts.
void CheckRouting(const Index& x, CheckResult* r, size_t max) {
  const CheckInput& in = x.in_;
  std::set<std::pair<size_t, std::string>> counted;
  std::vector<std::set<std::string>> orders_in(
      std::max<size_t>(in.venues.size(), 1));
  std::vector<std::set<std::string>> exec_out(orders_in.size());
  for (size_t i = 0; i < in.sim.size(); ++i) {
    const SimMsg& m = in.sim[i];
    const size_t v = std::min(m.venue, orders_in.size() - 1);
    if (m.from_exchange && m.type == "8" && !m.exec_id.empty()) {
      exec_out[v].insert(m.exec_id);
    }
    if (m.from_exchange || (m.type != "D" && m.type != "F" && m.type != "G")) {
      continue;
    }
    orders_in[v].insert(m.cl_ord_id);
    if (VenueTakes(in, m.venue, m.symbol)) continue;
    if (!counted.insert({m.venue, m.cl_ord_id}).second) continue;
    ++r->counts.misrouted;
    ++SessionOf(r, VenueName(in, m.venue))->misrouted;
    if (r->counts.misrouted > max) continue;
    const size_t want = VenueFor(in, m.symbol);
    std::string text = fmt::format(
        "misrouted: {} received 35={} 11={} for symbol {}, which routes to "
        "{}\n",
        VenueName(in, m.venue), m.type, m.cl_ord_id, m.symbol,
        want < in.venues.size() ? in.venues[want].comp_id : "no venue");
    text += x.SimLines({i});
    auto j = x.j_by_exch.find(m.cl_ord_id);
    text += x.JournalLines(
        j == x.j_by_exch.end() ? std::vector<size_t>{} : j->second,
        m.cl_ord_id);
    r->details.push_back(text);
  }
  for (size_t v = 0; v < orders_in.size(); ++v) {
    SessionCounts* s = SessionOf(r, VenueName(in, v));
    s->received = orders_in[v].size();
    s->sent = exec_out[v].size();
  }
}

// The drop copy holds one copy of every report the brokers received.
void CheckDropCopy(const Index& x, CheckResult* r, size_t max) {
  const CheckInput& in = x.in_;
  if (!in.drop_copy) return;
  const BrokerRecord& dc = *in.drop_copy;
  SessionCounts* s = SessionOf(r, SenderOf(dc.session));
  // ExecID + ClOrdID -> the copies' record lines.
  std::map<std::string, std::vector<size_t>> copies;
  std::vector<std::string> copy_order;
  for (size_t i = 0; i < dc.messages.size(); ++i) {
    const RecordMsg& m = dc.messages[i];
    if (m.out || m.type != "8") continue;
    auto& list = copies[BrokerKey(m.exec_id, m.cl_ord_id)];
    if (list.empty()) copy_order.push_back(BrokerKey(m.exec_id, m.cl_ord_id));
    list.push_back(i);
  }
  s->received = copies.size();
  std::set<std::string> owed;
  size_t shown = 0;
  for (const BrokerRecord& br : in.brokers) {
    std::set<std::string> seen;
    for (const RecordMsg& m : br.messages) {
      if (m.out || m.type != "8" || m.exec_type == "I") continue;
      const std::string key = BrokerKey(m.exec_id, m.cl_ord_id);
      if (!seen.insert(key).second) continue;
      owed.insert(key);
      ++s->sent;
      if (copies.contains(key)) continue;
      ++r->counts.dropcopy_lost;
      ++s->lost;
      Limit(&r->details, &shown, max,
            fmt::format("dropcopy_lost: {} received ExecID {} (ClOrdID {}, "
                        "ExecType {}{}) at broker record line {} {}; the "
                        "drop copy never did\n",
                        br.session, m.exec_id, m.cl_ord_id, m.exec_type,
                        m.text.empty() ? "" : ", Text " + m.text, m.line,
                        IsoOf(m.time_us)) +
                x.Around(m.time_us));
    }
  }
  if (shown > max) {
    r->details.push_back(
        fmt::format("... and {} more dropcopy_lost", shown - max));
  }
  shown = 0;
  size_t extra = 0;
  for (const std::string& key : copy_order) {
    const std::vector<size_t>& lines = copies.at(key);
    const RecordMsg& first = dc.messages[lines.front()];
    if (!owed.contains(key) && ++extra <= max) {
      r->details.push_back(fmt::format(
          "drop copy of a report no broker received (not counted): ExecID "
          "{} ClOrdID {} ExecType {} at {} line {}",
          first.exec_id, first.cl_ord_id, first.exec_type, dc.path,
          first.line));
    }
    if (lines.size() <= 1) continue;
    ++r->counts.dropcopy_dup;
    ++s->duplicated;
    std::string text =
        fmt::format("dropcopy_dup: {} received ExecID {} ClOrdID {} {} times\n",
                    dc.session, first.exec_id, first.cl_ord_id, lines.size());
    for (size_t i : lines) {
      const RecordMsg& m = dc.messages[i];
      text += fmt::format("      record line {} {}: 35=8 34={}{} 150={}\n",
                          m.line, IsoOf(m.time_us), m.seq,
                          m.possdup ? " 43=Y" : "", m.exec_type);
    }
    Limit(&r->details, &shown, max, text);
  }
  for (const SimMsg& m : in.drop_copy_log) {
    if (m.from_exchange || m.type != "8" || m.copy_msg_indicator) continue;
    ++r->counts.dropcopy_unmarked;
    ++s->duplicated;
    if (r->counts.dropcopy_unmarked <= max) {
      r->details.push_back(fmt::format(
          "dropcopy_unmarked: the drop copy's log line {} {}: 35=8 34={} "
          "17={} 11={} without 797=Y",
          m.line, m.logged_at, m.seq, m.exec_id, m.cl_ord_id));
    }
  }
}

// Per broker: orders sent, reports received, unsolicited cancels.
void CountBrokers(const Index& x, CheckResult* r) {
  for (size_t b = 0; b < x.in_.brokers.size(); ++b) {
    const BrokerRecord& br = x.in_.brokers[b];
    SessionCounts* s = SessionOf(r, SenderOf(br.session));
    std::set<std::string> cancels;
    for (const RecordMsg& m : br.messages) {
      if (m.out && m.type == "D" && !m.possdup) ++s->sent;
      if (!m.out && m.type == "8" &&
          m.text.starts_with("canceled on disconnect")) {
        cancels.insert(m.exec_id);
      }
    }
    s->received = x.brokers[b].exec_in.size();
    s->unsolicited = cancels.size();
    const auto& cod = x.in_.cancel_on_disconnect;
    if (cod && !cancels.empty() &&
        std::find(cod->begin(), cod->end(), s->name) == cod->end()) {
      r->counts.cod_unexpected += cancels.size();
      r->details.push_back(fmt::format(
          "cod_unexpected: {} has no CancelOnDisconnect but received {} "
          "cancel(s) canceled on disconnect, ExecID {} first",
          br.session, cancels.size(), *cancels.begin()));
    }
  }
}

// Compares two decimal strings numerically.
bool SameAmount(const Json& a, const Json& b) {
  if (!a.is_string() || !b.is_string()) return a == b;
  auto x = Micros(a.get<std::string>());
  auto y = Micros(b.get<std::string>());
  return x && y ? *x == *y : a == b;
}

void CheckStateAgainstReplay(const CheckInput& in, const Json& state,
                             CheckResult* r) {
  Result<std::string> replay = ReplayState(in.journal, in.id_prefix, in.venues);
  if (!replay.ok()) {
    r->errors.push_back("journal replay failed: " + replay.status().message());
    return;
  }
  Json replayed = Json::parse(*replay, nullptr, false);
  const Json empty = Json::object();
  const Json& a = state.contains("accounts") ? state["accounts"] : empty;
  const Json& b = replayed.contains("accounts") ? replayed["accounts"] : empty;
  std::set<std::string> names;
  for (auto it = a.begin(); it != a.end(); ++it) names.insert(it.key());
  for (auto it = b.begin(); it != b.end(); ++it) names.insert(it.key());
  for (const std::string& name : names) {
    const Json& sa = a.contains(name) ? a[name] : empty;
    const Json& sb = b.contains(name) ? b[name] : empty;
    std::string diff;
    for (const char* key : {"cash", "available", "reserved"}) {
      const Json va = sa.contains(key) ? sa[key] : Json();
      const Json vb = sb.contains(key) ? sb[key] : Json();
      if (!SameAmount(va, vb)) {
        diff +=
            fmt::format(" {}: state {} replay {};", key, va.dump(), vb.dump());
      }
    }
    for (const char* key : {"open_orders", "positions"}) {
      const Json va = sa.contains(key) ? sa[key] : Json();
      const Json vb = sb.contains(key) ? sb[key] : Json();
      if (va != vb) {
        diff +=
            fmt::format(" {}: state {} replay {};", key, va.dump(), vb.dump());
      }
    }
    if (diff.empty()) continue;
    ++r->counts.state_mismatch;
    r->details.push_back(
        "state_mismatch (a, /state vs journal replay): "
        "account " +
        name + ":" + diff);
  }
  const Json oa = state.contains("open_orders") ? state["open_orders"] : Json();
  const Json ob =
      replayed.contains("open_orders") ? replayed["open_orders"] : Json();
  if (oa != ob) {
    ++r->counts.state_mismatch;
    std::set<std::string> ka, kb;
    auto keys = [](const Json& list, std::set<std::string>* out) {
      if (!list.is_array()) return;
      for (const Json& o : list) out->insert(o.dump());
    };
    keys(oa, &ka);
    keys(ob, &kb);
    std::string text =
        "state_mismatch (a, /state vs journal replay): open orders differ";
    int n = 0;
    for (const std::string& k : ka) {
      if (!kb.contains(k) && n++ < 5) text += "\n      only in /state: " + k;
    }
    for (const std::string& k : kb) {
      if (!ka.contains(k) && n++ < 10) text += "\n      only in replay: " + k;
    }
    r->details.push_back(text);
  }
}

void CheckStateAgainstFills(const CheckInput& in, const Json& state,
                            CheckResult* r) {
  Result<risk::RiskLimits> limits = risk::ParseRiskLimits(in.risk_text, "risk");
  if (!limits.ok()) {
    r->errors.push_back("risk file: " + limits.status().message());
    return;
  }
  struct Book {
    int64_t cash_micros = 0;
    std::map<std::string, int64_t> positions;
  };
  std::map<std::string, Book> books;
  for (const BrokerRecord& br : in.brokers) {
    std::unordered_set<std::string> seen;
    for (const RecordMsg& m : br.messages) {
      if (m.out || m.type != "8" || m.exec_type != "F") continue;
      if (!seen.insert(m.exec_id).second) continue;
      std::optional<int64_t> qty = ToInt64(m.last_qty);
      std::optional<int64_t> px = Micros(m.last_px);
      if (!qty || !px) {
        r->errors.push_back(fmt::format(
            "{} line {}: fill without LastQty/LastPx", br.path, m.line));
        continue;
      }
      Book& book = books[m.account];
      const bool buy = m.side == "1";
      book.cash_micros += (buy ? -1 : 1) * *qty * *px;
      book.positions[m.symbol] += buy ? *qty : -*qty;
    }
  }
  const Json empty = Json::object();
  const Json& accounts = state.contains("accounts") ? state["accounts"] : empty;
  std::set<std::string> names;
  for (auto it = accounts.begin(); it != accounts.end(); ++it) {
    names.insert(it.key());
  }
  for (const auto& [name, book] : books) names.insert(name);
  for (const std::string& name : names) {
    const Json& s = accounts.contains(name) ? accounts[name] : empty;
    auto it = books.find(name);
    const Book book = it == books.end() ? Book{} : it->second;
    const int64_t expected_cash =
        limits->Account(name).cash.micros() + book.cash_micros;
    std::string diff;
    std::optional<int64_t> cash = s.contains("cash") && s["cash"].is_string()
                                      ? Micros(s["cash"].get<std::string>())
                                      : std::nullopt;
    if (cash != expected_cash) {
      diff += fmt::format(" cash: state {} fills {};",
                          s.contains("cash") ? s["cash"].dump() : "none",
                          FormatMicros(expected_cash));
    }
    std::set<std::string> symbols;
    if (s.contains("positions")) {
      for (auto p = s["positions"].begin(); p != s["positions"].end(); ++p) {
        symbols.insert(p.key());
      }
    }
    for (const auto& [symbol, q] : book.positions) symbols.insert(symbol);
    for (const std::string& symbol : symbols) {
      int64_t have = 0;
      if (s.contains("positions") && s["positions"].contains(symbol)) {
        have = s["positions"][symbol].value("position", int64_t{0});
      }
      auto q = book.positions.find(symbol);
      const int64_t want = q == book.positions.end() ? 0 : q->second;
      if (have != want) {
        diff +=
            fmt::format(" {} position: state {} fills {};", symbol, have, want);
      }
    }
    if (diff.empty()) continue;
    ++r->counts.state_mismatch;
    r->details.push_back(
        "state_mismatch (b, /state vs the fills the brokers received): "
        "account " +
        name + ":" + diff);
  }
}

}  // namespace

Result<BrokerRecord> ParseRecord(std::string_view text,
                                 const std::string& path) {
  BrokerRecord r;
  r.path = path;
  std::vector<std::string_view> lines = Split(text, '\n');
  const std::string_view header = "# fixload record v1 session=";
  if (lines.empty() || lines[0].substr(0, header.size()) != header) {
    return Status::InvalidArgument(path + ": not a fixload record (v1)");
  }
  r.session = std::string(lines[0].substr(header.size()));
  r.gateway_session = ReverseSession(r.session);
  if (r.gateway_session.empty()) {
    return Status::InvalidArgument(path + ": bad session '" + r.session + "'");
  }
  for (size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    RecordMsg m;
    m.line = static_cast<int>(n + 1);
    std::map<std::string_view, std::string_view> kv;
    for (std::string_view field : Split(lines[n], '\t')) {
      size_t eq = field.find('=');
      if (eq == std::string_view::npos) continue;
      kv[field.substr(0, eq)] = field.substr(eq + 1);
    }
    auto get = [&](std::string_view key) {
      auto it = kv.find(key);
      return it == kv.end() ? std::string() : std::string(it->second);
    };
    if (get("dir") != "out" && get("dir") != "in") {
      // A line cut short by a crash of fixload: the rest is still usable.
      if (n + 1 == lines.size() || lines[n + 1].empty()) continue;
      return Status::InvalidArgument(
          fmt::format("{}: line {}: no dir=out|in", path, n + 1));
    }
    m.out = get("dir") == "out";
    m.time_us = ToInt64(get("time_us")).value_or(0);
    m.type = get("type");
    m.seq = get("seq");
    m.possdup = get("possdup") == "Y";
    m.cl_ord_id = get("clordid");
    m.orig_cl_ord_id = get("origclordid");
    m.exec_id = get("execid");
    m.exec_type = get("exectype");
    m.ord_status = get("ordstatus");
    m.account = get("account");
    m.side = get("side");
    m.symbol = get("symbol");
    m.qty = get("qty");
    m.price = get("price");
    m.last_qty = get("lastqty");
    m.last_px = get("lastpx");
    m.ref_seq = get("refseq");
    m.biz_ref_id = get("bizrefid");
    m.text = get("text");
    r.messages.push_back(std::move(m));
  }
  return r;
}

std::vector<SimMsg> ParseSimLog(std::string_view text,
                                const std::string& exchange_comp_id) {
  std::vector<SimMsg> out;
  std::vector<std::string_view> lines = Split(text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    // A line cut short when fixsim died can run into the next one: each
    // message starts at "8=FIX", and only complete ones (with their "10="
    // checksum) count.
    size_t start = line.find("8=FIX");
    std::string_view logged_at = line.substr(0, line.find(" : "));
    while (start != std::string_view::npos) {
      size_t next = line.find("8=FIX", start + 1);
      std::string_view fix = line.substr(
          start, next == std::string_view::npos ? next : next - start);
      start = next;
      if (fix.find("\00110=") == std::string_view::npos) continue;  // cut
      SimMsg m;
      m.line = static_cast<int>(n + 1);
      m.logged_at = std::string(logged_at);
      m.type = FieldOf(fix, 35, '\x01');
      m.seq = FieldOf(fix, 34, '\x01');
      m.possdup = FieldOf(fix, 43, '\x01') == "Y";
      m.possresend = FieldOf(fix, 97, '\x01') == "Y";
      m.from_exchange = FieldOf(fix, 49, '\x01') == exchange_comp_id;
      m.cl_ord_id = FieldOf(fix, 11, '\x01');
      m.orig_cl_ord_id = FieldOf(fix, 41, '\x01');
      m.exec_id = FieldOf(fix, 17, '\x01');
      m.exec_type = FieldOf(fix, 150, '\x01');
      m.ord_status = FieldOf(fix, 39, '\x01');
      m.side = FieldOf(fix, 54, '\x01');
      m.last_qty = FieldOf(fix, 32, '\x01');
      m.last_px = FieldOf(fix, 31, '\x01');
      m.symbol = FieldOf(fix, 55, '\x01');
      m.copy_msg_indicator = FieldOf(fix, 797, '\x01') == "Y";
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<RunEvent> ParseEvents(std::string_view text) {
  std::vector<RunEvent> out;
  for (std::string_view line : Split(text, '\n')) {
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::optional<int64_t> t = ToInt64(line.substr(0, space));
    if (!t) continue;
    out.push_back(RunEvent{*t, std::string(line.substr(space + 1))});
  }
  return out;
}

Result<std::string> ReplayState(const std::vector<store::JournalEntry>& journal,
                                const std::string& id_prefix,
                                const std::vector<VenueInput>& venues) {
  risk::RiskEngine risk{risk::RiskLimits{}};
  gw::OrderRouter::Options options{id_prefix, {}};
  for (const VenueInput& v : venues) {
    options.venues.push_back(gw::OrderRouter::Options::Venue{
        .name = v.name.empty() ? v.comp_id : v.name,
        .symbols = {v.symbols.begin(), v.symbols.end()}});
  }
  gw::OrderRouter router(options, &risk);
  for (const store::JournalEntry& e : journal) {
    // Record-only kinds (SentToBroker, SentToExchange, ResendIgnored, ...)
    // hold no state; fixgw's recovery skips them, and so does this replay.
    if (gw::IsRecordOnly(e.kind)) continue;
    Result<gw::JournalEvent> event = gw::DecodeEvent(e.payload);
    if (!event.ok()) {
      return Status::Internal(fmt::format("entry {} ({}): {}", e.seq, e.kind,
                                          event.status().message()));
    }
    router.Apply(*event, e.time);
  }
  return gw::StateJson(router, &risk);
}

std::string CheckResult::Summary() const {
  return fmt::format(
      "crashtest: orders_sent={} kills={} lost={} dup_at_exchange={} "
      "reports_lost={} reports_dup={} state_mismatch={} misrouted={} "
      "dropcopy_lost={} dropcopy_dup={} dropcopy_unmarked={} "
      "cod_unexpected={}",
      counts.orders_sent, kills, counts.lost, counts.dup_at_exchange,
      counts.reports_lost, counts.reports_dup, counts.state_mismatch,
      counts.misrouted, counts.dropcopy_lost, counts.dropcopy_dup,
      counts.dropcopy_unmarked, counts.cod_unexpected);
}

std::string SessionCounts::Line() const {
  std::string line = fmt::format(
      "crashtest: session {} ({}): sent={} received={} lost={} duplicated={}",
      name, role, sent, received, lost, duplicated);
  if (role == "venue") line += fmt::format(" misrouted={}", misrouted);
  if (role == "broker") {
    line += fmt::format(" unsolicited_cancels={}", unsolicited);
  }
  return line;
}

std::string CheckResult::Extra() const {
  return fmt::format(
      "crashtest: also (not counted): requests_unanswered={} "
      "forwarded_not_at_exchange={} cancel_rejects_lost={} "
      "cancel_rejects_dup={} unmapped_exchange_reports={} input_errors={}",
      counts.requests_unanswered, counts.forwarded_not_at_exchange,
      counts.cancel_rejects_lost, counts.cancel_rejects_dup,
      counts.unmapped_exchange_reports, errors.size());
}

CheckResult Check(const CheckInput& input) {
  CheckResult r;
  r.kills = input.kills;
  for (const BrokerRecord& br : input.brokers) {
    r.sessions.push_back({.name = SenderOf(br.session), .role = "broker"});
  }
  if (input.drop_copy) {
    r.sessions.push_back(
        {.name = SenderOf(input.drop_copy->session), .role = "dropcopy"});
  }
  for (size_t v = 0; v < std::max<size_t>(input.venues.size(), 1); ++v) {
    r.sessions.push_back({.name = VenueName(input, v), .role = "venue"});
  }
  Index x(input);
  CountBrokers(x, &r);
  CheckRouting(x, &r, input.max_details);
  CheckDropCopy(x, &r, input.max_details);
  CheckLost(x, &r, input.max_details);
  CheckDuplicates(x, &r, input.max_details);
  CheckReports(x, &r, input.max_details);
  Json state = Json::parse(input.state_json, nullptr, false);
  if (state.is_discarded() || !state.is_object()) {
    r.errors.push_back("the gateway's /state is not a JSON object");
    ++r.counts.state_mismatch;
  } else {
    CheckStateAgainstReplay(input, state, &r);
    CheckStateAgainstFills(input, state, &r);
  }
  return r;
}

}  // namespace fixgw::crash

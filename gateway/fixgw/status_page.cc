#include "gateway/fixgw/status_page.h"

#include <fmt/format.h>

#include <algorithm>

#include "gateway/core/clock.h"
#include "gateway/fixgw/metrics.h"

namespace fixgw::gw {
namespace {

std::string Names(const risk::NameSet& names) {
  std::string out;
  for (const std::string& n : names) {
    out += (out.empty() ? "" : ", ") + EscapeHtml(n);
  }
  return out.empty() ? "none" : out;
}

std::string TimeOrNever(const std::optional<Timestamp>& t) {
  return t ? FormatIsoTimestamp(*t) : "never";
}

// "0.4 s", "12.0 s", "-" (tenths of a second, truncated).
std::string Age(const std::optional<std::chrono::microseconds>& d) {
  if (!d) return "-";
  const int64_t tenths = std::max<int64_t>(d->count(), 0) / 100'000;
  return fmt::format("{}.{} s", tenths / 10, tenths % 10);
}

// |q| as unsigned, INT64_MIN included.
uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}

// A bucket bound for an axis label: "10µs", "2.5ms", "1s".
std::string BoundLabel(int64_t micros) {
  struct Unit {
    int64_t scale;
    const char* name;
  };
  constexpr Unit kUnits[] = {{1'000'000, "s"}, {1'000, "ms"}, {1, "µs"}};
  for (const Unit& u : kUnits) {
    if (micros >= u.scale || u.scale == 1) {
      const int64_t whole = micros / u.scale;
      const int64_t tenths = (micros % u.scale) * 10 / u.scale;
      return tenths == 0 ? fmt::format("{}{}", whole, u.name)
                         : fmt::format("{}.{}{}", whole, tenths, u.name);
    }
  }
  return "";
}

constexpr std::string_view kStyle = R"(
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; font-size: 0.9em; }
td.time, td.remote { white-space: nowrap; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #0a0; font-weight: bold; } .down { color: #c00; font-weight: bold; }
.summary span { margin-right: 2em; }
.note { color: #555; font-size: 0.9em; }
svg.chart { font-size: 10px; } svg.chart rect { fill: #4a7ab5; }
svg.chart text { fill: #333; }
)";

// Chart geometry (SVG user units).
constexpr int kBarWidth = 30;
constexpr int kBarGap = 4;
constexpr int kPlotHeight = 100;
constexpr int kTop = 14;     // room for the counts above the bars
constexpr int kBottom = 30;  // room for the bounds below

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatUptime(std::chrono::microseconds d) {
  const int64_t s = std::max<int64_t>(d.count(), 0) / 1'000'000;
  const int64_t days = s / 86'400;
  const std::string clock = fmt::format("{:02}:{:02}:{:02}", s % 86'400 / 3600,
                                        s % 3600 / 60, s % 60);
  return days > 0 ? fmt::format("{} d {}", days, clock) : clock;
}

std::string FormatRate(uint64_t count, std::chrono::microseconds over) {
  if (over.count() <= 0) return "0.00";
  // Hundredths of a count per second = count * 10^8 / micros, by long
  // division so that no product overflows.
  const uint64_t den = static_cast<uint64_t>(over.count());
  uint64_t whole = count / den;  // per microsecond: scaled below
  uint64_t rest = count % den;
  for (int i = 0; i < 8; ++i) {
    rest *= 10;  // rest < den <= INT64_MAX: fits in uint64
    whole = whole * 10 + rest / den;
    rest %= den;
  }
  return fmt::format("{}.{:02}", whole / 100, whole % 100);
}

std::string FormatPercent(uint64_t used, uint64_t of) {
  if (of == 0) return "-";
  if (used / of >= 10'000) return "1000000.0 %";
  // Long division below needs rest * 10 to fit: halve both while `of` is
  // that large (what is lost is far below the tenth of a percent shown).
  while (of > UINT64_MAX / 10) {
    used >>= 1;
    of >>= 1;
  }
  uint64_t tenths = used / of;  // 3 more digits: tenths of a percent
  uint64_t rest = used % of;
  for (int i = 0; i < 3; ++i) {
    rest *= 10;
    tenths = tenths * 10 + rest / of;
    rest %= of;
  }
  return fmt::format("{}.{} %", tenths / 10, tenths % 10);
}

std::string RenderLatencyChart(const LatencyChart& c) {
  uint64_t total = 0;
  uint64_t highest = 0;
  for (uint64_t n : c.counts) {
    total += n;
    highest = std::max(highest, n);
  }
  std::string html = fmt::format("<h3>{}</h3>\n", EscapeHtml(c.title));
  if (total == 0) {
    return html + "<p class=\"note\">no observations yet</p>\n";
  }
  const int bars = static_cast<int>(c.counts.size());
  const int width = bars * (kBarWidth + kBarGap) + kBarGap;
  const int height = kTop + kPlotHeight + kBottom;
  html += fmt::format(
      "<svg class=\"chart\" "
      "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\">\n",
      width, height, width, height, EscapeHtml(c.title));
  for (int i = 0; i < bars; ++i) {
    const uint64_t n = c.counts[static_cast<size_t>(i)];
    // Bar height in whole units, at least 1 for a bucket that holds any.
    int h = static_cast<int>(
        n == 0 ? 0
               : std::max<uint64_t>(
                     1, n / highest * kPlotHeight +
                            n % highest * kPlotHeight / highest));
    const int x = kBarGap + i * (kBarWidth + kBarGap);
    const bool overflow = static_cast<size_t>(i) >= c.bounds_micros.size();
    const std::string label =
        overflow ? (c.bounds_micros.empty()
                        ? std::string("all")
                        : ">" + BoundLabel(c.bounds_micros.back()))
                 : "≤" + BoundLabel(c.bounds_micros[static_cast<size_t>(i)]);
    html += fmt::format(
        "<g><title>{}: {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"{}\"/>",
        EscapeHtml(label), n, x, kTop + kPlotHeight - h, kBarWidth, h);
    if (n > 0) {
      html += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
          x + kBarWidth / 2, kTop + kPlotHeight - h - 3, n);
    }
    html += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>\n",
        x + kBarWidth / 2, kTop + kPlotHeight + 14 + (i % 2) * 11,
        EscapeHtml(label));
  }
  html += "</svg>\n";
  return html;
}

std::string RenderStatusPage(const StatusView& v) {
  auto updown = [](bool up, std::string_view yes, std::string_view no) {
    return fmt::format("<span class=\"{}\">{}</span>", up ? "up" : "down",
                       up ? yes : no);
  };
  const auto uptime = v.now - v.started;
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"refresh\" content=\"5\">"
      "<title>fixgw status</title><style>{}</style></head><body>\n"
      "<h1>fixgw</h1>\n<p class=\"summary\" id=\"summary\">"
      "<span>version <b id=\"version\">{}</b></span>"
      "<span>up <b id=\"uptime\">{}</b> (since {})</span>"
      "<span>as of {}</span><span>health: {}</span>"
      "<span>exchange: {}</span>{}</p>\n",
      kStyle, EscapeHtml(v.version), FormatUptime(uptime),
      FormatIsoTimestamp(v.started), FormatIsoTimestamp(v.now),
      updown(v.health == "ok", "ok", EscapeHtml(v.health)),
      updown(v.exchange_up, "logged on", "down"),
      v.draining ? "<span class=\"down\">shutting down</span>" : "");

  html += "<h2>Sessions</h2>\n<table id=\"sessions\"><tr><th>session</th>"
          "<th>role</th><th>state</th><th>admission</th>"
          "<th>remote address</th><th>last logon</th><th>last logout</th>"
          "<th>last message</th><th>next out seq</th><th>next in seq</th>"
          "<th>messages in</th><th>messages out</th><th>orders</th>"
          "<th>orders/s</th><th>rejects</th><th>rejects/s</th></tr>\n";
  for (const SessionStatus& s : v.sessions) {
    const std::string admission =
        s.exchange ? "-"
        : s.admission == Admission::kOpen
            ? "open"
            : fmt::format("<span class=\"down\">{}</span>",
                          s.admission == Admission::kDisabled
                              ? "disabled"
                              : "logged out by the operator");
    const std::string orders =
        s.exchange
            ? "<td>-</td><td>-</td><td>-</td><td>-</td>"
            : fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td>"
                          "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                          s.orders_accepted,
                          FormatRate(s.orders_accepted, uptime),
                          s.orders_rejected,
                          FormatRate(s.orders_rejected, uptime));
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"remote\">{}</td><td class=\"time\">{}</td>"
        "<td class=\"time\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>\n",
        EscapeHtml(s.id), SessionRole(s),
        updown(s.logged_on, "logged on", "logged out"), admission,
        s.remote.empty() ? "-" : EscapeHtml(s.remote),
        TimeOrNever(s.last_logon), TimeOrNever(s.last_logout),
        Age(s.heard_ago), s.next_sender_seq, s.next_target_seq,
        s.messages_in, s.messages_out, orders);
  }
  html += "</table>\n<p class=\"note\">last message: time since the last "
          "message received on the live connection. orders, rejects: "
          "NewOrderSingles accepted and refused by the gateway since it "
          "started; the rates are those counts divided by the uptime.</p>\n";

  html += fmt::format(
      "<h2>Orders</h2>\n<table id=\"orders\">"
      "<tr><th>open orders</th><td class=\"num\" id=\"open-orders\">{}</td></tr>"
      "<tr><th>waiting for the exchange</th><td class=\"num\">{}</td></tr>"
      "<tr><th>accepted since start</th><td class=\"num\">{}</td></tr>"
      "</table>\n",
      v.open_orders, v.awaiting_exchange, v.orders_accepted);

  html += "<h2>Accounts</h2>\n";
  if (!v.risk_checks) {
    html += "<p id=\"accounts\">risk checks are off</p>\n";
  } else if (v.accounts.empty()) {
    html += "<p id=\"accounts\">no accounts</p>\n";
  } else {
    html += "<table id=\"accounts\"><tr><th>account</th><th>cash</th>"
            "<th>net cash of fills</th><th>reserved</th><th>available</th>"
            "<th>cash used</th><th>open orders</th></tr>\n";
    for (const AccountStatus& a : v.accounts) {
      const int64_t used = UtilisationMicros(a.cash_limit, a.available);
      html += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}{}</td><td class=\"num\">{} of {}</td></tr>\n",
          EscapeHtml(a.account), FormatMoney(a.cash_limit),
          FormatMoney(a.net_cash), FormatMoney(a.reserved),
          FormatMoney(a.available), used < 0 ? "-" : "",
          a.cash_limit.micros() <= 0
              ? std::string("-")
              : FormatPercent(Magnitude(used), 1'000'000),
          a.open_orders, a.max_open_orders);
    }
    html += "</table>\n<p class=\"note\">cash used: (cash - available) / "
            "cash, where available = cash + net cash of fills - reserved."
            "</p>\n";
    html += "<table id=\"positions\"><tr><th>account</th><th>symbol</th>"
            "<th>position</th><th>open buy</th><th>open sell</th>"
            "<th>max long</th><th>max short</th><th>limit used</th></tr>\n";
    for (const AccountStatus& a : v.accounts) {
      for (const PositionStatus& p : a.positions) {
        const bool is_short = p.position.units() < 0;
        const Qty limit = is_short ? p.max_short : p.max_long;
        html += fmt::format(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td></tr>\n",
            EscapeHtml(a.account), EscapeHtml(p.symbol),
            FormatQty(p.position), FormatQty(p.open_buy),
            FormatQty(p.open_sell), FormatQty(p.max_long),
            FormatQty(p.max_short),
            limit.units() <= 0 ? std::string("-")
                               : FormatPercent(Magnitude(p.position.units()),
                                               Magnitude(limit.units())));
      }
    }
    html += "</table>\n";
  }

  html += "<h2>Kill switches</h2>\n";
  if (!v.risk_checks) {
    html += "<p id=\"kill\">risk checks are off</p>\n";
  } else {
    html += fmt::format(
        "<table id=\"kill\"><tr><th>global</th><td>{}</td></tr>"
        "<tr><th>accounts</th><td>{}</td></tr>"
        "<tr><th>sessions</th><td>{}</td></tr></table>\n",
        v.kill.global ? "<span class=\"down\">ENGAGED</span>" : "off",
        Names(v.kill.accounts), Names(v.kill.sessions));
  }

  html += "<h2>Last refusals</h2>\n";
  if (v.refusals.empty()) {
    html += "<p id=\"refusals\">none since start</p>\n";
  } else {
    html += "<table id=\"refusals\"><tr><th>time</th><th>session</th>"
            "<th>request</th><th>ClOrdID</th><th>reason</th></tr>\n";
    for (const RefusalNote& r : v.refusals) {
      html += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          FormatIsoTimestamp(r.at), EscapeHtml(r.session),
          EscapeHtml(r.request), EscapeHtml(r.cl_ord_id), EscapeHtml(r.text));
    }
    html += "</table>\n";
  }

  html += "<h2>Latency</h2>\n<div id=\"latency\">\n";
  for (const LatencyChart& c : v.latency) html += RenderLatencyChart(c);
  html += "<p class=\"note\">messages per latency bucket since start, from "
          "a message's arrival to the send of what it caused (as "
          "fixgw_order_path_seconds in /metrics).</p>\n</div>\n";
  html += "</body></html>\n";
  return html;
}

}  // namespace fixgw::gw

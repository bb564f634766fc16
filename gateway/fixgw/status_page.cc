#include "gateway/fixgw/status_page.h"

#include <fmt/format.h>

#include "gateway/core/clock.h"

namespace fixgw::gw {
namespace {

std::string Names(const risk::NameSet& names) {
  std::string out;
  for (const std::string& n : names) {
    out += (out.empty() ? "" : ", ") + EscapeHtml(n);
  }
  return out.empty() ? "none" : out;
}

constexpr std::string_view kStyle = R"(
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #0a0; font-weight: bold; } .down { color: #c00; font-weight: bold; }
.summary span { margin-right: 2em; }
)";

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

std::string RenderStatusPage(const StatusView& v) {
  auto updown = [](bool up, std::string_view yes, std::string_view no) {
    return fmt::format("<span class=\"{}\">{}</span>", up ? "up" : "down",
                       up ? yes : no);
  };
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"refresh\" content=\"5\">"
      "<title>fixgw status</title><style>{}</style></head><body>\n"
      "<h1>fixgw</h1>\n<p class=\"summary\" id=\"summary\">"
      "<span>as of {}</span><span>health: {}</span>"
      "<span>exchange: {}</span>{}</p>\n",
      kStyle, FormatIsoTimestamp(v.now),
      updown(v.health == "ok", "ok", EscapeHtml(v.health)),
      updown(v.exchange_up, "logged on", "down"),
      v.draining ? "<span class=\"down\">shutting down</span>" : "");

  html += "<h2>Sessions</h2>\n<table id=\"sessions\"><tr><th>session</th>"
          "<th>role</th><th>state</th><th>next out seq</th>"
          "<th>next in seq</th><th>messages in</th><th>messages out</th>"
          "</tr>\n";
  for (const SessionStatus& s : v.sessions) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td></tr>\n",
        EscapeHtml(s.id), s.exchange ? "exchange" : "broker",
        updown(s.logged_on, "logged on", "logged out"), s.next_sender_seq,
        s.next_target_seq, s.messages_in, s.messages_out);
  }
  html += "</table>\n";

  html += fmt::format(
      "<h2>Orders</h2>\n<table id=\"orders\">"
      "<tr><th>open orders</th><td class=\"num\" id=\"open-orders\">{}</td></tr>"
      "<tr><th>waiting for the exchange</th><td class=\"num\">{}</td></tr>"
      "<tr><th>accepted since start</th><td class=\"num\">{}</td></tr>"
      "</table>\n",
      v.open_orders, v.awaiting_exchange, v.orders_accepted);

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
  html += "</body></html>\n";
  return html;
}

}  // namespace fixgw::gw

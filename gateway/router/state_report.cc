#include "gateway/router/state_report.h"

#include <nlohmann/json.hpp>

namespace fixgw::gw {
namespace {

using Json = nlohmann::ordered_json;

Json OrderJson(const OrderSnapshot& s) {
  Json o;
  o["session"] = s.session;
  o["cl_ord_id"] = s.cl_ord_id;
  o["exch_cl_ord_id"] = s.exch_cl_ord_id;
  o["order_id"] = s.order_id;
  o["account"] = s.account;
  o["symbol"] = s.symbol;
  o["side"] = std::string(Name(s.side));
  o["ord_type"] = std::string(Name(s.ord_type));
  o["order_qty"] = s.order_qty.units();
  o["price"] = s.price ? FormatPrice(*s.price) : std::string();
  o["cum_qty"] = s.cum_qty.units();
  o["leaves_qty"] = s.leaves_qty.units();
  o["status"] = std::string(Name(s.status));
  return o;
}

// Names (accounts, ClOrdIDs) come from brokers: invalid UTF-8 is replaced
// (U+FFFD), never thrown on.
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json Names(const risk::NameSet& names) {
  Json a = Json::array();
  for (const std::string& n : names) a.push_back(n);
  return a;
}

}  // namespace

std::string StateJson(const OrderRouter& router,
                      const risk::RiskEngine* risk) {
  Json root;
  Json open = Json::array();
  for (const OrderSnapshot& s : router.Orders()) {
    if (!IsTerminal(s.status)) open.push_back(OrderJson(s));
  }
  root["open_orders"] = std::move(open);
  if (risk == nullptr) return Dump(root);

  Json accounts = Json::object();
  for (const auto& [name, a] : risk->state().accounts) {
    Json j;
    j["cash"] = risk::FormatPx(Price::FromMicros(risk->Cash(name).micros()));
    j["available"] =
        risk::FormatPx(Price::FromMicros(risk->AvailableCash(name).micros()));
    j["reserved"] = risk::FormatPx(Price::FromMicros(a.reserved.micros()));
    j["open_orders"] = a.open_orders;
    Json positions = Json::object();
    for (const auto& [symbol, e] : a.symbols) {
      positions[symbol] = Json{{"position", e.position.units()},
                               {"open_buy", e.open_buy.units()},
                               {"open_sell", e.open_sell.units()}};
    }
    j["positions"] = std::move(positions);
    accounts[name] = std::move(j);
  }
  root["accounts"] = std::move(accounts);
  const risk::KillSwitches& k = risk->state().kill;
  root["kill_switches"] = Json{{"global", k.global},
                               {"accounts", Names(k.accounts)},
                               {"sessions", Names(k.sessions)},
                               {"venues", Names(k.venues)}};
  return Dump(root);
}

}  // namespace fixgw::gw

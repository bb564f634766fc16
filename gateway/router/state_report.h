// The gateway's state as one JSON document: open orders from the router,
// and per account the cash, reservations and positions from the risk
// engine, plus the kill switches. Served by fixgw's admin API (GET /state)
// and printed by fixreplay --as-of, so that the two can be compared byte
// for byte: both come from the same journaled events through this one
// function. Pure; thread-compatible.
//
// Shape (keys in this order; money and prices as decimal strings,
// quantities as integers):
//   {"open_orders":[{"session","cl_ord_id","exch_cl_ord_id","order_id",
//                    "account","symbol","side","ord_type","order_qty",
//                    "price","cum_qty","leaves_qty","status"}...],
//    "accounts":{"ACC1":{"cash","available","reserved","open_orders",
//                        "positions":{"AAPL":{"position","open_buy",
//                                             "open_sell"}}}},
//    "kill_switches":{"global":false,"accounts":[],"sessions":[]}}
// "accounts" and "kill_switches" are absent without a risk engine.
#pragma once

#include <string>

#include "gateway/router/order_router.h"

namespace fixgw::gw {

// `risk` may be null (pass-through mode).
std::string StateJson(const OrderRouter& router,
                      const risk::RiskEngine* risk);

}  // namespace fixgw::gw

// The pre-trade hook until the risk module (issue 4) replaces it: refuses
// orders and replaces above a maximum quantity, lets everything else pass.
// Pure; thread-compatible.
#pragma once

#include <fmt/format.h>

#include "gateway/router/order_router.h"

namespace fixgw::gw {

class MaxQtyRisk final : public RiskHook {
 public:
  explicit MaxQtyRisk(Qty max_order_qty) : max_(max_order_qty) {}

  std::optional<Rejection> CheckNewOrder(const SessionKey&,
                                         const NewOrder& order) const override {
    return Check(order.qty);
  }
  std::optional<Rejection> CheckReplace(const SessionKey&,
                                        const ReplaceRequest& request,
                                        const OrderSnapshot&) const override {
    return Check(request.qty);
  }

 private:
  std::optional<Rejection> Check(Qty qty) const {
    if (max_.units() <= 0 || qty <= max_) return std::nullopt;
    return Rejection{OrdRejReason::kOrderExceedsLimit,
                     fmt::format("order quantity {} exceeds MaxOrderQty {}",
                                 qty.units(), max_.units())};
  }

  Qty max_;
};

}  // namespace fixgw::gw

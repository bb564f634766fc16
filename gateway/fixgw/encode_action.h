// The FIX message of a router action (order_router.h): what fixgw sends,
// rebuilt the same way by the outbox at start-up and by the fuzz harnesses.
#pragma once

#include <type_traits>
#include <variant>

#include "gateway/fix/convert.h"
#include "gateway/fix/quickfix.h"
#include "gateway/router/order_router.h"

namespace fixgw::gw {

// `to` is the target session's dialect (version, timestamp precision,
// pass-through filter).
inline FIX::Message EncodeAction(const Action& action,
                                 const fix::Dialect& to = {}) {
  return std::visit(
      [&](const auto& a) -> FIX::Message {
        return std::visit(
            [&](const auto& m) -> FIX::Message {
              using T = std::decay_t<decltype(m)>;
              if constexpr (std::is_same_v<T, NewOrder>) {
                return fix::EncodeNewOrder(m, to);
              } else if constexpr (std::is_same_v<T, CancelRequest>) {
                return fix::EncodeCancelRequest(m, to);
              } else if constexpr (std::is_same_v<T, ReplaceRequest>) {
                return fix::EncodeReplaceRequest(m, to);
              } else if constexpr (std::is_same_v<T, ExecutionReport>) {
                return fix::EncodeExecutionReport(m, to);
              } else if constexpr (std::is_same_v<T, MassCancelReport>) {
                return fix::EncodeMassCancelReport(m, to);
              } else {
                static_assert(std::is_same_v<T, CancelReject>);
                return fix::EncodeCancelReject(m, to);
              }
            },
            a.message);
      },
      action);
}

}  // namespace fixgw::gw

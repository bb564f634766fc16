#include "gateway/fix/masking_log.h"

namespace fixgw::fix {
namespace {

class MaskingLog : public FIX::Log {
 public:
  MaskingLog(FIX::LogFactory* factory, FIX::Log* inner, std::string session,
             const MaskingLogFactory::Observer* observer)
      : factory_(factory),
        inner_(inner),
        session_(std::move(session)),
        observer_(observer) {}
  ~MaskingLog() override {
    if (inner_ != nullptr) factory_->destroy(inner_);
  }
  MaskingLog(const MaskingLog&) = delete;
  MaskingLog& operator=(const MaskingLog&) = delete;

  void clear() override {
    if (inner_ != nullptr) inner_->clear();
  }
  void backup() override {
    if (inner_ != nullptr) inner_->backup();
  }
  void onIncoming(const std::string& msg) override {
    if (inner_ != nullptr) inner_->onIncoming(MaskPassword(msg));
  }
  void onOutgoing(const std::string& msg) override {
    if (inner_ != nullptr) inner_->onOutgoing(MaskPassword(msg));
  }
  void onEvent(const std::string& text) override {
    const std::string masked = MaskPassword(text);
    if (inner_ != nullptr) inner_->onEvent(masked);
    if (*observer_) (*observer_)(session_, masked);
  }

 private:
  FIX::LogFactory* const factory_;
  FIX::Log* const inner_;
  const std::string session_;
  const MaskingLogFactory::Observer* const observer_;
};

}  // namespace

std::string MaskPassword(std::string text) {
  size_t pos = 0;
  while ((pos = text.find("554=", pos)) != std::string::npos) {
    const bool field_start =
        pos == 0 || text[pos - 1] == '\x01' || text[pos - 1] == '|';
    pos += 4;
    if (!field_start) continue;
    size_t end = text.find_first_of("\x01|", pos);
    if (end == std::string::npos) end = text.size();
    text.replace(pos, end - pos, "****");
    pos += 4;
  }
  return text;
}

MaskingLogFactory::MaskingLogFactory(std::unique_ptr<FIX::LogFactory> inner,
                                     Observer observer)
    : inner_(std::move(inner)), observer_(std::move(observer)) {}

FIX::Log* MaskingLogFactory::Wrap(FIX::Log* inner, std::string session) {
  return new MaskingLog(inner_.get(), inner, std::move(session), &observer_);
}

FIX::Log* MaskingLogFactory::create() {
  // FileLogFactory's connector log needs FileLogPath in [DEFAULT]; with it
  // set only in [SESSION] blocks, the sessions log and the connector does
  // not (QuickFIX would refuse to start).
  FIX::Log* inner = nullptr;
  if (inner_) {
    try {
      inner = inner_->create();
    } catch (const FIX::ConfigError&) {
      inner = nullptr;
    }
  }
  return Wrap(inner, "");
}

FIX::Log* MaskingLogFactory::create(const FIX::SessionID& id) {
  return Wrap(inner_ ? inner_->create(id) : nullptr, id.toString());
}

void MaskingLogFactory::destroy(FIX::Log* log) { delete log; }

}  // namespace fixgw::fix

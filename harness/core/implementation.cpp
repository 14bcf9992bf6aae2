#include "implementation.hpp"

namespace vipcts {

std::vector<Observation> Implementation::apply_text(std::span<const std::string_view> requests) {
  std::vector<Json> doms;
  doms.reserve(requests.size());
  for (std::string_view r : requests) doms.push_back(Json::parse(r));
  std::vector<Observation> out = apply(doms);
  for (Observation& o : out)
    if (o.kind == ObservationKind::Outcome) {
      o.text = o.outcome.dump();
      o.outcome = nullptr;
    }
  return out;
}

}  // namespace vipcts

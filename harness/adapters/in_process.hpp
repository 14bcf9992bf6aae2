// The apply loop shared by the in-process implementations (reference, plugin-inproc): one session call per
// request, in order.
#pragma once

#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/errors.hpp"
#include "harness/core/implementation.hpp"

namespace vipcts {

// `call(session, request, observation)` fills the observation. An exception becomes an error observation
// (message prefixed with `prefix`), except an InputError when `rethrow_input` (a malformed vector is the
// input's fault: exit 2).
template <typename Request, typename Call>
std::vector<Observation> apply_each(std::span<const Request> requests, SuiteSession* session,
                                    const Call& call, std::string_view prefix, bool rethrow_input) {
  std::vector<Observation> out(requests.size());
  for (size_t k = 0; k < requests.size(); ++k) {
    if (!session) {
      out[k] = {ObservationKind::Error, {}, "apply() without an open scenario"};
      continue;
    }
    try {
      call(*session, requests[k], out[k]);
    } catch (const InputError& e) {
      if (rethrow_input) throw;
      out[k] = {ObservationKind::Error, {}, std::string(prefix) + e.what()};
    } catch (const std::exception& e) {
      out[k] = {ObservationKind::Error, {}, std::string(prefix) + e.what()};
    }
  }
  return out;
}

}  // namespace vipcts

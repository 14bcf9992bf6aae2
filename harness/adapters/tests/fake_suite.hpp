// A minimal Suite for testing the adapters: state {"start":N}; request {"method":"echo","params":{"x":X}};
// outcome {"status":"ok","x":X,"count":C} where C counts the scenario's operations from N. The count makes a
// lost or duplicated operation (e.g. a wrong replay after a restart) visible.
#pragma once

#include <memory>
#include <string>

#include "harness/adapters/tests/fake_abi.h"
#include "harness/core/errors.hpp"
#include "harness/core/suite.hpp"

namespace vipcts::testing {

inline long fake_start(const Json& state) {
  if (!state.is_object() || !state.contains("start") || !state["start"].is_number_integer())
    throw InputError("state.start: expected an integer");
  return state["start"].get<long>();
}

inline long fake_x(const Json& request) {
  if (request.value("method", "") != "echo") throw InputError("request.method: expected echo");
  const Json& params = request.at("params");
  if (!params.contains("x") || !params["x"].is_number_integer())
    throw InputError("params.x: expected an integer");
  return params["x"].get<long>();
}

inline Json fake_outcome(long x, long count) {
  return Json{{"status", "ok"}, {"x", x}, {"count", count}};
}

class FakeSuite final : public Suite {
 public:
  std::string_view name() const override { return "fake"; }
  std::string_view clause_file() const override { return "fake.yaml"; }
  std::vector<std::string> features() const override { return {"fake.a", "fake.b"}; }
  std::vector<std::string> methods() const override { return {"echo"}; }

  std::unique_ptr<SuiteSession> open_reference(const Json& state) const override {
    struct Session : SuiteSession {
      long count;
      explicit Session(long start) : count(start) {}
      Json apply(const Json& request) override {
        long x = fake_x(request);
        return fake_outcome(x, count++);
      }
    };
    return std::make_unique<Session>(fake_start(state));
  }

  uint32_t abi_version() const override { return 1; }

  std::unique_ptr<SuiteSession> open_plugin(const void* table, const Json& state) const override {
    struct Session : SuiteSession {
      const fake_ops* ops;
      void* ctx;
      Session(const fake_ops* o, void* c) : ops(o), ctx(c) {}
      ~Session() override { ops->close(ctx); }
      Json apply(const Json& request) override {
        long x = fake_x(request), count = 0;
        if (ops->echo(ctx, x, &count) != 0)
          throw std::runtime_error("plugin cannot answer x=" + std::to_string(x));
        return fake_outcome(x, count);
      }
    };
    auto ops = static_cast<const fake_ops*>(table);
    void* ctx = ops->open(fake_start(state));
    if (!ctx) throw std::runtime_error("plugin open() returned NULL");
    return std::make_unique<Session>(ops, ctx);
  }

  Comparison compare(const Json& expected, const Json& observed) const override {
    Comparison c;
    c.match = expected == observed;
    if (!c.match) c.diff = "expected " + expected.dump() + ", observed " + observed.dump();
    return c;
  }

  void generate(const GenerateOptions&, ScenarioSink&) const override {}
};

}  // namespace vipcts::testing

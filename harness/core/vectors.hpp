// Vector files (docs/formats.md §1): JSON Lines for machines (streamed, constant memory per scenario) and
// YAML for people (one document). Both carry the same content; every violation names file, line and field.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "json.hpp"
#include "scenario.hpp"
#include "suite.hpp"

namespace vipcts {

struct VectorHeader {
  unsigned format = 1;
  std::string suite;
  uint64_t seed = 0;
  std::string profile;      // the profile the outcomes are for (Suite::profiles()); "" = default, omitted
  std::string generator;    // "vipcts 0.1.0"; "" = omitted
  std::string spec_sha256;  // hash of the clause file the vectors were generated from; "" = omitted
};

enum class VectorEventKind { ScenarioBegin, Op, ScenarioEnd };

struct VectorEvent {
  VectorEventKind kind = VectorEventKind::ScenarioEnd;
  ScenarioHeader scenario;  // ScenarioBegin
  Operation op;             // Op
  size_t line = 0;          // where the scenario or op starts (1-based)
};

class VectorReader {
 public:
  VectorReader();
  ~VectorReader();
  // Detects the encoding from the extension (.jsonl; .yaml/.yml) and reads the header. If expected_suite is
  // not empty, a header naming another suite is an error.
  void open(const std::string& path, std::string_view expected_suite = {});
  const VectorHeader& header() const { return header_; }
  const std::string& path() const { return path_; }
  // Next event in file order: ScenarioBegin, its Ops (index 0, 1, ...), ScenarioEnd, ... false at the end.
  bool next(VectorEvent& event);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  VectorHeader header_;
};

enum class VectorEncoding { Jsonl, Yaml };
// From the file name; throws InputError for an unknown extension.
VectorEncoding vector_encoding(const std::string& path);

// The JSONL lines (without newline) of docs/formats.md §1.1, keys in the documented order.
std::string jsonl_header_line(const VectorHeader& h);
std::string jsonl_scenario_line(const ScenarioHeader& s);
std::string jsonl_op_line(const Operation& op);
// Appends ["a","b",...] as nlohmann's dump() writes it.
void append_json_strings(std::string& out, const std::vector<std::string>& list);

// Writes a vector file in the encoding its name asks for. Output goes to PATH.tmp and is renamed to PATH by
// finish(), so an interrupted gen never leaves a half file under the real name.
class VectorWriter : public ScenarioSink {
 public:
  VectorWriter(const std::string& path, const VectorHeader& header);
  ~VectorWriter() override;
  void begin(const ScenarioHeader& header) override;
  void op(const Operation& op) override;
  void end() override;
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipcts

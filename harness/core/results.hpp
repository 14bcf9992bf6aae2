// results.jsonl (docs/formats.md §4): provenance first, one line per operation (flushed per scenario), a
// summary when the run completed; and RESULTS.replay.jsonl, the failing scenarios in vector format.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json.hpp"
#include "scenario.hpp"
#include "vectors.hpp"

namespace vipcts {

// In the order of the summary line.
inline constexpr std::string_view kVerdicts[] = {"pass",    "fail",  "not_applicable", "crash",
                                                 "timeout", "error", "waived",         "xpass"};
bool is_verdict(std::string_view v);
// The verdicts that make the exit code 1 and put a scenario into the replay file.
bool is_failing_verdict(std::string_view v);

struct ResultCounts {
  uint64_t total = 0;
  std::map<std::string, uint64_t, std::less<>> by_verdict;  // every verdict of kVerdicts, 0 when unseen
  ResultCounts();
  void add(std::string_view verdict);
  uint64_t operator[](std::string_view verdict) const;
  bool any_failing() const;
  Json summary() const;  // {"type":"summary","total":N,"pass":N,...}
};

// What an interrupted results file already holds.
struct ResumeState {
  Json provenance;
  std::set<std::pair<std::string, uint64_t>> done;  // (scenario, op) with a result line
  std::set<std::string> failing_scenarios;          // scenarios with a failing verdict among those lines
  ResultCounts counts;
  std::map<std::string, uint64_t> clause_failures;  // failing results per clause
  std::set<uint64_t> waived_expectations;           // expectation-file lines that waived a result
  bool completed = false;                           // it had a summary line (dropped; rewritten at the end)
};

class ResultWriter {
 public:
  ResultWriter() = default;
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;
  ~ResultWriter();
  // New file with the provenance line.
  void create(const std::string& path, const Json& provenance);
  // Reads an existing file, drops a trailing partial line (and the summary, if any) and opens it for
  // appending. Throws InputError on a malformed complete line (FILE:LINE: field).
  ResumeState resume(const std::string& path);
  // One line (its JSON text), buffered (a results file is tens of MB: one write per MB, not per line).
  void write(std::string_view line);
  void flush();
  // Flushes if the last flush is kFlushInterval old: the runner calls it after every scenario, so a file
  // being written lags the run by at most that much (an interrupted one ends in a partial line at worst).
  void flush_if_due();
  static constexpr std::chrono::milliseconds kFlushInterval{100};
  // Writes the summary line; `stale_expectations` (expectation-file lines that waived nothing) is added to it
  // when not empty (docs/formats.md §5).
  void finish(const ResultCounts& counts, const std::vector<uint64_t>& stale_expectations = {});
  const std::string& path() const { return path_; }

 private:
  void put(const std::string& text);
  void buffer();
  static constexpr size_t kBufferSize = 1 << 20;
  std::string path_;
  FILE* f_ = nullptr;
  std::unique_ptr<char[]> buffer_;  // stdio buffer of f_ (freed after the destructor closes f_)
  std::chrono::steady_clock::time_point last_flush_;
};

// RESULTS.replay.jsonl: the whole of every failing scenario (all ops, expected outcomes), as a vector file.
class ReplayWriter {
 public:
  ReplayWriter() = default;
  ReplayWriter(const ReplayWriter&) = delete;
  ReplayWriter& operator=(const ReplayWriter&) = delete;
  ~ReplayWriter();
  static std::string path_for(const std::string& results_path);  // "r.jsonl" -> "r.replay.jsonl"
  void create(const std::string& path, const VectorHeader& header);
  // Keeps the complete scenarios of an existing replay file and returns their ids. The last scenario block is
  // always dropped (it may have been cut short; the runner rewrites it), as is everything after a bad line.
  // A missing file is created.
  std::set<std::string> resume(const std::string& path, const VectorHeader& header);
  // One write + flush per scenario.
  void write(const ScenarioHeader& scenario, const std::vector<Operation>& ops);
  void close();

 private:
  std::string path_;
  FILE* f_ = nullptr;
};

}  // namespace vipcts

#include "results.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "errors.hpp"

namespace vipcts {

bool is_verdict(std::string_view v) {
  for (auto k : kVerdicts)
    if (k == v) return true;
  return false;
}

bool is_failing_verdict(std::string_view v) {
  return v == "fail" || v == "crash" || v == "timeout" || v == "error" || v == "xpass";
}

ResultCounts::ResultCounts() {
  for (auto v : kVerdicts) by_verdict.emplace(std::string(v), 0);
}

void ResultCounts::add(std::string_view verdict) {
  ++total;
  auto it = by_verdict.find(verdict);
  if (it == by_verdict.end()) throw std::logic_error("unknown verdict " + std::string(verdict));
  ++it->second;
}

uint64_t ResultCounts::operator[](std::string_view verdict) const {
  auto it = by_verdict.find(verdict);
  return it == by_verdict.end() ? 0 : it->second;
}

bool ResultCounts::any_failing() const {
  for (auto v : kVerdicts)
    if (is_failing_verdict(v) && (*this)[v] > 0) return true;
  return false;
}

Json ResultCounts::summary() const {
  Json j = {{"type", "summary"}, {"total", total}};
  for (auto v : kVerdicts) j[std::string(v)] = (*this)[v];
  return j;
}

namespace {

[[noreturn]] void io_error(const std::string& path, const char* what) {
  throw InputError(located(path, 0, std::string(what) + ": " + std::strerror(errno)));
}

// Complete lines of a file with the byte offset where each starts; `end_complete` is where the last complete
// line ends (a trailing partial line starts there).
struct Lines {
  std::vector<std::pair<uint64_t, std::string>> lines;
  uint64_t end_complete = 0;
  bool partial = false;
};

Lines read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) io_error(path, "cannot read");
  Lines out;
  std::string line;
  uint64_t offset = 0;
  while (std::getline(in, line)) {
    if (in.eof()) {  // no newline: cut short by an interruption
      out.partial = true;
      break;
    }
    out.lines.emplace_back(offset, line);
    offset += line.size() + 1;
  }
  if (in.bad()) io_error(path, "read error");
  out.end_complete = offset;
  return out;
}

void truncate_to(const std::string& path, uint64_t size) {
  std::error_code ec;
  std::filesystem::resize_file(path, size, ec);
  if (ec) throw InputError(located(path, 0, "cannot truncate: " + ec.message()));
}

}  // namespace

// ---- ResultWriter
// ---------------------------------------------------------------------------------------------

ResultWriter::~ResultWriter() {
  if (f_) std::fclose(f_);
}

void ResultWriter::put(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), f_) != text.size() || std::fputc('\n', f_) == EOF ||
      std::fflush(f_) != 0)
    io_error(path_, "write error");
}

void ResultWriter::create(const std::string& path, const Json& provenance) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) io_error(path, "cannot write");
  buffer();
  put(provenance.dump());
}

ResumeState ResultWriter::resume(const std::string& path) {
  path_ = path;
  ResumeState st;
  Lines ls = read_lines(path);
  if (ls.lines.empty()) throw InputError(located(path, 1, "provenance: missing; nothing to resume"));
  uint64_t keep = ls.end_complete;
  for (size_t i = 0; i < ls.lines.size(); ++i) {
    size_t lineno = i + 1;
    auto fail = [&](const std::string& field, const std::string& msg) {
      throw InputError(located(path, lineno, field + ": " + msg));
    };
    Json j;
    try {
      j = Json::parse(ls.lines[i].second);
    } catch (const Json::parse_error&) {
      fail("line", "invalid JSON");
    }
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) fail("type", "missing");
    std::string type = j["type"];
    if (i == 0) {
      if (type != "provenance") fail("type", "expected provenance on line 1, found " + type);
      st.provenance = j;
      continue;
    }
    if (type == "summary") {
      if (i + 1 != ls.lines.size()) fail("type", "summary before the last line");
      st.completed = true;
      keep = ls.lines[i].first;  // rewritten when the resumed run ends
      break;
    }
    if (type != "result") fail("type", "expected result, found " + type);
    if (!j.contains("scenario") || !j["scenario"].is_string()) fail("scenario", "expected a string");
    if (!j.contains("op") || !j["op"].is_number_unsigned()) fail("op", "expected a non-negative integer");
    if (!j.contains("verdict") || !j["verdict"].is_string() || !is_verdict(j["verdict"].get<std::string>()))
      fail("verdict", "expected one of pass, fail, not_applicable, crash, timeout, error, waived, xpass");
    std::string scenario = j["scenario"], verdict = j["verdict"];
    if (!st.done.emplace(scenario, j["op"].get<uint64_t>()).second)
      fail("op", "duplicate result for " + scenario + " op " + std::to_string(j["op"].get<uint64_t>()));
    st.counts.add(verdict);
    if (verdict == "waived" && j.contains("expectation") && j["expectation"].is_number_unsigned())
      st.waived_expectations.insert(j["expectation"].get<uint64_t>());
    if (is_failing_verdict(verdict)) {
      st.failing_scenarios.insert(scenario);
      if (j.contains("clauses") && j["clauses"].is_array())
        for (const auto& c : j["clauses"])
          if (c.is_string()) ++st.clause_failures[c.get<std::string>()];
    }
  }
  if (ls.partial || keep != ls.end_complete) truncate_to(path, keep);
  f_ = std::fopen(path.c_str(), "ab");
  if (!f_) io_error(path, "cannot append");
  buffer();
  return st;
}

void ResultWriter::write(std::string_view line) {
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fputc('\n', f_) == EOF)
    io_error(path_, "write error");
}

void ResultWriter::flush() {
  if (std::fflush(f_) != 0) io_error(path_, "write error");
  last_flush_ = std::chrono::steady_clock::now();
}

void ResultWriter::flush_if_due() {
  if (std::chrono::steady_clock::now() - last_flush_ >= kFlushInterval) flush();
}

void ResultWriter::buffer() {
  buffer_ = std::make_unique<char[]>(kBufferSize);
  std::setvbuf(f_, buffer_.get(), _IOFBF, kBufferSize);
  last_flush_ = std::chrono::steady_clock::now();
}

void ResultWriter::finish(const ResultCounts& counts, const std::vector<uint64_t>& stale_expectations) {
  Json summary = counts.summary();
  if (!stale_expectations.empty()) summary["stale_expectations"] = stale_expectations;
  put(summary.dump());
  if (std::fclose(f_) != 0) {
    f_ = nullptr;
    io_error(path_, "write error");
  }
  f_ = nullptr;
}

// ---- ReplayWriter
// ---------------------------------------------------------------------------------------------

ReplayWriter::~ReplayWriter() {
  if (f_) std::fclose(f_);
}

std::string ReplayWriter::path_for(const std::string& results_path) {
  std::string base = results_path;
  if (base.size() >= 6 && base.compare(base.size() - 6, 6, ".jsonl") == 0) base.resize(base.size() - 6);
  return base + ".replay.jsonl";
}

void ReplayWriter::create(const std::string& path, const VectorHeader& header) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) io_error(path, "cannot write");
  std::string h = jsonl_header_line(header) + "\n";
  if (std::fwrite(h.data(), 1, h.size(), f_) != h.size() || std::fflush(f_) != 0)
    io_error(path, "write error");
}

std::set<std::string> ReplayWriter::resume(const std::string& path, const VectorHeader& header) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    create(path, header);
    return {};
  }
  Lines ls = read_lines(path);
  if (ls.lines.empty() || ls.lines[0].second != jsonl_header_line(header)) {
    // Not the replay file of these vectors: start it again (its scenarios get re-run and rewritten).
    create(path, header);
    return {};
  }
  std::vector<std::pair<uint64_t, std::string>> blocks;  // (offset, id) of each scenario line
  uint64_t keep = ls.end_complete;
  for (size_t i = 1; i < ls.lines.size(); ++i) {
    Json j = Json::parse(ls.lines[i].second, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("type")) {
      keep = ls.lines[i].first;
      break;
    }
    if (j["type"] == "scenario" && j.contains("id") && j["id"].is_string())
      blocks.emplace_back(ls.lines[i].first, j["id"].get<std::string>());
  }
  if (!blocks.empty()) {
    keep = std::min(keep, blocks.back().first);
    blocks.pop_back();
  }
  std::set<std::string> ids;
  for (const auto& [off, id] : blocks)
    if (off < keep) ids.insert(id);
  truncate_to(path, keep);
  path_ = path;
  f_ = std::fopen(path.c_str(), "ab");
  if (!f_) io_error(path, "cannot append");
  return ids;
}

void ReplayWriter::write(const ScenarioHeader& scenario, const std::vector<Operation>& ops) {
  std::string text = jsonl_scenario_line(scenario) + "\n";
  for (const auto& op : ops) text += jsonl_op_line(op) + "\n";
  if (std::fwrite(text.data(), 1, text.size(), f_) != text.size() || std::fflush(f_) != 0)
    io_error(path_, "write error");
}

void ReplayWriter::close() {
  if (f_ && std::fclose(f_) != 0) {
    f_ = nullptr;
    io_error(path_, "write error");
  }
  f_ = nullptr;
}

}  // namespace vipcts

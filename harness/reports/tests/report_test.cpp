// Tests of the results reader and the report writers (harness/reports). Data: tests/data/*.jsonl, written by
// hand to cover a clean run, failures of every kind, waived/xpass, and an interrupted run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "harness/core/errors.hpp"
#include "harness/reports/markup.hpp"
#include "harness/reports/report.hpp"
#include "harness/reports/results_model.hpp"
#include "harness/reports/writers.hpp"

namespace vipcts::reports {
namespace {

namespace fs = std::filesystem;

std::string data(const std::string& name) {
  return (fs::path(__FILE__).parent_path() / "data" / name).string();
}

const ClauseRow& row(const ResultsModel& m, const std::string& id) {
  for (const ClauseRow& c : m.clauses) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no row " + id);
}

const std::string kProvenance =
    R"({"type":"provenance","format":1,"vipcts":{"version":"0.1.0","git":"abc"},"suite":"smmu",)"
    R"("spec":{"file":"smmu.yaml","sha256":"00","clauses":[{"id":"A","title":"a"},{"id":"B","title":"b"}]},)"
    R"("implementation":{"id":"reference"},"command":["vipcts"]})";
const std::string kPass = R"({"type":"result","scenario":"s-0","op":0,"clauses":["A"],"verdict":"pass"})";

ResultsModel load_text(const std::string& text, size_t max_details = 1000) {
  std::istringstream in(text);
  return load_results(in, "r.jsonl", LoadOptions{max_details});
}

std::string load_error(const std::string& text) {
  try {
    load_text(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ResultsModel, PassOnlyRunIsCleanAndCountsEveryClause) {
  const ResultsModel m = load_results(data("pass_only.jsonl"));
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.exit_code(), 0);
  EXPECT_EQ(m.totals.total(), 4u);
  EXPECT_EQ(m.totals[Verdict::kPass], 3u);
  EXPECT_EQ(m.scenarios, 3u);
  ASSERT_EQ(m.clauses.size(), 4u);  // every clause of provenance.spec.clauses, in order
  EXPECT_EQ(m.clauses[0].id, "SMMU.S1.WALK.START_LEVEL");
  EXPECT_EQ(row(m, "SMMU.S1.WALK.START_LEVEL").counts[Verdict::kPass], 2u);
  EXPECT_EQ(row(m, "SMMU.S1.WALK.START_LEVEL").status(), "pass");
  EXPECT_EQ(row(m, "SMMU.S1.PERM.AP").counts.run(), 2u);
  EXPECT_EQ(row(m, "SMMU.S1.AF.FAULT").status(), "n/a");
  EXPECT_EQ(row(m, "SMMU.S1.AF.FAULT").counts.run(), 0u);
  EXPECT_EQ(row(m, "SMMU.STE.BAD_SID").status(), "not covered");
  EXPECT_TRUE(m.failures.empty());
}

TEST(ResultsModel, FailuresKeepDetailsAndReplayCommands) {
  const ResultsModel m = load_results(data("failures.jsonl"));
  EXPECT_EQ(m.exit_code(), 1);
  ASSERT_EQ(m.failures.size(), 4u);
  EXPECT_EQ(m.failures[0].verdict, Verdict::kFail);
  EXPECT_EQ(m.failures[0].line, 3u);
  EXPECT_EQ(m.failures[0].expected["event"]["type"], "F_PERMISSION");
  EXPECT_EQ(m.failures[0].observed["status"], "translated");
  EXPECT_EQ(m.failures[1].verdict, Verdict::kCrash);
  EXPECT_EQ(m.unattributed, 1u);
  EXPECT_EQ(row(m, kNoClause).counts[Verdict::kError], 1u);  // an op naming no clause is not dropped
  ASSERT_EQ(m.failing_scenarios.size(), 3u);
  EXPECT_EQ(m.failing_scenarios[1].worst, Verdict::kCrash);
  EXPECT_EQ(m.failing_scenarios[0].replay,
            "vipcts run --suite smmu --impl 'exec:python3 it'\\''s impl.py --x $HOME' --vectors " +
                shell_word(data("failures.replay.jsonl")) + " --scenario smmu-7-0");
  EXPECT_EQ(m.failing_scenarios[0].replay.rfind("vipcts run", 0), 0u);
  EXPECT_EQ(row(m, "SMMU.S1.PERM.AP").status(), "fail");
  EXPECT_EQ(row(m, "SMMU.S1.AF.FAULT").counts.failing(), 2u);
}

TEST(ResultsModel, WaivedAndXpass) {
  const ResultsModel m = load_results(data("waived_xpass.jsonl"));
  EXPECT_EQ(m.exit_code(), 1);  // xpass: the expectation is stale (docs/formats.md §6)
  ASSERT_EQ(m.waived.size(), 2u);
  EXPECT_EQ(m.waived[0].reason, "QEMU does not check AF when HA=0");
  EXPECT_EQ(m.waived[0].tracker, "https://gitlab.com/qemu-project/qemu/-/issues/1234");
  EXPECT_EQ(row(m, "SMMU.S1.AF.FAULT").status(), "waived");
  EXPECT_EQ(row(m, "SMMU.STE.BAD_SID").status(), "xpass");
  ASSERT_EQ(m.failures.size(), 1u);
  EXPECT_EQ(m.failures[0].verdict, Verdict::kXpass);
}

TEST(ResultsModel, WaivedOnlyRunExitsZero) {
  const ResultsModel m = load_text(
      kProvenance + "\n" +
      R"({"type":"result","scenario":"s-0","op":0,"clauses":["A"],"verdict":"waived","reason":"r"})" + "\n" +
      R"({"type":"summary","total":1,"pass":0,"fail":0,"not_applicable":0,"crash":0,"timeout":0,"error":0,"waived":1,"xpass":0})" +
      "\n");
  EXPECT_EQ(m.exit_code(), 0);
}

TEST(ResultsModel, IncompleteRunReportsWhatIsThere) {
  const ResultsModel m = load_results(data("incomplete.jsonl"));
  EXPECT_FALSE(m.complete);
  EXPECT_TRUE(m.partial_last_line);
  EXPECT_EQ(m.totals.total(), 2u);
  EXPECT_EQ(m.exit_code(), 1);
  EXPECT_NE(render_md(m).find("INCOMPLETE RUN"), std::string::npos);
  EXPECT_NE(render_html(m).find("INCOMPLETE RUN"), std::string::npos);
  EXPECT_NE(render_junit(m).find("name=\"vipcts.run.complete\""), std::string::npos);
  EXPECT_NE(render_ktap(m).find("not ok 5 vipcts.run.complete # ERROR"), std::string::npos);
  EXPECT_NE(render_json(m).find("\"complete\": false"), std::string::npos);
}

TEST(ResultsModel, MissingSummaryWithoutPartialLine) {
  const ResultsModel m = load_text(kProvenance + "\n" + kPass + "\n");
  EXPECT_FALSE(m.complete);
  EXPECT_FALSE(m.partial_last_line);
  EXPECT_EQ(m.exit_code(), 1);
}

struct BadInput {
  std::string text;
  std::string error;
};

TEST(ResultsModel, RejectsMalformedInputNamingFileLineAndField) {
  const std::string summary1 =
      R"({"type":"summary","total":1,"pass":1,"fail":0,"not_applicable":0,"crash":0,"timeout":0,"error":0,"waived":0,"xpass":0})";
  const std::vector<BadInput> cases = {
      {"", "r.jsonl:1: empty file"},
      {kPass + "\n", "r.jsonl:1: type: the first line must be the provenance line"},
      {"{nope\n" + kPass + "\n", "r.jsonl:1: invalid JSON"},
      {kProvenance + "\n{broken\n" + kPass + "\n", "r.jsonl:2: invalid JSON"},
      {kProvenance + "\n[1]\n", "r.jsonl:2: expected a JSON object, found array"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0,"verdict":"passed"})" + "\n",
       "r.jsonl:2: result.verdict: unknown verdict \"passed\""},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0})" + "\n",
       "r.jsonl:2: result.verdict: missing"},
      {kProvenance + "\n" + R"({"type":"result","op":0,"verdict":"pass"})" + "\n",
       "r.jsonl:2: result.scenario: missing"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":-1,"verdict":"pass"})" + "\n",
       "r.jsonl:2: result.op: expected a non-negative integer"},
      {kProvenance + "\n" +
           R"({"type":"result","scenario":"s","op":0,"verdict":"fail","request":{},"expected":{},"observed":{}})" +
           "\n",
       "r.jsonl:2: result.diff: missing"},
      {kProvenance + "\n" +
           R"({"type":"result","scenario":"s","op":0,"verdict":"fail","expected":{},"observed":{},"diff":""})" +
           "\n",
       "r.jsonl:2: result.request: missing"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0,"verdict":"error"})" + "\n",
       "r.jsonl:2: result.message: missing"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0,"verdict":"waived"})" + "\n",
       "r.jsonl:2: result.reason: missing"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0,"verdict":"not_applicable"})" + "\n",
       "r.jsonl:2: result.missing: missing"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0,"verdict":"pass","verdit":1})" + "\n",
       "r.jsonl:2: result.verdit: unknown field"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s","op":0,"clauses":"A","verdict":"pass"})" +
           "\n",
       "r.jsonl:2: result.clauses: expected an array of strings"},
      {kProvenance + "\n" + kPass + "\n" + kPass + "\n",
       "r.jsonl:3: result.op: operation 0 of scenario \"s-0\""},
      {kProvenance + "\n" + R"({"type":"results"})" + "\n", "r.jsonl:2: type: unknown line type \"results\""},
      {kProvenance + "\n" + kProvenance + "\n", "r.jsonl:2: type: a second provenance line"},
      {kProvenance + "\n" + kPass + "\n" + summary1 + "\n" + kPass + "\n",
       "r.jsonl:4: a line follows the summary"},
      {kProvenance + "\n" + summary1 + "\n", "r.jsonl:2: summary.total: 1, but the file holds 0 results"},
      {kProvenance + "\n" + R"({"type":"result","scenario":"s-0","op":0,"clauses":["A"],"verdict":"crash"})" +
           "\n" + summary1 + "\n",
       "r.jsonl:3: summary.pass: 1, but the file holds 0 pass results"},
      {R"({"type":"provenance","format":2})"
       "\n",
       "r.jsonl:1: provenance.format: unsupported version 2"},
      {R"({"type":"provenance","format":1,"vipcts":{"version":"0.1.0"},"suite":"smmu","spec":{"clauses":[{"id":"A"},{"id":"A"}]}})"
       "\n",
       "r.jsonl:1: provenance.spec.clauses[1].id: duplicate clause id \"A\""},
      {R"({"type":"provenance","format":1,"vipcts":{"version":"0.1.0"},"suite":"smmu","spec":{"clauses":[]}})"
       "\n",
       "r.jsonl:1: provenance.implementation: missing"},
      // A cut line that is not the last one is corruption, not an interruption.
      {kProvenance + "\n" + R"({"type":"result","sce)" + "\n" + kPass + "\n", "r.jsonl:2: invalid JSON"},
  };
  for (const BadInput& c : cases) {
    const std::string error = load_error(c.text);
    EXPECT_EQ(error.rfind(c.error, 0), 0u)
        << "input: " << c.text << "\nerror: " << error << "\nwanted: " << c.error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;  // one line
  }
}

TEST(ResultsModel, UnlistedClauseIsKeptAndFlagged) {
  const ResultsModel m =
      load_text(kProvenance + "\n" +
                R"({"type":"result","scenario":"s-0","op":0,"clauses":["Z"],"verdict":"pass"})" + "\n");
  ASSERT_EQ(m.clauses.size(), 3u);
  EXPECT_EQ(m.clauses[2].id, "Z");
  EXPECT_FALSE(m.clauses[2].in_spec);
}

TEST(ResultsModel, DetailListsAreCappedAndTheRestCounted) {
  std::string text = kProvenance + "\n";
  for (int s = 0; s < 5; ++s) {
    text += R"({"type":"result","scenario":"s-)" + std::to_string(s) +
            R"(","op":0,"clauses":["A"],"verdict":"timeout"})" + "\n";
  }
  const ResultsModel m = load_text(text, 2);
  EXPECT_EQ(m.failures.size(), 2u);
  EXPECT_EQ(m.failures_omitted, 3u);
  EXPECT_EQ(m.failing_scenarios.size(), 2u);
  EXPECT_EQ(m.failing_scenarios_omitted, 3u);
  EXPECT_EQ(row(m, "A").counts[Verdict::kTimeout], 5u);
  EXPECT_NE(render_json(m).find("\"failures_omitted\": 3"), std::string::npos);
  EXPECT_NE(render_junit(m).find("3 more failing operations are not listed"), std::string::npos);
  EXPECT_NE(render_md(m).find("3 more failing operations are not listed"), std::string::npos);
}

TEST(ResultsModel, StreamsManyPassingLines) {
  // 200000 passing operations: only counters grow.
  std::string text = kProvenance + "\n";
  for (int s = 0; s < 20000; ++s) {
    for (int op = 0; op < 10; ++op) {
      text += R"({"type":"result","scenario":"s-)" + std::to_string(s) + R"(","op":)" + std::to_string(op) +
              R"(,"clauses":["A","B"],"verdict":"pass"})"
              "\n";
    }
  }
  text +=
      R"({"type":"summary","total":200000,"pass":200000,"fail":0,"not_applicable":0,"crash":0,"timeout":0,"error":0,"waived":0,"xpass":0})"
      "\n";
  const ResultsModel m = load_text(text);
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.scenarios, 20000u);
  EXPECT_EQ(row(m, "B").counts[Verdict::kPass], 200000u);
  EXPECT_EQ(m.exit_code(), 0);
}

TEST(Writers, ByteStable) {
  for (const char* f : {"pass_only.jsonl", "failures.jsonl", "waived_xpass.jsonl", "incomplete.jsonl"}) {
    const ResultsModel a = load_results(data(f));
    const ResultsModel b = load_results(data(f));
    EXPECT_EQ(render_json(a), render_json(b));
    EXPECT_EQ(render_junit(a), render_junit(b));
    EXPECT_EQ(render_ktap(a), render_ktap(b));
    EXPECT_EQ(render_md(a), render_md(b));
    EXPECT_EQ(render_html(a), render_html(b));
  }
}

TEST(Writers, JsonRoundTripsAndCarriesTheMatrix) {
  const ResultsModel m = load_results(data("failures.jsonl"));
  const Json j = Json::parse(render_json(m));
  EXPECT_EQ(j["provenance"], m.provenance);
  EXPECT_EQ(j["complete"], true);
  EXPECT_EQ(j["summary"]["fail"], 1);
  EXPECT_EQ(j["summary"]["clauses"]["not_covered"], 1);
  ASSERT_EQ(j["clauses"].size(), 5u);
  EXPECT_EQ(j["clauses"][3]["status"], "not covered");
  EXPECT_EQ(j["clauses"][1]["fail"], 1);
  EXPECT_EQ(j["failures"].size(), 4u);
  EXPECT_EQ(j["failures"][0]["expected"]["status"], "terminated");
  EXPECT_EQ(j["failing_scenarios"][0]["replay"], m.failing_scenarios[0].replay);
}

TEST(Writers, JunitCountsAndEscapes) {
  const ResultsModel m = load_results(data("failures.jsonl"));
  const std::string x = render_junit(m);
  EXPECT_NE(x.find("<testsuite name=\"smmu\" tests=\"5\" failures=\"1\" errors=\"2\" skipped=\"1\">"),
            std::string::npos);
  EXPECT_NE(x.find("<testcase classname=\"smmu\" name=\"SMMU.STE.BAD_SID\">\n      <skipped message=\"not "
                   "covered\"/>"),
            std::string::npos);
  EXPECT_NE(x.find("&lt;b&gt;&amp;amp;"), std::string::npos);
  EXPECT_EQ(x.find("<b>"), std::string::npos);
  EXPECT_EQ(x.find('\x01'), std::string::npos);  // not allowed in XML 1.0
  EXPECT_NE(x.find("\\u0001"), std::string::npos);
  EXPECT_NE(x.find("<property name=\"vipcts.version\" value=\"0.1.0 (git abc123def456)\"/>"),
            std::string::npos);
}

// The result-line grammar of the kernel's KUnit parser (tools/testing/kunit/kunit_parser.py, TEST_RESULT):
// [indent] "ok" | "not ok", a number, a description without '#', then optionally " # " and a directive.
// Written out rather than as a std::regex: GCC 12 warns falsely inside <regex> at -O1 with ASan.
bool is_ktap_result_line(std::string_view line) {
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  std::string_view r = line.substr(start);
  if (r.starts_with("not ok ")) {
    r.remove_prefix(7);
  } else if (r.starts_with("ok ")) {
    r.remove_prefix(3);
  } else {
    return false;
  }
  size_t digits = 0;
  while (digits < r.size() && r[digits] >= '0' && r[digits] <= '9') ++digits;
  if (digits == 0 || digits == r.size() || r[digits] != ' ') return false;
  r.remove_prefix(digits + 1);
  const size_t hash = r.find('#');
  return hash == std::string_view::npos ||
         (hash > 0 && r[hash - 1] == ' ' && r.substr(hash).starts_with("# "));
}

TEST(Writers, KtapPlansMatchResultLines) {
  EXPECT_TRUE(is_ktap_result_line("  not ok 12 - smmu-1-0 op 3 # SKIP not applicable"));
  EXPECT_FALSE(is_ktap_result_line("ok 1 a#b"));
  EXPECT_FALSE(is_ktap_result_line("ok x name"));
  for (const char* f : {"pass_only.jsonl", "failures.jsonl", "waived_xpass.jsonl", "incomplete.jsonl"}) {
    const std::string k = render_ktap(load_results(data(f)));
    EXPECT_EQ(k.rfind("KTAP version 1\n", 0), 0u);
    // Walk the nesting levels: at each level the plan must equal the number of result lines, numbered 1..N.
    std::istringstream in(k);
    std::string line;
    std::vector<std::pair<size_t, size_t>> stack;  // (plan, results seen) per indentation level
    while (std::getline(in, line)) {
      const size_t indent = line.find_first_not_of(' ');
      ASSERT_EQ(indent % 2, 0u) << line;
      const size_t level = indent / 2;
      const std::string body = line.substr(indent);
      EXPECT_EQ(body.find_first_of("\x01\r"), std::string::npos);
      if (body == "KTAP version 1") {
        ASSERT_EQ(stack.size(), level) << f << ": " << line;
        stack.emplace_back(0, 0);
      } else if (body.rfind("1..", 0) == 0) {
        ASSERT_EQ(stack.size(), level + 1) << line;
        stack.back().first = std::stoul(body.substr(3));
      } else if (body.rfind("ok ", 0) == 0 || body.rfind("not ok ", 0) == 0) {
        EXPECT_TRUE(is_ktap_result_line(line)) << line;
        while (stack.size() > level + 1) {
          EXPECT_EQ(stack.back().first, stack.back().second) << f;
          stack.pop_back();
        }
        ASSERT_EQ(stack.size(), level + 1) << line;
        const size_t number = std::stoul(body.substr(body.rfind("not ", 0) == 0 ? 7 : 3));
        EXPECT_EQ(number, ++stack.back().second) << f << ": " << line;
      } else {
        EXPECT_EQ(body.rfind("# ", 0), 0u) << "not a diagnostic line: " << line;
      }
    }
    ASSERT_EQ(stack.size(), 1u) << f;
    EXPECT_EQ(stack[0].first, stack[0].second) << f;
  }
  const std::string k = render_ktap(load_results(data("failures.jsonl")));
  EXPECT_NE(k.find("ok 4 SMMU.STE.BAD_SID # SKIP not covered\n"), std::string::npos);
  EXPECT_NE(k.find("not ok 2 SMMU.S1.PERM.AP\n"), std::string::npos);
  EXPECT_NE(k.find("  not ok 1 smmu-7-0\n"), std::string::npos);
  EXPECT_NE(
      render_ktap(load_results(data("pass_only.jsonl"))).find("ok 3 SMMU.S1.AF.FAULT # SKIP not applicable"),
      std::string::npos);
}

TEST(Writers, MarkdownAndHtmlShowFailuresAndReplay) {
  const ResultsModel m = load_results(data("failures.jsonl"));
  const std::string md = render_md(m);
  EXPECT_NE(md.find("# vipcts conformance report: `exec:python3 it's impl.py --x $HOME`, suite `smmu`"),
            std::string::npos);
  EXPECT_NE(md.find("```json\n{\n  \"status\": \"terminated\""), std::string::npos);
  EXPECT_NE(md.find("```sh\n" + m.failing_scenarios[0].replay + "\n```"), std::string::npos);
  EXPECT_NE(md.find("## Not covered\n\n- `SMMU.STE.BAD_SID`"), std::string::npos);
  // The diff holds a backtick, so its code span uses a longer delimiter.
  EXPECT_NE(md.find("``status: expected terminated"), std::string::npos);
  const std::string html = render_html(m);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;&amp;amp;"), std::string::npos);
  EXPECT_NE(html.find("it&apos;\\&apos;&apos;s"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(Markup, Escaping) {
  EXPECT_EQ(xml_escape("a<b>&\"'", true), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(xml_escape("x\x01y\n"), "x\\u0001y\n");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBF"), "\\uFFFF");
  EXPECT_EQ(xml_escape("\xC3\xA9"), "\xC3\xA9");  // é passes through
  EXPECT_EQ(md_code("a`b"), "``a`b``");
  EXPECT_EQ(md_code("`x"), "`` `x ``");
  EXPECT_EQ(md_code("a|b", true), "`a\\|b`");
  EXPECT_EQ(md_text("a|b*c"), "a\\|b\\*c");
  EXPECT_EQ(md_fence("x```y", "json"), "````json\nx```y\n````\n");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_word("smmu-7-0"), "smmu-7-0");
  EXPECT_EQ(shell_word("a b"), "'a b'");
  EXPECT_EQ(replay_path("out/results.jsonl"), "out/results.replay.jsonl");
  EXPECT_EQ(replay_path("results"), "results.replay.jsonl");
}

TEST(WriteReport, UnsupportedFormatListsTheAcceptedOnes) {
  try {
    write_report({data("pass_only.jsonl"), "xml", ""});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("json, junit, ktap, md, html"), std::string::npos) << e.what();
  }
}

TEST(WriteReport, MissingResultsFileIsAnInputError) {
  EXPECT_THROW(write_report({data("no-such.jsonl"), "json", ""}), InputError);
}

TEST(WriteReport, WritesAtomicallyAndReturnsTheExitCode) {
  const fs::path dir = fs::temp_directory_path() / ("vipcts-report-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string out = (dir / "report.xml").string();
  EXPECT_EQ(write_report({data("failures.jsonl"), "junit", out}), 1);
  EXPECT_EQ(write_report({data("pass_only.jsonl"), "md", (dir / "r.md").string()}), 0);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), render_junit(load_results(data("failures.jsonl"))));
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos);  // no temporary left behind
    files++;
  }
  EXPECT_EQ(files, 2u);
  EXPECT_THROW(write_report({data("pass_only.jsonl"), "md", (dir / "missing-dir" / "r.md").string()}),
               InputError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vipcts::reports

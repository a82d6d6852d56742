// The test of record for the CI gate: every public deployment config in tests/data/real/ (each with its source,
// the hardware and the outcome its author reported, in the folder's cases.jsonl) is checked as written on that
// hardware, and the verdicts are compared with what happened. tests/data/real/RESULTS.md is the table this
// test computes (rewritten with FITCHECK_UPDATE_GOLDEN=1); README links it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"

namespace {

using fitcheck::test::read_text;
using fitcheck::test::run_cli;
using nlohmann::json;

const std::string k_real = std::string(FITCHECK_TEST_DATA) + "/real/";
constexpr std::size_t k_min_read_percent = 96;
constexpr std::size_t k_min_agree_percent = 90;

struct Case {
  std::string folder;
  json meta;
  std::string verdict;  // fits, does_not_fit, not_modelled, unread
  std::string detail;   // the error of an unread or not modelled config
};

std::string verdict_of(const fitcheck::test::RunResult& r, std::string& detail) {
  if (r.code == 0) return "fits";
  if (r.code == 1) return "does_not_fit";
  detail = r.err.substr(0, r.err.find('\n'));
  const std::size_t prefix = detail.find(": error: ");
  if (prefix != std::string::npos) detail = detail.substr(prefix + 9);
  for (std::size_t at = detail.find(k_real); at != std::string::npos; at = detail.find(k_real)) detail.erase(at, k_real.size());
  return detail.find("does not model") != std::string::npos ? "not_modelled" : "unread";
}

std::vector<Case> run_cases() {
  std::vector<Case> out;
  for (const char* folder : {"llama.cpp", "ollama", "vllm"}) {
    std::istringstream lines(read_text(k_real + folder + "/cases.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      Case c{folder, json::parse(line), "unread", ""};
      const json& check = c.meta.at("check");
      c.detail = "skipped: " + check.value("why", std::string("no target fitcheck can take"));
      if (check.at("expect") != "skip") {
        std::vector<std::string> args = {"check"};
        for (const json& a : check.at("args")) {  // "{dir}/x.env": a file beside the config
          std::string arg = a.get<std::string>();
          if (arg.rfind("{dir}/", 0) == 0) arg = k_real + folder + arg.substr(5);
          args.push_back(arg);
        }
        args.push_back(k_real + folder + "/" + c.meta.at("file").get<std::string>());
        c.detail.clear();
        c.verdict = verdict_of(run_cli(args), c.detail);
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Whether a verdict agrees with the author's outcome; "any" (an outcome that was not about memory, or unclear)
// host_growth (memory that grew during use, which no load-time plan sees), runtime_bug and patched (a runtime with an
// unmerged patch that changes its memory rules) are not counted.
bool counted(const std::string& expect) { return expect == "fits" || expect == "does_not_fit" || expect == "not_modelled"; }

std::string results_table(const std::vector<Case>& cases, std::size_t configs, std::size_t read, std::size_t agree,
                          std::size_t judged) {
  std::ostringstream md;
  md << "# fitcheck check on real deployment configs\n\n"
     << "Computed by `tests/cli/real_configs_test.cpp` (rewritten with `FITCHECK_UPDATE_GOLDEN=1`). Each config is checked as "
        "written, with the target in its `cases.jsonl` row (`check.args`); `expect` is the author's outcome: `fits` (it ran), "
        "`does_not_fit` (out of memory at load), `not_modelled` (several GPUs: not modelled in this release), `any` (the "
        "outcome was not about memory, or is unclear), `host_growth` (host RAM filled during use, not at load), `runtime_bug` "
        "(the runtime "
        "allocated what its own rules do not: see the row's `why`), `patched` (the runtime ran with an unmerged patch that "
        "changes its memory rules: see the row's `why`), `skip` (the source holds no config, only prose: kept for "
        "its outcome, not counted among the configs).\n\n"
     << "Read: " << read << " of " << configs << " configs (" << cases.size() - configs
     << " sources without a config not counted). Agree: " << agree << " of " << judged << " with a memory outcome.\n\n"
     << "| config | hardware (args) | author | fitcheck | agrees | note |\n|---|---|---|---|---|---|\n";
  for (const Case& c : cases) {
    const std::string expect = c.meta.at("check").at("expect");
    std::string args;
    for (const json& a : c.meta.at("check").at("args")) args += (args.empty() ? "" : " ") + a.get<std::string>();
    const char* agrees = !counted(expect) ? "-" : c.verdict == expect ? "yes" : "no";
    std::string note = c.detail;
    for (char& ch : note) {
      if (ch == '|') ch = '/';
    }
    md << "| [" << c.folder << "/" << c.meta.at("file").get<std::string>() << "](" << c.meta.at("source").get<std::string>()
       << ") | `" << args << "` | " << expect << " | " << c.verdict << " | " << agrees << " | " << note.substr(0, 160) << " |\n";
  }
  return md.str();
}

TEST(RealConfigs, ReadAsWrittenAndAgreeWithTheirAuthors) {
  const std::vector<Case> cases = run_cases();
  std::size_t configs = 0, read = 0, agree = 0, judged = 0;
  for (const Case& c : cases) {
    const std::string expect = c.meta.at("check").at("expect");
    if (expect != "skip") ++configs;
    if (c.verdict != "unread") ++read;
    if (counted(expect)) {
      ++judged;
      if (c.verdict == expect) ++agree;
    }
    // The gate's promise: never "fits" for a config that ran out of memory at load.
    EXPECT_FALSE(expect == "does_not_fit" && c.verdict == "fits") << c.folder << "/" << c.meta.at("file");
  }
  EXPECT_GE(configs, 40U);
  const std::string table = results_table(cases, configs, read, agree, judged);
  const std::string path = k_real + "RESULTS.md";
  if (std::getenv("FITCHECK_UPDATE_GOLDEN")) std::ofstream(path) << table;
  EXPECT_EQ(read_text(path), table) << "tests/data/real/RESULTS.md is out of date: rerun with FITCHECK_UPDATE_GOLDEN=1";
  // Ratchets at what this release achieves (issue 12 asks for 95% read, 90% agreement): they only go up.
  EXPECT_GE(read * 100, configs * k_min_read_percent);
  EXPECT_GE(agree * 100, judged * k_min_agree_percent);
}

}  // namespace

// Golden CLI cases, run in-process in the project root: one file per case, tests/golden/cases/NAME.case
// (tests/golden/README.md has the format and how to add one):
//
//   # what the case shows (one or more comment lines)
//   args: check examples/vllm.yaml --gpu h100-80g --json    split at spaces; 'RTX 4090' and '' are quoted
//   exit: 0
//   stdout:        then the whole stdout, verbatim; or, for a JSON document, instead:
//   json:          then POINTER = VALUE lines (RFC 6901 pointer, compact JSON), /schema_version = 1 among them
//   stderr:        then the whole stderr, verbatim
//
// An omitted section means an empty stream. A JSON case asserts the fields it is about, not the whole
// document, so that a new field or preset does not rewrite it; the key set is tests/cli/json_contract_test.cpp.
//
// FITCHECK_UPDATE_GOLDEN=1 rewrites each case's exit:, stdout: and stderr: from the actual run, and keeps its
// comment lines, args: line and json: assertions as written. It never writes assertions: a JSON case whose
// assertions no longer hold fails, naming them, for a person to edit. Read the diff before committing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using fitcheck::test::RunResult;

namespace {

// One .case file. Comments, args and assertions are kept as written, so that a rewrite gives them back.
struct GoldenCase {
  std::vector<std::string> comments;
  std::string args;
  int exit_code = 0;
  bool is_json = false;
  std::vector<std::string> assertions;
  std::string out;
  std::string err;
};

// The args: line split at spaces; an argument in single quotes may hold spaces or be empty. There are no
// escapes (no case needs a quote inside an argument), so a stray quote is an error, not a guess.
std::vector<std::string> split_args(const std::string& line) {
  std::vector<std::string> args;
  for (std::size_t i = line.find_first_not_of(' '); i < line.size(); i = line.find_first_not_of(' ', i)) {
    const bool quoted = line[i] == '\'';
    const std::size_t end = quoted ? line.find('\'', i + 1) : std::min(line.find(' ', i), line.size());
    const std::size_t next = quoted && end != std::string::npos ? end + 1 : end;
    const bool well_formed = quoted ? end != std::string::npos && (next == line.size() || line[next] == ' ')
                                    : line.substr(i, end - i).find('\'') == std::string::npos;
    if (!well_formed) throw std::runtime_error("bad quoting in args: " + line);
    args.push_back(quoted ? line.substr(i + 1, end - i - 1) : line.substr(i, end - i));
    i = next;
  }
  return args;
}

std::string join_args(const std::vector<std::string>& args) {
  std::string line;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].find('\'') != std::string::npos) throw std::runtime_error("a quote in argument " + args[i]);
    const bool quote = args[i].empty() || args[i].find(' ') != std::string::npos;
    line += (i == 0 ? "" : " ") + (quote ? "'" + args[i] + "'" : args[i]);
  }
  return line;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// Reads a .case file top to bottom; an error names the line it stopped at.
class CaseReader {
 public:
  explicit CaseReader(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) m_lines.push_back(line);
  }

  GoldenCase read() {
    GoldenCase c;
    while (m_next < m_lines.size() && m_lines[m_next].starts_with('#')) c.comments.push_back(m_lines[m_next++]);
    if (c.comments.empty()) fail("expected '#' lines saying what the case shows");
    c.args = field("args: ");
    c.exit_code = exit_code(field("exit: "));
    c.is_json = at("json:");
    if (c.is_json || at("stdout:")) {
      std::vector<std::string> body = section_until("stderr:");
      if (c.is_json) c.assertions = std::move(body);
      if (!c.is_json) c.out = join_lines(body);
    }
    if (at("stderr:")) c.err = join_lines(section_until(""));
    if (m_next != m_lines.size()) fail("expected stdout:, json: or stderr:");
    return c;
  }

 private:
  bool at(const std::string& header) const { return m_next < m_lines.size() && m_lines[m_next] == header; }

  std::string field(const std::string& name) {
    if (m_next == m_lines.size() || !m_lines[m_next].starts_with(name)) fail("expected '" + name + "'");
    return m_lines[m_next++].substr(name.size());
  }

  int exit_code(const std::string& text) const {
    int code = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
    if (error != std::errc() || end != text.data() + text.size()) fail("exit: takes a number");
    return code;
  }

  // The lines after the current header, up to the header `end` (or the end of the file when `end` is empty).
  std::vector<std::string> section_until(const std::string& end) {
    std::vector<std::string> lines;
    ++m_next;
    while (m_next < m_lines.size() && (end.empty() || m_lines[m_next] != end)) lines.push_back(m_lines[m_next++]);
    return lines;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("line " + std::to_string(m_next + 1) + ": " + what);
  }

  std::vector<std::string> m_lines;
  std::size_t m_next = 0;
};

// A stream as a section. What a section cannot hold verbatim is an error, not a golden that reads back
// differently: text must end in a newline, and stdout must not hold the line that starts stderr.
std::string section(const std::string& header, const std::string& text) {
  if (!text.ends_with('\n')) throw std::runtime_error(header + " does not end in a newline");
  if (header == "stdout:" && ("\n" + text).find("\nstderr:\n") != std::string::npos) {
    throw std::runtime_error("stdout holds a line 'stderr:'");
  }
  return header + "\n" + text;
}

std::string format_case(const GoldenCase& c) {
  std::string text = join_lines(c.comments) + "args: " + c.args + "\nexit: " + std::to_string(c.exit_code) + "\n";
  if (c.is_json) text += "json:\n" + join_lines(c.assertions);
  if (!c.is_json && !c.out.empty()) text += section("stdout:", c.out);
  if (!c.err.empty()) text += section("stderr:", c.err);
  return text;
}

// "" when the assertion holds, else what is wrong. Values compare as compact JSON text, so 1 and 1.0
// differ as they do on the wire.
std::string assertion_failure(const json& doc, const std::string& assertion) {
  const std::size_t equals = assertion.find(" = ");
  if (equals == std::string::npos) return "not POINTER = VALUE: '" + assertion + "'";
  const std::string pointer = assertion.substr(0, equals);
  try {
    const std::string expected = json::parse(assertion.substr(equals + 3)).dump();
    const std::string actual = doc.at(json::json_pointer(pointer)).dump();
    return actual == expected ? "" : pointer + " is " + actual + ", expected " + expected;
  } catch (const json::exception& e) {
    return assertion + ": " + e.what();
  }
}

std::vector<std::string> failed_assertions(const GoldenCase& golden, const std::string& out) {
  std::vector<std::string> failures;
  if (std::ranges::find(golden.assertions, "/schema_version = 1") == golden.assertions.end()) {
    failures.push_back("no '/schema_version = 1' assertion");
  }
  const json doc = json::parse(out, nullptr, false);
  if (doc.is_discarded()) {
    failures.push_back("stdout is not a JSON document: '" + out.substr(0, 200) + "'");
    return failures;
  }
  for (const auto& assertion : golden.assertions) {
    if (std::string failure = assertion_failure(doc, assertion); !failure.empty()) failures.push_back(failure);
  }
  return failures;
}

fs::path case_path(const std::string& name) { return fs::path(FITCHECK_GOLDEN_DIR) / (name + ".case"); }

GoldenCase load_case(const std::string& name) {
  try {
    return CaseReader(fitcheck::test::read_text(case_path(name).string())).read();
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(case_path(name).string() + ": " + e.what());
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(FITCHECK_GOLDEN_DIR)) {
    if (entry.path().extension() == ".case") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The run's exit code and streams into the case; a JSON case keeps its assertions (they are chosen, not
// recorded). The text is built before the file is opened, so an error leaves the case as it was.
void rewrite(const std::string& name, GoldenCase golden, const RunResult& result) {
  golden.exit_code = result.code;
  golden.err = result.err;
  if (!golden.is_json) golden.out = result.out;
  const std::string text = format_case(golden);
  std::ofstream(case_path(name), std::ios::binary) << text;
}

// The CLI contract: errors leave stdout empty and say one line on stderr; `check --format github` says it
// as a workflow annotation. `check` of several configs that read some of them reports those on stdout and
// says one such line per config it could not read.
void expect_error_contract(const std::vector<std::string>& args, const RunResult& result) {
  if (result.code < 2) return;
  const bool github = std::find(args.begin(), args.end(), "github") != args.end();
  const char* prefix = github ? "::error " : "fitcheck: error: ";
  const bool report = !args.empty() && args[0] == "check" && result.code == 3 && !result.out.empty();
  if (!report) {
    EXPECT_TRUE(result.out.empty());
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
  }
  for (std::size_t at = 0; at < result.err.size(); at = result.err.find('\n', at) + 1) {
    EXPECT_EQ(result.err.compare(at, std::string_view(prefix).size(), prefix), 0) << result.err;
  }
}

}  // namespace

class GoldenTest : public ::testing::TestWithParam<std::string> {};

// Runs in the project root, so that config paths in the cases (examples/..., tests/golden/configs/...) read
// the same on every machine.
class InProjectRoot {
 public:
  InProjectRoot() : m_previous(fs::current_path()) { fs::current_path(FITCHECK_SOURCE_DIR); }
  ~InProjectRoot() { fs::current_path(m_previous); }
  InProjectRoot(const InProjectRoot&) = delete;
  InProjectRoot& operator=(const InProjectRoot&) = delete;

 private:
  fs::path m_previous;
};

TEST_P(GoldenTest, MatchesExpectedOutput) {
  const GoldenCase golden = load_case(GetParam());
  const std::vector<std::string> args = split_args(golden.args);
  const InProjectRoot in_root;
  const RunResult result = fitcheck::test::run_cli(args);
  expect_error_contract(args, result);
  const auto failures = golden.is_json ? failed_assertions(golden, result.out) : std::vector<std::string>{};
  for (const auto& failure : failures) ADD_FAILURE() << "json: " << failure;
  if (std::getenv("FITCHECK_UPDATE_GOLDEN")) {
    rewrite(GetParam(), golden, result);
    if (!failures.empty()) FAIL() << "exit:, stdout: and stderr: rewritten; edit the json: assertions above by hand";
    GTEST_SKIP() << "golden case rewritten";
  }
  EXPECT_EQ(result.code, golden.exit_code);
  if (!golden.is_json) {
    EXPECT_EQ(result.out, golden.out);
  }
  EXPECT_EQ(result.err, golden.err);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Every case file reads back to its own text, so a rewrite keeps comments, args and assertions byte for
// byte, and its args: line is the one join_args writes.
TEST(GoldenFormat, EveryCaseRoundTrips) {
  for (const auto& name : case_names()) {
    const GoldenCase golden = load_case(name);
    EXPECT_EQ(format_case(golden), fitcheck::test::read_text(case_path(name).string())) << name;
    EXPECT_EQ(join_args(split_args(golden.args)), golden.args) << name;
  }
}

TEST(GoldenFormat, QuotesArgumentsWithSpacesAndEmptyOnes) {
  const std::vector<std::string> args = {"check", "RTX 4090", "", "--json"};
  EXPECT_EQ(join_args(args), "check 'RTX 4090' '' --json");
  EXPECT_EQ(split_args("check  'RTX 4090' '' --json"), args);
  for (const char* bad : {"check 'RTX 4090", "it's", "'a'b"}) {
    EXPECT_THROW(split_args(bad), std::runtime_error) << bad;
  }
}

TEST(GoldenFormat, ReadsSectionsAndTreatsOmittedOnesAsEmpty) {
  const GoldenCase json_case = CaseReader("# c\nargs: a --json\nexit: 0\njson:\n/a = 1\nstderr:\nw\n").read();
  EXPECT_EQ(json_case.assertions, std::vector<std::string>{"/a = 1"});
  EXPECT_EQ(json_case.err, "w\n");
  const GoldenCase text_case = CaseReader("# c\nargs: validate\nexit: 2\nstdout:\n\nx\n").read();
  EXPECT_EQ(text_case.out, "\nx\n");
  EXPECT_TRUE(text_case.err.empty());
  EXPECT_THROW(CaseReader("args: validate\nexit: 0\n").read(), std::runtime_error);  // no comment line
  EXPECT_THROW(CaseReader("# c\nargs: validate\nexit: zero\n").read(), std::runtime_error);
  EXPECT_THROW(CaseReader("# c\nargs: validate\nexit: 0\nout:\n").read(), std::runtime_error);
}

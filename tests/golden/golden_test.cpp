// Golden CLI cases, run in-process: tests/golden/cases/NAME.args (one argument per line) with the expected
// NAME.code, NAME.out and NAME.err. Regenerate after a deliberate change with FITCHECK_UPDATE_GOLDEN=1,
// then read the diff before committing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_support.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(FITCHECK_GOLDEN_DIR)) {
    if (entry.path().extension() == ".args") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> read_args(const fs::path& path) {
  std::istringstream in(fitcheck::test::read_text(path.string()));
  std::vector<std::string> args;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) args.push_back(line);
  }
  return args;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

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
  const fs::path base = fs::path(FITCHECK_GOLDEN_DIR) / GetParam();
  const std::vector<std::string> args = read_args(base.string() + ".args");
  const InProjectRoot in_root;
  const auto result = fitcheck::test::run_cli(args);
  if (std::getenv("FITCHECK_UPDATE_GOLDEN")) {
    write(base.string() + ".code", std::to_string(result.code) + "\n");
    write(base.string() + ".out", result.out);
    write(base.string() + ".err", result.err);
    GTEST_SKIP() << "golden files rewritten";
  }
  EXPECT_EQ(std::to_string(result.code) + "\n", fitcheck::test::read_text(base.string() + ".code"));
  EXPECT_EQ(result.out, fitcheck::test::read_text(base.string() + ".out"));
  EXPECT_EQ(result.err, fitcheck::test::read_text(base.string() + ".err"));
  // The CLI contract: errors leave stdout empty and say one line on stderr; `check --format github`
  // says it as a workflow annotation.
  if (result.code >= 2) {
    const bool github = std::find(args.begin(), args.end(), "github") != args.end();
    EXPECT_TRUE(result.out.empty());
    EXPECT_EQ(result.err.rfind(github ? "::error " : "fitcheck: error: ", 0), 0U);
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Every input a fuzz target once failed on (tests/fuzz-regressions/<target>/), replayed through the same
// target body (fuzz/targets.cpp): each must now be handled without a crash, an exit 4 or a stray exception.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.hpp"
#include "targets.hpp"

namespace fs = std::filesystem;

namespace {

template <class F>
int replay(const std::string& target, F body) {
  int replayed = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(FITCHECK_SOURCE_DIR) / "tests" / "fuzz-regressions" / target)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    SCOPED_TRACE(entry.path().string());
    body(fitcheck::test::read_text(entry.path().string()));
    ++replayed;
  }
  return replayed;
}

}  // namespace

TEST(FuzzRegressions, Catalog) { EXPECT_GT(replay("catalog", fitcheck::fuzz::catalog), 0); }
TEST(FuzzRegressions, Config) { EXPECT_GT(replay("config", fitcheck::fuzz::config), 0); }
TEST(FuzzRegressions, Parsers) { EXPECT_GT(replay("parsers", fitcheck::fuzz::parsers), 0); }
TEST(FuzzRegressions, CommandLine) { EXPECT_GT(replay("command_line", fitcheck::fuzz::command_line), 0); }
TEST(FuzzRegressions, Yaml) { EXPECT_GT(replay("yaml", fitcheck::fuzz::yaml), 0); }
TEST(FuzzRegressions, GgufHeader) { EXPECT_GT(replay("gguf_header", fitcheck::fuzz::gguf_header), 0); }

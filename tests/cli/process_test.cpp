// Process-level tests of the real binary: exit codes, stream separation, a bare binary with no data beside it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/test_support.hpp"

namespace fs = std::filesystem;

namespace {

struct Process {
  int code = -1;
  std::string out;
  std::string err;
};

fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("fitcheck-process-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

Process run(const std::string& binary, const std::string& args, const std::string& cwd = "") {
  const fs::path out = scratch() / "out";
  const fs::path err = scratch() / "err";
  std::string command = (cwd.empty() ? "" : "cd '" + cwd + "' && ") + "'" + binary + "' " + args + " >'" + out.string() +
                        "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(command.c_str());
  Process p;
  p.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  p.out = fitcheck::test::read_text(out.string());
  p.err = fitcheck::test::read_text(err.string());
  return p;
}

Process run(const std::string& args) { return run(FITCHECK_BINARY, args); }

void expect_error(const Process& p, int code, const std::string& needle) {
  EXPECT_EQ(p.code, code) << p.err;
  EXPECT_TRUE(p.out.empty()) << p.out;
  EXPECT_EQ(p.err.rfind("fitcheck: error: ", 0), 0U) << p.err;
  EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << p.err;
  EXPECT_NE(p.err.find(needle), std::string::npos) << p.err;
}

}  // namespace

TEST(Process, FitsExitsZeroWithResultOnStdoutOnly) {
  const Process p = run("--gpu rtx3060-12g");
  EXPECT_EQ(p.code, 0);
  EXPECT_TRUE(p.err.empty());
  EXPECT_NE(p.out.find("Recommended:"), std::string::npos);
}

TEST(Process, NothingFitsExitsOne) {
  const Process p = run("--vram 1GiB --json");
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.out.find("\"recommendation\": null"), std::string::npos);
}

TEST(Process, UsageErrorsExitTwo) {
  expect_error(run("--gpu rtx3600-12g"), 2, "did you mean 'rtx3060-12g'?");
  expect_error(run("--gpu 3060"), 2, "'3060' matches rtx3060-8g, rtx3060-12g: give one");
  expect_error(run("--gpu rtx3060-12g --vram 12GiB"), 2, "conflicting options");
  expect_error(run("--vram 12XB"), 2, "unknown unit");
  expect_error(run("footprint --model 31b --quant Q4_K_M --ctx 99999999999"), 2, "above gemma-4-31b's maximum");
  expect_error(run("footprint --model 31b --quant Q4_K_M --ctx 300k"), 2, "above gemma-4-31b's maximum");
  expect_error(run("--bogus-flag"), 2, "run 'fitcheck --help'");
  expect_error(run("footprint --model 31b --quant Q4_K_M --ctx 8k --kv-type q8_0 --flash-attn off"), 2, "needs flash attention");
}

TEST(Process, BadCatalogExitsThree) {
  const fs::path bad = scratch() / "bad.json";
  std::ofstream(bad) << "{\"models\": [";
  expect_error(run("--gpu rtx3060-12g --catalog '" + bad.string() + "' --json"), 3, "malformed JSON");
  expect_error(run("--gpu rtx3060-12g --catalog /nonexistent/catalog.json"), 3, "cannot read catalog");
  expect_error(run("--gpu rtx3060-12g --catalog '" + fitcheck::test::data_path("mini_catalog.json") + "'"), 2,
               "unknown GPU 'rtx3060-12g'");
}

TEST(Process, CatalogFileReplacesTheBuiltinOne) {
  const Process p = run("--gpu gpu-1g --json --catalog '" + fitcheck::test::data_path("mini_catalog.json") + "'");
  EXPECT_EQ(p.code, 0) << p.err;
  EXPECT_NE(p.out.find("\"model\": \"tiny\""), std::string::npos);
}

TEST(Process, BareBinaryCarriesItsCatalog) {
  const fs::path dir = scratch() / "bare";
  fs::create_directories(dir);
  const fs::path copy = dir / "fitcheck";
  fs::copy_file(FITCHECK_BINARY, copy, fs::copy_options::overwrite_existing);
  const Process p = run(copy.string(), "--gpu rtx4090-24g --json", dir.string());
  EXPECT_EQ(p.code, 0) << p.err;
  EXPECT_NE(p.out.find("\"schema_version\": 1"), std::string::npos);
}

TEST(Process, HelpAndVersion) {
  const Process help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("footprint"), std::string::npos);
  const Process version = run("--version");
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.out.rfind("fitcheck ", 0), 0U);
}

TEST(Process, ValidateCatalog) {
  const Process ok = run("validate");
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("is valid"), std::string::npos);
  const fs::path bad = scratch() / "no-source.json";
  std::string text = fitcheck::test::read_text(fitcheck::test::data_path("mini_catalog.json"));
  const std::string cited = "\"bandwidth_gbs\": 100, \"source\": \"test\"";
  text.replace(text.find(cited), cited.size(), "\"bandwidth_gbs\": 100");
  std::ofstream(bad) << text;
  expect_error(run("validate --catalog '" + bad.string() + "'"), 3, "/hardware/0/source: missing source");
}

TEST(Process, WriteErrorsAreReported) {
  // stdout on a full device once exited 0 with the result lost.
  const int code = std::system(("'" + std::string(FITCHECK_BINARY) + "' --gpu rtx3060-12g >/dev/full 2>/dev/null").c_str());
  EXPECT_EQ(WIFEXITED(code) ? WEXITSTATUS(code) : -1, 3);
  // A closed pipe is a write error too, not a SIGPIPE death (the reader stops before the output ends).
  // Exit 0 when the write won the race with the reader's exit, 3 when it did not; 141 would be SIGPIPE.
  const std::string command = "'" + std::string(FITCHECK_BINARY) + "' list gpus 2>/dev/null | true; exit \\${PIPESTATUS[0]}";
  const int piped = std::system(("bash -c \"" + command + "\"").c_str());
  ASSERT_TRUE(WIFEXITED(piped));
  EXPECT_TRUE(WEXITSTATUS(piped) == 0 || WEXITSTATUS(piped) == 3) << WEXITSTATUS(piped);
}

TEST(Process, BareCommandPrintsHelpAndVersionNamesTheCatalog) {
  const Process bare = run("");
  EXPECT_EQ(bare.code, 0);
  EXPECT_NE(bare.out.find("Usage: fitcheck"), std::string::npos);
  const Process version = run("--version");
  EXPECT_NE(version.out.find("catalog fitcheck-builtin"), std::string::npos) << version.out;
  EXPECT_NE(version.out.find("llama.cpp b"), std::string::npos) << version.out;
}

// Completions and the man page come from the option definitions: every option of a command is in them.
TEST(Process, CompletionsAndManPageNameEveryOption) {
  const fs::path script = scratch() / "fitcheck.bash";
  const Process bash = run("completions bash");
  ASSERT_EQ(bash.code, 0) << bash.err;
  std::ofstream(script) << bash.out;
  EXPECT_EQ(std::system(("bash -n '" + script.string() + "'").c_str()), 0);
  const Process man = run("man");
  ASSERT_EQ(man.code, 0) << man.err;
  EXPECT_EQ(man.out.rfind(".TH FITCHECK 1", 0), 0U);
  for (const char* option : {"--model", "--quant", "--ctx", "--prefer", "--need", "--headroom", "--junit", "--lenient"}) {
    EXPECT_NE(bash.out.find(option), std::string::npos) << option;
    EXPECT_NE(man.out.find(std::string("\\-\\-") + (option + 2)), std::string::npos) << option;
  }
  for (const auto& [shell, prefer] : {std::pair{"zsh", "'--prefer["}, std::pair{"fish", "-l prefer -r"}}) {
    const Process p = run(std::string("completions ") + shell);
    EXPECT_EQ(p.code, 0) << shell;
    EXPECT_NE(p.out.find(prefer), std::string::npos) << shell;
  }
  EXPECT_EQ(run("completions tcsh").code, 2);
}

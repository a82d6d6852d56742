// Every file in examples/ is checked here: each config fits the target it is written for, and the
// JUnit and GitHub outputs of a run over all of them are well-formed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "support/test_support.hpp"

namespace fs = std::filesystem;

namespace {

const std::string k_examples = std::string(FITCHECK_SOURCE_DIR) + "/examples/";

// Each example with the arguments it is checked with (its target).
const std::map<std::string, std::vector<std::string>>& example_runs() {
  static const std::map<std::string, std::vector<std::string>> runs = {
      {"deployment.json", {}},  // names its own target
      {"llama-server.sh", {"--gpu", "rtx3090-24g"}},
      {"Modelfile", {"--env", k_examples + "ollama.env", "--gpu", "rtx3060-12g"}},
      {"ollama.env", {}},  // read with the Modelfile
      {"vllm.yaml", {"--gpu", "h100-80g"}},
      {"vllm-serve.sh", {"--gpu", "rtx3090-24g"}},
      {"README.md", {}},
  };
  return runs;
}

TEST(Examples, EveryExampleHasATest) {
  for (const auto& entry : fs::directory_iterator(k_examples)) {
    EXPECT_EQ(example_runs().count(entry.path().filename().string()), 1U) << entry.path() << " is not checked";
  }
}

TEST(Examples, EachConfigFitsItsTarget) {
  for (const auto& [name, args] : example_runs()) {
    if (name == "ollama.env" || name == "README.md") continue;
    std::vector<std::string> cli = {"check", k_examples + name};
    cli.insert(cli.end(), args.begin(), args.end());
    const auto result = fitcheck::test::run_cli(cli);
    EXPECT_EQ(result.code, 0) << name << ": " << result.out << result.err;
    EXPECT_EQ(result.err, "") << name;
  }
}

TEST(Examples, JunitReportIsWellFormedAndCountsFailures) {
  const std::string junit = (fs::temp_directory_path() / "fitcheck-examples-junit.xml").string();
  // On a 12 GB card the 26B A4B and the vLLM E4B (BF16, 0.85 of 12 GiB) do not fit; the Modelfile does.
  const auto result =
      fitcheck::test::run_cli({"check", k_examples + "llama-server.sh", k_examples + "Modelfile", k_examples + "vllm-serve.sh",
                               "--env", k_examples + "ollama.env", "--gpu", "rtx3060-12g", "--junit", junit});
  EXPECT_EQ(result.code, 1) << result.out << result.err;
  const std::string xml = fitcheck::test::read_text(junit);
  EXPECT_EQ(fitcheck::test::xml_problem(xml), "");
  EXPECT_NE(xml.find("tests=\"3\" failures=\"2\""), std::string::npos) << xml;
  fs::remove(junit);
}

TEST(Examples, GithubAnnotationsEscapeTheirProperties) {
  // A file name with a comma and a colon must not break the annotation's properties.
  const fs::path dir = fs::temp_directory_path() / "fitcheck, a:b";
  fs::create_directories(dir);
  const fs::path config = dir / "run.sh";
  { std::ofstream(config) << "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 8192 --frobnicate\n"; }
  const auto result = fitcheck::test::run_cli({"check", config.string(), "--gpu", "rtx3060-12g", "--format", "github"});
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_NE(result.out.find("fitcheck%2C a%3Ab"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("::warning file="), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace

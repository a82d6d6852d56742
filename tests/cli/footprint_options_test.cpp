// footprint --draft FILE / --hfd REPO (issue 12 item 5): the model's MTP drafter on the device, counted as check
// counts it for llama-server -md with --spec-type draft-mtp; and --runtime llama.cpp@bN (item 4) on footprint,
// recommend and curve.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/gguf_writer.hpp"
#include "support/test_support.hpp"

namespace {

using json = nlohmann::json;
using fitcheck::test::run_cli;

json footprint(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"footprint", "--model", "gemma-4-12b", "--quant", "Q4_K_M", "--gpu", "rtx3060-12g", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_cli(args);
  EXPECT_LE(r.code, 1) << r.err;
  return json::parse(r.out)["footprint"];
}

}  // namespace

// The 12B's drafter at a 32K draft context: 465,109,248 B of weights + 41,943,040 + 3,072 x 32,768 = 607,715,584 B
// (579.6 MiB; ggml-org/llama.cpp#23398 measured 580 MiB), on the device beside the model; the draft context is
// --draft-ctx (llama-server -cd), else the context.
TEST(FootprintDraft, TheDrafterIsADevicePart) {
  const json plain = footprint({"--ctx", "32768"});
  const json drafted = footprint({"--ctx", "32768", "--hfd", "ggml-org/gemma-4-12B-it-assistant-GGUF"});
  EXPECT_EQ(drafted["draft_bytes"].get<std::uint64_t>(), 607715584ULL);
  EXPECT_EQ(drafted["draft"]["device_bytes"].get<std::uint64_t>(), 607715584ULL);
  EXPECT_EQ(drafted["device_bytes"].get<std::uint64_t>() - plain["device_bytes"].get<std::uint64_t>(), 607715584ULL);
  EXPECT_EQ(plain["draft_bytes"].get<std::uint64_t>(), 0U);
  // -cd 4096: 465,109,248 + 41,943,040 + 3,072 x 4,096 = 519,635,200.
  EXPECT_EQ(footprint({"--ctx", "32768", "--draft", "gemma-4-12B-it-assistant-Q8_0.gguf", "--draft-ctx", "4096"})["draft_bytes"],
            519635200ULL);
}

// With a target, the speed gains the MTP range beside the plain estimate (the 12B's published acceptance 0.42-0.47,
// tests/unit/mtp_calibration_test.cpp checks the model on public runs): faster than plain, slower than every draft
// accepted (1 + p tokens a step at n = 1 at most doubles it); without a drafter it is null.
TEST(FootprintDraft, SpeedShowsThePublishedSpeedUp) {
  const json with = [] {
    const auto r = run_cli({"footprint", "--model", "12b", "--quant", "Q4_K_M", "--ctx", "16384", "--gpu", "rtx3060-12g",
                            "--draft", "gemma-4-12B-it-assistant-Q8_0.gguf", "--json"});
    EXPECT_LE(r.code, 1) << r.err;
    return json::parse(r.out)["speed"];
  }();
  const double plain = with["decode_tps"].get<double>();
  EXPECT_GT(with["decode_tps_mtp"]["low"].get<double>(), plain);
  EXPECT_LE(with["decode_tps_mtp"]["low"].get<double>(), with["decode_tps_mtp"]["high"].get<double>());
  EXPECT_LT(with["decode_tps_mtp"]["high"].get<double>(), plain * 1.47);
  const auto r =
      run_cli({"footprint", "--model", "12b", "--quant", "Q4_K_M", "--ctx", "16384", "--gpu", "rtx3060-12g", "--json"});
  EXPECT_TRUE(json::parse(r.out)["speed"]["decode_tps_mtp"].is_null());
}

// The same deployment as a llama-server command: check's device bytes are footprint's.
TEST(FootprintDraft, CheckCountsTheSame) {
  const std::string path = fitcheck::test::temp_dir() + "/draft.sh";
  std::ofstream(path) << "llama-server -m gemma-4-12B-it-Q4_K_M.gguf -c 16384 -np 1 --fit off --no-mmproj "
                         "-md gemma-4-12B-it-assistant-Q8_0.gguf --spec-type draft-mtp\n";
  const auto r = run_cli({"check", path, "--gpu", "rtx3060-12g", "--json"});
  std::remove(path.c_str());
  ASSERT_LE(r.code, 1) << r.err;
  const json deployment = json::parse(r.out)["deployments"][0];
  const json f = footprint({"--ctx", "16384", "--draft", "gemma-4-12B-it-assistant-Q8_0.gguf"});
  EXPECT_EQ(deployment["device_bytes"], f["device_bytes"]);
  EXPECT_EQ(deployment["footprint"]["draft_bytes"], f["draft_bytes"]);
}

// Another model's drafter, a drafter without --ctx's partner options, a file that is not a drafter: usage errors
// (exit 2) and a data error with the file (exit 3), nothing on stdout.
TEST(FootprintDraft, WrongDraftersAreRefused) {
  const auto other = run_cli(
      {"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "8192", "--hfd", "unsloth/gemma-4-12b-it-assistant-GGUF"});
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.err.find("gemma-4-12b's, not gemma-4-31b's"), std::string::npos) << other.err;
  EXPECT_TRUE(other.out.empty());
  const auto lone = run_cli({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "8192", "--draft-ctx", "4096"});
  EXPECT_EQ(lone.code, 2);
  const auto both = run_cli({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "8192", "--draft", "a.gguf", "--hfd",
                             "ggml-org/gemma-4-31B-it-assistant-GGUF"});
  EXPECT_EQ(both.code, 2);
  const std::string not_gguf = fitcheck::test::temp_dir() + "/not-a-drafter.gguf";
  std::ofstream(not_gguf) << "not a gguf";
  const auto file = run_cli({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "8192", "--draft", not_gguf});
  std::remove(not_gguf.c_str());
  EXPECT_EQ(file.code, 3) << file.err;
  EXPECT_TRUE(file.out.empty());
}

// --runtime picks the release whose rules apply: before b9489 (PR #23907) CUDA's flash attention kept no f16 copy of
// a quantized K/V in the compute buffer, so the 31B at 262,144 q8_0 cells needs less device memory there; the
// release is named in the assumptions. The copy's bytes are derived in tests/unit/footprint_test.cpp.
TEST(FootprintRuntime, TheReleaseChoosesTheRules) {
  const auto at = [](const char* release) {
    const auto r = run_cli({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "262144", "--kv-type", "q8_0", "--gpu",
                            "rtx5090-32g", "--runtime", release, "--json"});
    EXPECT_LE(r.code, 1) << r.err;
    return json::parse(r.out);
  };
  const json before = at("llama.cpp@b9488");
  const json after = at("llama.cpp@b9489");
  EXPECT_EQ(before["assumptions"]["runtime"], "llama.cpp b9488");
  EXPECT_GT(after["footprint"]["compute_device_bytes"].get<std::uint64_t>(),
            before["footprint"]["compute_device_bytes"].get<std::uint64_t>());
  EXPECT_EQ(after["footprint"]["weights_bytes"], before["footprint"]["weights_bytes"]);
  // An Ollama release or two releases are usage errors; a release without Gemma 4 too.
  for (const std::vector<std::string>& extra : {std::vector<std::string>{"--runtime", "ollama@0.22"},
                                                {"--runtime", "llama.cpp@b9488", "--runtime", "llama.cpp@b9489"},
                                                {"--runtime", "llama.cpp@b8000"}}) {
    std::vector<std::string> args{"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "8192"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

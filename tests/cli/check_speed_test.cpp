// check reports each deployment's decoding speed for the placement its config states, with the same speed
// model as footprint and recommend, and --min-tps turns it into a gate (issue 14, item 4); an MTP drafter's
// speed-up range comes from the published measurements in tests/data/speed/mtp.csv (item 5).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "fitcheck/catalog.hpp"
#include "support/gguf_writer.hpp"
#include "support/test_support.hpp"

namespace {

using json = nlohmann::json;
using fitcheck::test::run_cli;

// Writes the command to a file of its own and checks it with these options.
fitcheck::test::RunResult check(const std::string& command, const std::vector<std::string>& extra) {
  static int serial = 0;
  const std::string path = fitcheck::test::temp_dir() + "/check-speed-" + std::to_string(serial++) + ".sh";
  std::ofstream(path) << command << "\n";
  std::vector<std::string> args{"check", path, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  fitcheck::test::RunResult r = run_cli(args);
  std::remove(path.c_str());
  return r;
}

json deployment(const std::string& command, const std::vector<std::string>& extra) {
  const auto r = check(command, extra);
  EXPECT_LE(r.code, 1) << r.err;
  return json::parse(r.out)["deployments"][0];
}

const std::string k_12b = "llama-server -m gemma-4-12B-it-Q4_K_M.gguf -c 8192 --fit off";
const std::string k_26b = "llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 8192 --fit off";

}  // namespace

// One speed model: the check of a config that keeps every layer on the GPU decodes as fast as footprint says
// the same model, preset and context do.
TEST(CheckSpeed, FullOffloadMatchesFootprint) {
  const json d = deployment(k_12b, {"--gpu", "rtx3060-12g"});
  const auto fp = run_cli({"footprint", "--model", "gemma-4-12b", "--quant", "Q4_K_M", "--ctx", "8192", "--gpu", "rtx3060-12g",
                           "--text-only", "--json"});
  ASSERT_EQ(fp.code, 0) << fp.err;
  const json speed = json::parse(fp.out)["speed"];
  ASSERT_TRUE(d["decode_tps"].is_number());
  EXPECT_EQ(d["decode_tps"], speed["decode_tps"]);  // the same number, as printed
  EXPECT_TRUE(d["prefill_tps"].is_number());
  // The RTX 3060's 28 SMs at 1777 MHz read at most 28 x 1.777 x unit_read_gbs (6.2: 308 GB/s), below its 360 GB/s at
  // CUDA's efficiency (0.91: 328 GB/s): its compute units, not its memory, bound decoding.
  const fitcheck::Catalog& c = fitcheck::builtin_catalog();
  const fitcheck::Hardware& hw = c.find_hardware("rtx3060-12g");
  const fitcheck::BackendSpeed& cuda = c.backend_speed("cuda");
  const double cap = static_cast<double>(hw.compute_units) * hw.boost_clock_mhz / 1000 * cuda.unit_read_gbs;
  EXPECT_EQ(d["speed_basis"], cap < hw.bandwidth_gbs * cuda.bandwidth_efficiency ? "compute" : "bandwidth");
}

// Experts or layers kept on the CPU are read from host RAM, at a fraction of the GPU's bandwidth: slower.
TEST(CheckSpeed, StatedPlacementSlowsDecoding) {
  const std::vector<std::string> on{"--gpu", "rtx3090-24g", "--ram", "64GB"};
  const double all = deployment(k_26b, on)["decode_tps"].get<double>();
  const json experts = deployment(k_26b + " --n-cpu-moe 10", on);
  const json layers = deployment(k_26b + " -ngl 20", on);
  EXPECT_LT(experts["decode_tps"].get<double>(), all);
  EXPECT_LT(layers["decode_tps"].get<double>(), all);
  EXPECT_EQ(layers["speed_basis"], "host RAM");  // 10 of 30 whole layers read at 51.2 GB/s outweigh the GPU's 20
}

// --min-tps fails a deployment that fits but decodes slower; the memory verdict stays what it was.
TEST(CheckSpeed, MinTpsIsAGate) {
  const double tps = deployment(k_12b, {"--gpu", "rtx3060-12g"})["decode_tps"].get<double>();
  const auto pass = check(k_12b, {"--gpu", "rtx3060-12g", "--min-tps", std::to_string(tps * 0.9)});
  EXPECT_EQ(pass.code, 0) << pass.out;
  const auto fail = check(k_12b, {"--gpu", "rtx3060-12g", "--min-tps", std::to_string(tps * 1.1)});
  ASSERT_EQ(fail.code, 1) << fail.err;
  const json doc = json::parse(fail.out);
  EXPECT_FALSE(doc["fits"].get<bool>());
  EXPECT_TRUE(doc["deployments"][0]["fits"].get<bool>());
  EXPECT_TRUE(doc["deployments"][0]["too_slow"].get<bool>());
  EXPECT_NE(doc["deployments"][0]["reason"].get<std::string>().find("--min-tps"), std::string::npos);
}

// A custom target without --bandwidth has no speed: null, never invented, and it cannot pass a speed gate.
TEST(CheckSpeed, UnknownSpeedCannotPassMinTps) {
  const json d = deployment(k_12b, {"--vram", "12GB"});
  EXPECT_TRUE(d["decode_tps"].is_null());
  EXPECT_EQ(check(k_12b, {"--vram", "12GB"}).code, 0);
  EXPECT_EQ(check(k_12b, {"--vram", "12GB", "--min-tps", "1"}).code, 1);
  EXPECT_GT(deployment(k_12b, {"--vram", "12GB", "--bandwidth", "360"})["decode_tps"].get<double>(), 0);
}

// vLLM's decoding is not modelled: its speed is null with the reason.
TEST(CheckSpeed, VllmSpeedIsUnknown) {
  const json d = deployment("vllm serve google/gemma-4-12B-it --max-model-len 8192", {"--gpu", "h100-80g"});
  EXPECT_TRUE(d["decode_tps"].is_null());
  EXPECT_NE(d["speed_basis"].get<std::string>().find("vLLM"), std::string::npos);
}

// With an MTP drafter check adds its speed over the model's published acceptance p (data/models drafter
// "acceptance": the 31B's 0.65-0.94), at the best draft length n up to 4 (data/runtimes.json speed.mtp): a step keeps
// 1 + p + ... + p^n tokens and costs the plain token x (1 + share x n) plus n reads of the drafter file (279,955,968 B)
// at the H100's read rate: its 3350 GB/s x CUDA's bandwidth efficiency, at most what its 132 SMs at 1980 MHz read
// (x CUDA's unit_read_gbs).
TEST(CheckSpeed, MtpRangeIsThePublishedAcceptance) {
  const fitcheck::Catalog& c = fitcheck::builtin_catalog();
  const json d = deployment("llama-server -m gemma-4-31B-it-Q4_K_M.gguf -c 8192 --fit off --spec-type draft-mtp -md mtp.gguf",
                            {"--gpu", "h100-80g"});
  const double plain_s = 1 / d["decode_tps"].get<double>();
  const fitcheck::Hardware& h100 = c.find_hardware("h100-80g");
  const fitcheck::BackendSpeed& cuda = c.backend_speed("cuda");
  const double read_gbs = std::min(h100.bandwidth_gbs * cuda.bandwidth_efficiency,
                                   static_cast<double>(h100.compute_units) * h100.boost_clock_mhz / 1000 * cuda.unit_read_gbs);
  const double draft_s = 279955968.0 / (read_gbs * 1e9);
  const auto best = [&](double p) {
    double top = 0;
    for (unsigned n = 1; n <= 4; ++n) {
      double tokens = 1, run = 1;
      for (unsigned k = 0; k < n; ++k) tokens += run *= p;
      top = std::max(top, tokens / (plain_s * (1 + c.mtp.verify_token_share * n) + n * draft_s));
    }
    return top;
  };
  // JSON prints 4 significant digits; the plain speed read back carries the same rounding: within 0.2%.
  EXPECT_NEAR(d["decode_tps_mtp"]["low"].get<double>(), best(0.65), 2e-3 * best(0.65));
  EXPECT_NEAR(d["decode_tps_mtp"]["high"].get<double>(), best(0.94), 2e-3 * best(0.94));
  EXPECT_TRUE(deployment(k_12b, {"--gpu", "rtx3060-12g"})["decode_tps_mtp"].is_null());  // no drafter loaded
}

// On an MoE each further verified token reads the experts it is routed to: the 26B A4B gains less than a dense
// model at the same acceptance. With 8 of 128 experts, 2 tokens read 1 - (1 - 1/16)^2 = 12.1% of the experts
// against 6.25% for one: the low end stays below (1 + p) / (1 + share) at n = 1 and above plain.
TEST(CheckSpeed, MtpOnAMixtureOfExpertsPaysForTheExperts) {
  const json d = deployment("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 8192 --fit off --spec-type draft-mtp -md mtp.gguf",
                            {"--gpu", "rtx3090-24g"});
  const double plain = d["decode_tps"].get<double>();
  EXPECT_GT(d["decode_tps_mtp"]["low"].get<double>(), plain);
  EXPECT_LT(d["decode_tps_mtp"]["low"].get<double>(),
            plain * (1 + 0.71) / (1 + fitcheck::builtin_catalog().mtp.verify_token_share));
}

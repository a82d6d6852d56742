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
  EXPECT_EQ(d["speed_basis"], "bandwidth");
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

// Each drafter's speed-up range is the lowest and highest ratio published for its model (tests/data/speed/mtp.csv,
// MTP tok/s over plain tok/s, rounded to 0.01), and check multiplies the plain estimate by it.
TEST(CheckSpeed, MtpRangeIsThePublishedSpeedUps) {
  std::map<std::string, std::pair<double, double>> range;
  for (const auto& row : fitcheck::test::csv_rows("speed/mtp.csv")) {
    const double ratio = std::stod(row.at("mtp_tps")) / std::stod(row.at("plain_tps"));
    auto [it, added] = range.try_emplace(row.at("model"), ratio, ratio);
    it->second = {std::min(it->second.first, ratio), std::max(it->second.second, ratio)};
  }
  ASSERT_EQ(range.size(), 3U);
  for (const auto& [id, measured] : range) {
    const fitcheck::Drafter& drafter = *fitcheck::builtin_catalog().find_model(id).drafter;
    EXPECT_NEAR(drafter.speedup_low, measured.first, 0.006) << id;
    EXPECT_NEAR(drafter.speedup_high, measured.second, 0.006) << id;
  }
  const json d = deployment("llama-server -m gemma-4-31B-it-Q4_K_M.gguf -c 8192 --fit off --spec-type draft-mtp -md mtp.gguf",
                            {"--gpu", "h100-80g"});
  const double plain = d["decode_tps"].get<double>();
  // JSON prints 4 significant digits: within 0.1%.
  EXPECT_NEAR(d["decode_tps_mtp"]["low"].get<double>(), plain * 2.64, 1e-3 * plain * 2.64);   // 17.7 / 6.7
  EXPECT_NEAR(d["decode_tps_mtp"]["high"].get<double>(), plain * 3.35, 1e-3 * plain * 3.35);  // 22.1 / 6.6
  EXPECT_TRUE(deployment(k_12b, {"--gpu", "rtx3060-12g"})["decode_tps_mtp"].is_null());       // no drafter loaded
}

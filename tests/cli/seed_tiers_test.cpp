// The seed's hardware tiers (issue 13), as the default `recommend` answers them: each a claim about the model,
// its bits and context that a change to the memory rules could break.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fitcheck/catalog.hpp"
#include "support/test_support.hpp"

namespace {

using json = nlohmann::json;

json recommend(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"recommend", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = fitcheck::test::run_cli(args);
  EXPECT_EQ(r.code, 0) << r.err;
  return json::parse(r.out)["recommendation"];
}

unsigned bits(const json& rec) { return fitcheck::builtin_catalog().find_preset(rec["quant"].get<std::string>()).nominal_bits; }

std::string fastest(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"recommend", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const json doc = json::parse(fitcheck::test::run_cli(args).out);
  for (const json& a : doc["alternatives"]) {
    if (a["kind"] == "fastest") return a["model"];
  }
  return "";
}

}  // namespace

TEST(SeedTiers, Rtx3060RunsThe12B) { EXPECT_EQ(recommend({"--gpu", "rtx3060-12g"})["model"], "gemma-4-12b"); }

// README "The recommendation policy": the 8 GB laptop runs E4B by default (projector loaded, 1 GiB headroom), at
// 4 bits or more with the 32K target context, on every 8 GB Mac profile.
TEST(SeedTiers, EightGigabyteMacRunsE4B) {
  for (const char* mac : {"m1-8g", "m2-8g", "m3-8g"}) {
    const json rec = recommend({"--gpu", mac});
    EXPECT_EQ(rec["model"], "gemma-4-e4b") << mac;
    EXPECT_GE(bits(rec), 4U) << mac;
    EXPECT_GE(rec["context"].get<std::uint64_t>(), 32768U) << mac;
  }
}

TEST(SeedTiers, TwentyFourGigabyteCardRunsThe31BAtFourBitsAnd32K) {
  const json rec = recommend({"--gpu", "rtx4090-24g"});
  EXPECT_EQ(rec["model"], "gemma-4-31b");
  EXPECT_GE(bits(rec), 4U);
  EXPECT_GE(rec["context"].get<std::uint64_t>(), 32768U);
  EXPECT_EQ(fastest({"--gpu", "rtx4090-24g"}), "gemma-4-26b-a4b");
}

TEST(SeedTiers, ThirtySixGigabyteMacRunsThe31BAtFourBitClass) {
  const json rec = recommend({"--gpu", "m3pro-36g"});
  EXPECT_EQ(rec["model"], "gemma-4-31b");
  EXPECT_GE(bits(rec), 4U);
  EXPECT_LE(bits(rec), 5U);
}

TEST(SeedTiers, SixtyFourGigabyteMacRunsThe31BAtQ8) {
  for (const char* mac : {"m1max-64g", "m4max40c-64g"}) {
    const json rec = recommend({"--gpu", mac});
    EXPECT_EQ(rec["model"], "gemma-4-31b") << mac;
    EXPECT_EQ(rec["quant"], "Q8_0") << mac;
  }
}

TEST(SeedTiers, H100RunsThe31BAtEightBitsAndFullContext) {
  const json rec = recommend({"--gpu", "h100-80g"});
  EXPECT_EQ(rec["model"], "gemma-4-31b");
  EXPECT_GE(bits(rec), 8U);
  EXPECT_EQ(rec["context"], 262144);
}

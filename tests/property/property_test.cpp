// Properties over the whole built-in catalog.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "fitcheck/budget.hpp"
#include "fitcheck/names.hpp"
#include "fitcheck/planner.hpp"
#include "fitcheck/units.hpp"
#include "support/gguf_writer.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

const Catalog& cat() { return builtin_catalog(); }

std::vector<std::uint64_t> context_grid(const Model& m) {
  std::vector<std::uint64_t> grid;
  for (std::uint64_t ctx : {1ULL, 256ULL, 1000ULL, 4096ULL, 8192ULL, 32768ULL, 65536ULL, 131072ULL, 262144ULL}) {
    if (ctx <= m.max_context) grid.push_back(ctx);
  }
  return grid;
}

std::uint64_t model_size(const std::string& id) { return count_params(cat().find_model(id)).text_total(); }

}  // namespace

TEST(Properties, FootprintConsistencyOverModelsPresetsKvTypesAndContexts) {
  const Runtime& rt = cat().default_runtime();
  for (const Model& m : cat().models) {
    for (const Preset& p : cat().presets) {
      const WeightPlan w = plan_weights(cat(), m, p, rt);
      for (const KvType& kv : cat().kv_types) {
        std::uint64_t previous_total = 0;
        std::uint64_t previous_kv = 0;
        for (std::uint64_t ctx : context_grid(m)) {
          Settings s = default_settings(rt);
          s.context = ctx;
          s.kv_type_k = s.kv_type_v = kv.id;
          const Footprint f = footprint(cat(), m, p, w, rt, s);
          const std::string where = m.id + " " + p.id + " " + kv.id + " ctx " + std::to_string(ctx);
          ASSERT_EQ(f.total_bytes(), f.weights.total() + f.kv_cache.total() + f.compute.total() + f.overhead.total()) << where;
          ASSERT_EQ(f.device_bytes() + f.host_bytes(), f.total_bytes()) << where;
          ASSERT_EQ(f.weights.total(), f.weights_bytes) << where;
          ASSERT_GE(f.total_bytes(), previous_total) << where << ": more context costs less";
          ASSERT_GE(f.kv_cache.total(), previous_kv) << where;
          previous_total = f.total_bytes();
          previous_kv = f.kv_cache.total();
          if (kv.id != "f32") {
            Settings f16 = s;
            f16.kv_type_k = f16.kv_type_v = "f16";
            const Footprint base = footprint(cat(), m, p, w, rt, f16);
            if (kv.quantized)
              ASSERT_LT(f.kv_cache.total(), base.kv_cache.total()) << where;
            else
              ASSERT_EQ(f.kv_cache.total(), base.kv_cache.total()) << where;  // bf16 = f16 size
          }
        }
      }
    }
  }
}

TEST(Properties, RecommendationFitsAndTheNextStepDoesNot) {
  const Runtime& rt = cat().default_runtime();
  for (const Hardware& hw : cat().hardware) {
    const Budget budget = make_budget(cat(), hw, std::nullopt);
    Constraints c;
    c.settings = default_settings(rt);
    const Plan plan = recommend(cat(), budget, rt, c);
    if (!plan.chosen) {
      for (const Candidate& cand : plan.candidates) ASSERT_FALSE(cand.above_floor && cand.qualifies()) << hw.id;
      continue;
    }
    const Candidate& chosen = plan.candidates[*plan.chosen];
    const Model& model = cat().find_model(chosen.model);
    const Preset& preset = cat().find_preset(chosen.quant);
    ASSERT_TRUE(check_fit(budget, chosen.footprint).fits) << hw.id;
    ASSERT_GE(preset.nominal_bits, c.min_bits) << hw.id;
    ASSERT_GE(chosen.max_context, c.min_context) << hw.id;
    if (chosen.max_context < model.max_context) {
      Settings more = c.settings;
      more.context = chosen.max_context + rt.kv_cell_pad;
      // The plan is of the file its launch line downloads (the launch repository's mix of the preset).
      const Preset& weights = launch_weights(cat(), model, preset);
      ASSERT_FALSE(check_fit(budget, footprint(cat(), model, weights, rt, more)).fits) << hw.id << ": context + 256 fits";
    }
    // Every bigger model fails at every preset at or above the floor, at the minimum context.
    for (const Candidate& cand : plan.candidates) {
      if (model_size(cand.model) > model_size(chosen.model) && cand.above_floor) {
        ASSERT_FALSE(cand.qualifies()) << hw.id << ": " << cand.model << " " << cand.quant << " fits but was not chosen";
        Settings at_min = c.settings;
        at_min.context = c.min_context;
        ASSERT_FALSE(
            check_fit(budget, footprint(cat(), cat().find_model(cand.model), cat().find_preset(cand.quant), rt, at_min)).fits);
      }
    }
  }
}

TEST(Properties, MoreMemoryNeverYieldsASmallerModel) {
  const Runtime& rt = cat().default_runtime();
  for (MemoryKind kind : {MemoryKind::vram, MemoryKind::unified}) {
    std::uint64_t previous = 0;
    for (std::uint64_t gib = 2; gib <= 128; gib += 2) {
      Hardware hw;
      hw.id = "custom";
      hw.vendor = kind == MemoryKind::vram ? "NVIDIA" : "Apple";
      hw.memory_kind = kind;
      hw.memory_bytes = gib * k_gib;
      Constraints c;
      c.settings = default_settings(rt);
      const Plan plan = recommend(cat(), make_budget(cat(), hw, std::nullopt), rt, c);
      const std::uint64_t size = plan.chosen ? model_size(plan.candidates[*plan.chosen].model) : 0;
      ASSERT_GE(size, previous) << gib << " GiB";
      previous = size;
    }
  }
}

// Every profile's default answer, launched the default way (the projector of a model that takes images
// loaded), leaves at least the default headroom free: its device bytes stay within the budget, which is
// memory less the runtime reserve less the headroom. Run through the CLI, as a user would get it.
TEST(Properties, DefaultAnswerLeavesTheHeadroomOnEveryProfile) {
  for (const Hardware& hw : cat().hardware) {
    const test::RunResult r = test::run_cli({"--gpu", hw.id, "--json"});
    ASSERT_TRUE(r.code == 0 || r.code == 1) << hw.id << ": " << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    const nlohmann::json& h = j["hardware"];
    EXPECT_EQ(h["headroom_bytes"].get<std::uint64_t>(), cat().policy.headroom_bytes) << hw.id;
    if (j["recommendation"].is_null()) continue;
    const nlohmann::json& rec = j["recommendation"];
    const std::uint64_t device = rec["device_bytes"].get<std::uint64_t>();
    EXPECT_LE(device + h["headroom_bytes"].get<std::uint64_t>() + h["reserve_bytes"].get<std::uint64_t>(), hw.memory_bytes)
        << hw.id;
    EXPECT_LE(device, h["budget_bytes"].get<std::uint64_t>()) << hw.id;
    const Model& m = cat().find_model(rec["model"].get<std::string>());
    if (m.has_modality("image")) EXPECT_GT(rec["footprint"]["projector_bytes"].get<std::uint64_t>(), 0U) << hw.id;
    // The launch line itself, read as check reads a config (today's llama-server defaults: -hf loads the
    // projector, no -np would open 4 slots), passes with the same headroom.
    const std::string script = test::temp_dir() + "/launch-" + hw.id + ".sh";
    std::ofstream(script) << rec["launch"]["llama_server"].get<std::string>() << "\n";
    const test::RunResult launched = test::run_cli({"check", script, "--gpu", hw.id, "--headroom", "1GiB"});
    std::remove(script.c_str());
    EXPECT_EQ(launched.code, 0) << hw.id << ": " << launched.out << launched.err;
  }
}

// Issue 13: the answer people read fits a terminal: at most 30 lines of at most 100 columns by default.
TEST(Properties, DefaultAnswerFitsThirtyLinesOfAHundredColumns) {
  for (const Hardware& hw : cat().hardware) {
    const test::RunResult r = test::run_cli({"--gpu", hw.id});
    std::size_t lines = 0;
    std::size_t start = 0;
    for (std::size_t end = r.out.find('\n'); end != std::string::npos; end = r.out.find('\n', start = end + 1)) {
      ++lines;
      EXPECT_LE(end - start, 100U) << hw.id << ": " << r.out.substr(start, end - start);
    }
    EXPECT_LE(lines, 30U) << hw.id;
  }
}

// Growing the catalog by data alone (issue 10): a GPU of a new vendor, a new weight preset, and a model of
// another family, each added to the mini catalog as JSON and answered without a line of code.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/planner.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;
using nlohmann::json;

namespace {

json mini_json() { return json::parse(test::read_text(test::data_path("mini_catalog.json"))); }
Catalog load(const json& j) { return load_catalog({{"extended.json", j.dump()}}, "extended.json"); }

}  // namespace

// An Intel card (llama.cpp runs it on Vulkan): one vendor line and one hardware profile.
// Budget: 12 GiB less the mini catalog's vulkan reserve of 128 MiB = 12,750,684,160 bytes.
TEST(Extension, GpuOfANewVendorIsData) {
  json j = mini_json();
  j["vendors"].push_back({{"vendor", "Intel"}, {"backend", "vulkan"}, {"source", "test"}});
  j["hardware"].push_back({{"id", "arc-b580-12g"},
                           {"name", "Intel Arc B580"},
                           {"vendor", "Intel"},
                           {"memory_kind", "vram"},
                           {"memory_bytes", 12884901888ULL},
                           {"bandwidth_gbs", 456},
                           {"source", "test"}});
  const Catalog c = load(j);
  const Hardware& arc = c.find_hardware("arc-b580-12g");
  EXPECT_EQ(default_backend(c, arc), Backend::vulkan);
  const Budget b = make_budget(c, arc, std::nullopt);
  EXPECT_EQ(b.backend, Backend::vulkan);
  EXPECT_EQ(b.device_bytes, 12750684160ULL);
  // A vendor without rules is refused at load, not guessed.
  j["hardware"].back()["vendor"] = "Moore Threads";
  EXPECT_THROW(load(j), Error);
}

// A preset that stores every quantizable tensor in Q8_0 (34 bytes a 32-weight block). tiny (4 layers, SSSF):
//   token_embd 256 x 1024 = 262,144 weights -> 278,528 B; output_norm 1,024 B (F32)
//   sliding layer: q, o, gate, up, down 5 x 131,072 weights -> 5 x 139,264 = 696,320; k, v 2 x 65,536 -> 139,264;
//                  norms 6 x 1,024 + layer_output_scale 32 = 6,176 -> 841,760
//   full layer:    q, o 2 x 262,144 -> 557,056; k, v 2 x 131,072 -> 278,528; gate, up, down 3 x 131,072 -> 417,792;
//                  q_norm, k_norm 2 x 2,048 + 4 x 1,024 + 32 = 8,224 -> 1,261,600
//   total = 278,528 + 1,024 + 3 x 841,760 + 1,261,600 = 4,066,432
TEST(Extension, NewPresetIsData) {
  json j = mini_json();
  j["presets"].push_back({{"id", "Q8_ALL"},
                          {"nominal_bits", 8},
                          {"quality_rank", 80},
                          {"default_type", "Q8_0"},
                          {"output_type", "Q8_0"},
                          {"source", "test"}});
  const Catalog c = load(j);
  const WeightPlan w = plan_weights(c, c.find_model("tiny"), c.find_preset("Q8_ALL"), c.default_runtime());
  EXPECT_EQ(w.file_bytes, 4066432U);
}

// A Llama-style family: untied output, no q/k norms, no post-norms, plain GQA, every layer full attention.
// mini-llama: vocab 2048, hidden 512, 2 layers, 8 heads of 64, 2 KV heads, FFN 1024. F16:
//   token_embd 512 x 2048 x 2 = 2,097,152 (host); output 2,097,152; output_norm 512 x 4 = 2,048
//   layer: attn_norm 2,048 + q 512 x 512 x 2 = 524,288 + k, v 2 x 512 x 128 x 2 = 262,144 + o 524,288
//          + ffn_norm 2,048 + gate, up, down 3 x 512 x 1024 x 2 = 3,145,728 -> 4,460,544
//   total = 2,097,152 + 2,097,152 + 2,048 + 2 x 4,460,544 = 13,117,440
// KV at 4096 tokens, f16: 2 layers x 4096 cells x (128 + 128 widths x 2 B) = 4,194,304
TEST(Extension, ModelOfAnotherFamilyIsData) {
  json j = mini_json();
  j["architectures"].push_back(json::parse(R"({
    "id": "llama", "source": "test: a Llama-style layout",
    "globals": [
      {"name": "token_embd.weight", "group": "embedding", "shape": ["hidden", "vocab"], "category": "token_embd", "host": true},
      {"name": "output_norm.weight", "group": "norms", "shape": ["hidden"], "quantize": false},
      {"name": "output.weight", "group": "embedding", "shape": ["hidden", "vocab"], "category": "output", "when": ["untied"]}
    ],
    "layer": [
      {"name": "attn_norm.weight", "group": "norms", "shape": ["hidden"], "quantize": false},
      {"name": "attn_q.weight", "group": "attention", "shape": ["hidden", "q_width"], "category": "attn_q"},
      {"name": "attn_k.weight", "group": "attention", "shape": ["hidden", "kv_width"], "category": "attn_k"},
      {"name": "attn_v.weight", "group": "attention", "shape": ["hidden", "kv_width"], "category": "attn_v"},
      {"name": "attn_output.weight", "group": "attention", "shape": ["q_width", "hidden"], "category": "attn_output"},
      {"name": "ffn_norm.weight", "group": "norms", "shape": ["hidden"], "quantize": false},
      {"name": "ffn_gate.weight", "group": "ffn", "shape": ["hidden", "ff"], "category": "ffn_gate"},
      {"name": "ffn_up.weight", "group": "ffn", "shape": ["hidden", "ff"], "category": "ffn_up"},
      {"name": "ffn_down.weight", "group": "ffn", "shape": ["ff", "hidden"], "category": "ffn_down"}
    ]})"));
  json model = j["models"][0];
  model["id"] = "mini-llama";
  model["aliases"] = json::array();
  model["architecture"] = "llama";
  model["vocab_size"] = 2048;
  model["hidden_size"] = 512;
  model["num_layers"] = 2;
  model["layer_pattern"] = "F";
  model["max_context"] = 8192;
  model["tied_embeddings"] = false;
  model["attention"] = {{"num_heads", 8},
                        {"sliding", {{"kv_heads", 2}, {"head_dim", 64}}},
                        {"full", {{"kv_heads", 2}, {"head_dim", 64}}},
                        {"full_layers_k_eq_v", false},
                        {"sliding_window", 8192},
                        {"kv_shared_layers", 0}};
  model["ffn"] = {{"intermediate_size", 1024}, {"double_wide_on_kv_shared_layers", false}};
  j["models"].push_back(model);
  const Catalog c = load(j);
  const Model& m = c.find_model("mini-llama");
  const Runtime& rt = c.default_runtime();
  Settings s = default_settings(rt);
  s.context = 4096;
  const Footprint f = footprint(c, m, c.find_preset("F16"), rt, s);
  EXPECT_EQ(f.weights_bytes, 13117440U);
  EXPECT_EQ(f.weights.host, 2097152U);  // the token embedding stays in host memory
  EXPECT_EQ(f.kv.full_bytes + f.kv.sliding_bytes, 4194304U);
  // It takes part in a recommendation like any model.
  const Budget b = make_budget(c, c.find_hardware("gpu-1g"), std::nullopt);
  Constraints constraints;
  constraints.min_context = 4096;
  constraints.settings = s;
  const Plan plan = recommend(c, b, rt, constraints);
  const bool listed = std::any_of(plan.candidates.begin(), plan.candidates.end(),
                                  [](const Candidate& cand) { return cand.model == "mini-llama" && cand.qualifies(); });
  EXPECT_TRUE(listed);
}

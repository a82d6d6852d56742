#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/tensors.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

// The minimal catalog of tests/data/mini_catalog.json with one edit applied.
std::string mini_with(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(test::read_text(test::data_path("mini_catalog.json")));
  edit(j);
  return j.dump();
}

Error load_error(const std::string& text) {
  try {
    load_catalog({{"mini.json", text}}, "mini.json");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "catalog loaded without error";
  return Error(Errc::internal, "");
}

}  // namespace

TEST(Catalog, BuiltinLoadsEverySection) {
  const Catalog& c = builtin_catalog();
  EXPECT_EQ(c.models.size(), 5U);
  EXPECT_EQ(c.hardware.size(), 120U);  // every profile of data/hardware.json
  EXPECT_GE(c.presets.size(), 10U);
  EXPECT_GE(c.kv_types.size(), 7U);
  for (const char* id : {"rtx3060-12g", "rtx4090-24g", "m3max40c-48g", "h100-80g", "dgxspark-128g"}) {
    EXPECT_NO_THROW(c.find_hardware(id)) << id;
  }
  for (const char* preset : {"BF16", "F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0", "IQ4_XS", "Q3_K_M", "Q2_K"}) {
    EXPECT_NO_THROW(c.find_preset(preset)) << preset;
  }
  for (const char* kv : {"f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"}) EXPECT_NO_THROW(c.find_kv_type(kv)) << kv;
}

// Hardware people own that is not a flagship (issue 13): Intel cards run on Vulkan; each profile by what people type.
TEST(Catalog, IntelLaptopAndOlderCards) {
  const Catalog& c = builtin_catalog();
  EXPECT_EQ(default_backend(c, c.find_hardware("arc-a770-16g")), Backend::vulkan);
  EXPECT_EQ(default_backend(c, c.find_hardware("arc-b580-12g")), Backend::vulkan);
  EXPECT_EQ(default_backend(c, c.find_hardware("rx9070xt-16g")), Backend::rocm);
  const std::pair<const char*, const char*> typed[] = {{"Arc A770", "arc-a770-16g"},
                                                       {"b580", "arc-b580-12g"},
                                                       {"RX 9070 XT", "rx9070xt-16g"},
                                                       {"7800 xt", "rx7800xt-16g"},
                                                       {"tesla p40", "teslap40-24g"},
                                                       {"3060 laptop", "rtx3060laptop-6g"},
                                                       {"RTX 4060 Laptop", "rtx4060laptop-8g"},
                                                       {"4070 laptop", "rtx4070laptop-8g"},
                                                       {"4090 laptop 16gb", "rtx4090laptop-16g"}};
  for (const auto& [query, id] : typed) EXPECT_EQ(c.lookup_hardware(query).id, id) << query;
  // A desktop number is not its laptop GPU.
  EXPECT_EQ(c.lookup_hardware("4090").id, "rtx4090-24g");
}

// Issue 14: every profile has a dense FP16 mat-mul throughput, so prefill has a number, and each says where it
// comes from (a vendor figure or units x FLOPs per clock x clock). The FLOPs per byte of bandwidth bound the
// figure's units: the lowest here is an M1 Max at 10.6 TFLOPS over 400 GB/s (26.5 FLOPs per byte), the highest
// an L40S at 362 over 864 (419). A figure in GFLOPS (x1000) or
// off by a sparse factor of 16 would leave [10, 1000].
TEST(Catalog, EveryProfileHasAnFp16FigureWithItsDerivation) {
  const Catalog& c = builtin_catalog();
  for (const Hardware& h : c.hardware) {
    SCOPED_TRACE(h.id);
    ASSERT_GT(h.fp16_tflops, 0);
    const double flops_per_byte = h.fp16_tflops * 1e12 / (h.bandwidth_gbs * 1e9);
    EXPECT_GE(flops_per_byte, 10);
    EXPECT_LE(flops_per_byte, 1000);
  }
  const nlohmann::json j = nlohmann::json::parse(test::read_text(std::string(FITCHECK_SOURCE_DIR) + "/data/hardware.json"));
  for (const nlohmann::json& h : j.at("hardware")) {
    SCOPED_TRACE(h.at("id").get<std::string>());
    const std::string source = h.at("source").get<std::string>();
    const bool in_source = source.find("fp16_tflops") != std::string::npos;
    // Before issue 14 a few profiles carried a bare vendor figure under {vendor-specs}; each new or corrected one
    // says how it is made.
    EXPECT_TRUE(in_source || source.find("{vendor-specs}") != std::string::npos);
    EXPECT_EQ(source.find("no fp16_tflops"), std::string::npos);
  }
}

// Every NVIDIA profile gives its SMs and boost clock (the CUDA decode read cap and the clock its per-layer time
// scales by); a GeForce card's FP16 figure is its SMs x 512 FLOPs x the boost clock (data/hardware.json
// turing-geforce-fp16, ampere-geforce-fp16, ada-fp16 and the RTX Blackwell derivation), so the two figures, entered
// apart, check each other to 1%; the DGX Spark's clock is the one its FP4 figure implies. The RTX 4090 Laptop's
// AI TOPS figure implies 2.2 GHz, above the 2040 MHz top of NVIDIA's range, which the profile keeps.
TEST(Catalog, NvidiaProfilesGiveSmsAndClocksThatMatchTheirFp16) {
  int checked = 0;
  for (const Hardware& h : builtin_catalog().hardware) {
    if (h.vendor != "NVIDIA") continue;
    SCOPED_TRACE(h.id);
    ASSERT_GT(h.compute_units, 0U);
    const bool geforce = h.name.find("GeForce") != std::string::npos || h.id == "dgxspark-128g";
    if (!geforce || h.id == "rtx4090laptop-16g") continue;
    const double per_sm_clock = h.fp16_tflops * 1e12 / (static_cast<double>(h.compute_units) * h.boost_clock_mhz * 1e6);
    EXPECT_NEAR(per_sm_clock, 512, 512 * 0.01);
    ++checked;
  }
  EXPECT_GE(checked, 38);
}

TEST(Catalog, MiniCatalogLoads) {
  const Catalog& c = test::mini_catalog();
  EXPECT_EQ(c.models.size(), 1U);
  EXPECT_EQ(c.models[0].num_layers(), 4U);
}

TEST(Catalog, AliasesAndCaseInsensitiveLookup) {
  const Catalog& c = builtin_catalog();
  EXPECT_EQ(c.find_model("31b").id, "gemma-4-31b");
  EXPECT_EQ(c.find_model("E2B").id, "gemma-4-e2b");
  EXPECT_EQ(c.find_model("26b").id, "gemma-4-26b-a4b");
  EXPECT_EQ(c.find_preset("q4_k_m").id, "Q4_K_M");
}

TEST(Catalog, UnknownIdSuggestsTheClosest) {
  try {
    builtin_catalog().find_hardware("rtx3060-12");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::usage);
    EXPECT_NE(std::string(e.what()).find("did you mean 'rtx3060-12g'?"), std::string::npos) << e.what();
  }
}

TEST(CatalogValidation, MissingSourceIsRejectedWithItsPointer) {
  const Error e = load_error(mini_with([](nlohmann::json& j) { j["hardware"][0].erase("source"); }));
  EXPECT_EQ(e.code(), Errc::data);
  EXPECT_NE(std::string(e.what()).find("/hardware/0/source"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("missing source"), std::string::npos) << e.what();
}

TEST(CatalogValidation, EmptySourceIsRejected) {
  const Error e = load_error(mini_with([](nlohmann::json& j) { j["models"][0]["compute"]["source"] = ""; }));
  EXPECT_NE(std::string(e.what()).find("/models/0/compute/source"), std::string::npos) << e.what();
}

TEST(CatalogValidation, WrongTypesAndBadValuesNameTheField) {
  struct Case {
    std::function<void(nlohmann::json&)> edit;
    const char* pointer;
  };
  const Case cases[] = {
      {[](nlohmann::json& j) { j["models"][0]["hidden_size"] = "big"; }, "/models/0/hidden_size"},
      {[](nlohmann::json& j) { j["models"][0]["hidden_size"] = -1; }, "/models/0/hidden_size"},
      {[](nlohmann::json& j) { j["models"][0]["layer_pattern"] = "SSX"; }, "/models/0/layer_pattern"},
      {[](nlohmann::json& j) { j["models"][0]["layer_pattern"] = "FS"; }, "/models/0/layer_pattern"},
      {[](nlohmann::json& j) { j["hardware"][0]["memory_kind"] = "hbm"; }, "/hardware/0/memory_kind"},
      {[](nlohmann::json& j) { j["presets"][0]["rules"][0]["category"] = "attn_z"; }, "/presets/0/rules/0/category"},
      {[](nlohmann::json& j) { j["models"][0]["attention"].erase("sliding_window"); }, "/models/0/attention/sliding_window"},
      {[](nlohmann::json& j) { j["models"][0]["compute"]["gpu"]["basis"] = "guessed"; }, "/models/0/compute/gpu/basis"},
      {[](nlohmann::json& j) { j["gpu_graph"]["backends"][0]["basis"] = "fitted"; }, "/gpu_graph/backends/0/basis"},
      {[](nlohmann::json& j) { j["gpu_graph"]["mask_bytes"]["flash_attn"] = 0; }, "/gpu_graph/mask_bytes/flash_attn"},
      // A shader-ALU rate is below the matrix figure (fp16_tflops 10 here) or left out.
      {[](nlohmann::json& j) { j["hardware"][0]["vector_fp16_tflops"] = 10; }, "/hardware/0/vector_fp16_tflops"},
      {[](nlohmann::json& j) { j["speed"]["backends"][0]["attention_units"] = "tensor"; }, "/speed/backends/0/attention_units"},
      {[](nlohmann::json& j) { j["hardware"][0]["int8_dot_tops"] = 0; }, "/hardware/0/int8_dot_tops"},
  };
  for (const Case& c : cases) {
    const Error e = load_error(mini_with(c.edit));
    EXPECT_EQ(e.code(), Errc::data);
    EXPECT_NE(std::string(e.what()).find(c.pointer), std::string::npos) << e.what();
  }
}

TEST(CatalogValidation, CrossReferencesAndDuplicates) {
  EXPECT_NE(std::string(load_error(mini_with([](nlohmann::json& j) { j["presets"][0]["default_type"] = "Q9_K"; })).what())
                .find("unknown block type 'Q9_K'"),
            std::string::npos);
  EXPECT_NE(std::string(load_error(mini_with([](nlohmann::json& j) { j["hardware"].push_back(j["hardware"][0]); })).what())
                .find("duplicate hardware id"),
            std::string::npos);
  EXPECT_NE(std::string(load_error(mini_with([](nlohmann::json& j) { j.erase("kv_types"); })).what()).find("'kv_types'"),
            std::string::npos);
  EXPECT_NE(std::string(load_error(mini_with([](nlohmann::json& j) { j.erase("gpu_graph"); })).what()).find("'gpu_graph'"),
            std::string::npos);
  EXPECT_NE(std::string(load_error(mini_with([](nlohmann::json& j) { j["gpu_graph"]["backends"].erase(2); })).what())
                .find("gpu_graph entry for backend 'metal' is missing"),
            std::string::npos);
}

// A recipe's omitted tensors must be layer tensors of an architecture, and the models it was fitted to must exist.
TEST(CatalogValidation, RecipeOmissionsAndFitsNameWhatExists) {
  const auto with_recipe = [](const char* key, const char* value) {
    return mini_with([&](nlohmann::json& j) {
      j["recipes"] = nlohmann::json::array({{{"id", "R"},
                                             {"base", "Q4_K_M"},
                                             {"publisher", "p"},
                                             {"rules_exact", true},
                                             {"source", "test"},
                                             {key, nlohmann::json::array({value})}}});
    });
  };
  EXPECT_NO_THROW(load_catalog({{"mini.json", with_recipe("kv_shared_layers_omit", "attn_k.weight")}}, "mini.json"));
  EXPECT_NE(std::string(load_error(with_recipe("kv_shared_layers_omit", "token_embd.weight")).what())
                .find("recipe R omits 'token_embd.weight', which no architecture has in a layer"),
            std::string::npos);
  EXPECT_NE(std::string(load_error(with_recipe("fitted_to", "huge")).what()).find("recipe R is fitted to unknown model 'huge'"),
            std::string::npos);
}

TEST(CatalogValidation, MalformedJsonGivesTheByteOffset) {
  const Error e = load_error("{\"models\": [}");
  EXPECT_EQ(e.code(), Errc::data);
  EXPECT_NE(std::string(e.what()).find("malformed JSON at byte 13"), std::string::npos) << e.what();
}

// The catalog's architecture must reproduce Google's official parameter totals (rounded as published).
TEST(Catalog, ParameterTotalsReproduceOfficialFigures) {
  for (const Model& m : builtin_catalog().models) {
    const ParamCounts p = count_params(m);
    const std::uint64_t counted = p.text_total() + (m.official_counts_encoders ? m.vision_params + m.audio_params : 0);
    const double billions = static_cast<double>(counted) / 1e9;
    // Published to one decimal: the count must round to the official figure.
    EXPECT_NEAR(billions, m.official_total_params_billions, 0.05) << m.id << " counted " << counted;
    if (m.official_active_params_billions > 0) {
      EXPECT_NEAR(static_cast<double>(p.active) / 1e9, m.official_active_params_billions, 0.05) << m.id;
    }
  }
}

// Exact text-model totals, summed by hand from the tensor shapes of huggingface/transformers
// convert_gemma4_weights.py (commit 0f3f0632a387), which leave out the 256-float rope_freqs tensor that the
// GGUF also holds, so add 256.
TEST(Catalog, ExactTextParameterCounts) {
  const Catalog& c = builtin_catalog();
  EXPECT_EQ(count_params(c.find_model("gemma-4-e2b")).text_total(), 4647449891ULL + 256);
  EXPECT_EQ(count_params(c.find_model("gemma-4-e4b")).text_total(), 7518069034ULL + 256);
  EXPECT_EQ(count_params(c.find_model("gemma-4-26b-a4b")).text_total(), 25233141790ULL + 256);
  EXPECT_EQ(count_params(c.find_model("gemma-4-31b")).text_total(), 30697345340ULL + 256);
  // 12B (convert_gemma4_unified_weights.py at 05babaa3b419): embedding 1,006,632,960 + 40 sliding attention
  // 47,186,432 + 8 full 64,881,664 + 48 MLPs 176,947,200 + norms and scalars 741,168 = 11,907,350,320.
  EXPECT_EQ(count_params(c.find_model("gemma-4-12b")).text_total(), 11907350320ULL + 256);
  // Active per token (26B A4B): text total - 30 layers x 120 idle experts x 3 x 2816 x 704 = 3,822,530,590 (+256).
  EXPECT_EQ(count_params(c.find_model("gemma-4-26b-a4b")).active, 3822530590ULL + 256);
  // E2B PLE table 262144 x (35 x 256) = 2,348,810,240 plus projection 1536 x 8960 = 13,762,560, norm 256,
  // and per-layer gates/projections/norms 35 x (2 x 1536 x 256 + 1536) = 27,578,880.
  EXPECT_EQ(count_params(c.find_model("gemma-4-e2b")).per_layer_embedding, 2348810240ULL + 13762560 + 256 + 27578880);
}

// A source may cite a shared, named citation as "{name}"; the name must exist in a top-level "sources" object.
TEST(CatalogValidation, NamedSourceReferencesMustResolve) {
  const std::string ok = mini_with([](nlohmann::json& j) {
    j["sources"] = {{"spec", "vendor spec sheet"}};
    j["hardware"][0]["source"] = "nominal 1 GiB; {spec}";
  });
  EXPECT_NO_THROW(load_catalog({{"mini.json", ok}}, "mini.json"));
  const Error e = load_error(mini_with([](nlohmann::json& j) { j["hardware"][0]["source"] = "nominal 1 GiB; {nowhere}"; }));
  EXPECT_EQ(e.code(), Errc::data);
  EXPECT_NE(std::string(e.what()).find("/hardware/0/source"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("{nowhere}"), std::string::npos) << e.what();
}

// The binary reads its catalog without the citation text (builtin_catalog); here every citation of the same files is
// checked: each "source" is present and non-empty and each "{name}" it cites is defined. Both loads give the same
// catalog.
TEST(Catalog, BuiltinCitationsAreChecked) {
  const Catalog whole = load_catalog(builtin_fragments(true), "builtin (whole)");
  const Catalog& read = builtin_catalog();
  EXPECT_EQ(whole.models.size(), read.models.size());
  EXPECT_EQ(whole.hardware.size(), read.hardware.size());
  EXPECT_EQ(whole.presets.size(), read.presets.size());
  EXPECT_EQ(whole.recipes.size(), read.recipes.size());
  EXPECT_EQ(whole.mtp.verify_token_share, read.mtp.verify_token_share);
  // An escaped quote does not end the citation; other keys that end in "source" keep their text.
  EXPECT_EQ(without_citations(R"({"source": "a \"b\" c {x}", "compute_source": "y", "n": 1})"),
            R"({"source": "-", "compute_source": "y", "n": 1})");
  EXPECT_EQ(without_citations(R"({"source": "unterminated)"), R"({"source": "-)");
}

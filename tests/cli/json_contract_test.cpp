// The JSON wire format (schema_version 1): the exact key set of every object, so a new field is a
// deliberate change to this test, README and the goldens together.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "support/test_support.hpp"

using json = nlohmann::ordered_json;

namespace {

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

json run_json(const std::vector<std::string>& args, int expected_code) {
  const auto r = fitcheck::test::run_cli(args);
  EXPECT_EQ(r.code, expected_code) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  return json::parse(r.out);
}

const std::set<std::string> k_footprint_keys = {"model",
                                                "quant",
                                                "context",
                                                "kv_type",
                                                "kv_type_k",
                                                "kv_type_v",
                                                "weights_bytes",
                                                "file_bytes",
                                                "weights_source",
                                                "kv_cache_bytes",
                                                "compute_bytes",
                                                "compute_device_bytes",
                                                "compute_host_bytes",
                                                "compute_basis",
                                                "overhead_bytes",
                                                "repack_bytes",
                                                "projector_bytes",
                                                "projector_weights_bytes",
                                                "projector_compute_bytes",
                                                "draft_bytes",
                                                "draft_context",
                                                "total_bytes",
                                                "device_bytes",
                                                "host_bytes",
                                                "host_resident_bytes",
                                                "host_paged_bytes",
                                                "weights",
                                                "kv_cache",
                                                "compute",
                                                "overhead",
                                                "repack",
                                                "projector",
                                                "draft",
                                                "kv"};
const std::set<std::string> k_assumption_keys = {"runtime",
                                                 "backend",
                                                 "ubatch",
                                                 "batch",
                                                 "parallel",
                                                 "flash_attn",
                                                 "swa_full",
                                                 "kv_unified",
                                                 "kv_offload",
                                                 "cpu_repack",
                                                 "projector",
                                                 "compute_basis",
                                                 "projector_compute_basis"};
const std::set<std::string> k_speed_keys = {"fill",  "decode_tps",    "decode_tps_full", "prefill_tps", "prefill_tps_full",
                                            "basis", "prefill_basis", "decode_tps_mtp"};
const std::set<std::string> k_speed_assumption_keys = {"fill",
                                                       "device_bandwidth_gbs",
                                                       "device_bandwidth_efficiency",
                                                       "device_read_cap_gbs",
                                                       "device_layer_overhead_us",
                                                       "device_moe_layer_overhead_us",
                                                       "device_fp16_tflops",
                                                       "quantized_matmul_tflops",
                                                       "compute_efficiency",
                                                       "moe_compute_efficiency",
                                                       "prefill_layer_overhead_us",
                                                       "attention_fp16_tflops",
                                                       "attention_efficiency",
                                                       "tile_efficiency",
                                                       "float_efficiency",
                                                       "host_bandwidth_gbs",
                                                       "host_bandwidth_efficiency",
                                                       "host_layer_overhead_us",
                                                       "host_ram_budget_bytes",
                                                       "pcie_gbs",
                                                       "pcie_efficiency",
                                                       "allow_offload",
                                                       "min_tps",
                                                       "basis"};
const std::set<std::string> k_offload_keys = {"gpu_layers",      "n_cpu_moe",   "device_bytes",     "host_bytes", "decode_tps",
                                              "decode_tps_full", "prefill_tps", "prefill_tps_full", "basis",      "args"};
// An answer or an alternative (README "JSON output").
const std::set<std::string> k_plan_keys = {
    "model",        "quant",      "context",     "kv_type", "decode_tps", "decode_tps_full", "prefill_tps", "prefill_tps_full",
    "device_bytes", "host_bytes", "spare_bytes", "launch",  "mtp"};
std::set<std::string> with(std::set<std::string> keys, std::initializer_list<const char*> more) {
  keys.insert(more.begin(), more.end());
  return keys;
}

const std::set<std::string> k_hardware_keys = {
    "id",           "name",     "memory_kind",   "memory_bytes",     "budget_bytes",         "headroom_bytes",
    "budget_basis", "platform", "reserve_bytes", "ram_budget_bytes", "decode_measured_share"};

void check_header(const json& j) {
  EXPECT_EQ(j.begin().key(), "schema_version");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_TRUE(j["fitcheck_version"].is_string());
  EXPECT_EQ(keys(j["catalog"]), (std::set<std::string>{"source", "name", "version"}));
}

void check_footprint(const json& f) {
  EXPECT_EQ(keys(f), k_footprint_keys);
  for (const char* part : {"weights", "kv_cache", "compute", "overhead", "repack", "projector", "draft"}) {
    EXPECT_EQ(keys(f[part]), (std::set<std::string>{"device_bytes", "host_bytes"})) << part;
  }
  EXPECT_EQ(f["total_bytes"].get<std::uint64_t>(), f["device_bytes"].get<std::uint64_t>() + f["host_bytes"].get<std::uint64_t>());
  EXPECT_EQ(f["total_bytes"].get<std::uint64_t>(),
            f["weights_bytes"].get<std::uint64_t>() + f["kv_cache_bytes"].get<std::uint64_t>() +
                f["compute_bytes"].get<std::uint64_t>() + f["overhead_bytes"].get<std::uint64_t>() +
                f["repack_bytes"].get<std::uint64_t>() + f["projector_bytes"].get<std::uint64_t>() +
                f["draft_bytes"].get<std::uint64_t>());
  EXPECT_EQ(f["projector_bytes"].get<std::uint64_t>(),
            f["projector_weights_bytes"].get<std::uint64_t>() + f["projector_compute_bytes"].get<std::uint64_t>());
  // The compute buffers: the split's two sides, and where their figures come from.
  EXPECT_EQ(f["compute_device_bytes"], f["compute"]["device_bytes"]);
  EXPECT_EQ(f["compute_host_bytes"], f["compute"]["host_bytes"]);
  EXPECT_EQ(f["compute_bytes"].get<std::uint64_t>(),
            f["compute_device_bytes"].get<std::uint64_t>() + f["compute_host_bytes"].get<std::uint64_t>());
  const std::string basis = f["compute_basis"];
  EXPECT_TRUE(basis == "measured" || basis == "derived" || basis == "cpu_fit") << basis;
}

}  // namespace

TEST(JsonContract, Footprint) {
  const json j = run_json({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "32k", "--json"}, 0);
  check_header(j);
  EXPECT_EQ(keys(j), (std::set<std::string>{"schema_version", "fitcheck_version", "catalog", "footprint", "assumptions"}));
  check_footprint(j["footprint"]);
  EXPECT_EQ(keys(j["assumptions"]), k_assumption_keys);
  EXPECT_EQ(j["footprint"]["model"], "gemma-4-31b");
  EXPECT_EQ(j["footprint"]["context"], 32768);
  EXPECT_EQ(j["footprint"]["compute_basis"], "cpu_fit");  // no target: the CPU backend
}

TEST(JsonContract, FootprintComputeBasisPerBackend) {
  const auto basis = [](const char* model, const char* backend) {
    const json j =
        run_json({"footprint", "--model", model, "--quant", "Q4_K_M", "--ctx", "8k", "--backend", backend, "--json"}, 0);
    EXPECT_GT(j["footprint"]["compute_host_bytes"].get<std::uint64_t>(), 0U);
    return j["footprint"]["compute_basis"].get<std::string>();
  };
  EXPECT_EQ(basis("12b", "metal"), "measured");  // the 12B on Metal: Aspis0/kalsa's six logs
  EXPECT_EQ(basis("26b", "vulkan"), "measured");
  EXPECT_EQ(basis("12b", "cuda"), "derived");   // CUDA's constant is derived
  EXPECT_EQ(basis("31b", "metal"), "derived");  // no public log measures the 31B's activations
  EXPECT_EQ(basis("12b", "cpu"), "cpu_fit");
}

TEST(JsonContract, FootprintWithTarget) {
  const json j =
      run_json({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "32k", "--gpu", "rtx3060-12g", "--json"}, 1);
  EXPECT_EQ(keys(j), (std::set<std::string>{"schema_version", "fitcheck_version", "catalog", "footprint", "assumptions",
                                            "hardware", "fit", "speed"}));
  EXPECT_EQ(keys(j["hardware"]), k_hardware_keys);
  EXPECT_EQ(keys(j["fit"]), (std::set<std::string>{"fits", "runs", "device_over_bytes", "ram_over_bytes"}));
  EXPECT_FALSE(j["fit"]["fits"].get<bool>());
  EXPECT_FALSE(j["fit"]["runs"].get<bool>());
  EXPECT_EQ(keys(j["speed"]), k_speed_keys);
  EXPECT_EQ(keys(j["assumptions"]["speed"]), k_speed_assumption_keys);
  EXPECT_GE(j["speed"]["decode_tps"].get<double>(), j["speed"]["decode_tps_full"].get<double>());
}

TEST(JsonContract, FootprintWithOffload) {
  // 31B Q4_K_M does not fit a 12 GB card; with host RAM it runs, and the plan says how.
  const json j = run_json({"footprint", "--model", "31b", "--quant", "Q4_K_M", "--ctx", "32k", "--gpu", "rtx3060-12g",
                           "--allow-offload", "--ram", "64GiB", "--min-tps", "0", "--json"},
                          0);
  EXPECT_FALSE(j["fit"]["fits"].get<bool>());
  EXPECT_TRUE(j["fit"]["runs"].get<bool>());
  EXPECT_EQ(keys(j["offload"]), k_offload_keys);
  EXPECT_LE(j["offload"]["device_bytes"].get<std::uint64_t>(), j["hardware"]["budget_bytes"].get<std::uint64_t>());
  EXPECT_EQ(j["offload"]["device_bytes"].get<std::uint64_t>() + j["offload"]["host_bytes"].get<std::uint64_t>() -
                j["footprint"]["compute"]["device_bytes"].get<std::uint64_t>(),  // the CPU's own compute buffer
            j["footprint"]["total_bytes"].get<std::uint64_t>() - j["footprint"]["overhead"]["device_bytes"].get<std::uint64_t>());
  EXPECT_LT(j["offload"]["decode_tps"].get<double>(), j["speed"]["decode_tps"].get<double>());
  const std::string args = j["offload"]["args"];
  EXPECT_NE(args.find("-ngl " + std::to_string(j["offload"]["gpu_layers"].get<int>())), std::string::npos) << args;
  EXPECT_NE(args.find("-c 32768 -fa on"), std::string::npos) << args;
}

TEST(JsonContract, Curve) {
  const json j = run_json({"curve", "--gpu", "rtx3060-12g", "--model", "26b", "--quant", "Q4_K_M", "--json"}, 0);
  check_header(j);
  EXPECT_EQ(keys(j), (std::set<std::string>{"schema_version", "fitcheck_version", "catalog", "hardware", "assumptions", "over",
                                            "model", "quant", "quant_choice", "spill_start", "points"}));
  ASSERT_FALSE(j["points"].empty());
  for (const json& p : j["points"]) {
    EXPECT_EQ(keys(p), (std::set<std::string>{"context", "device_bytes", "host_bytes", "needed_device_bytes", "fits",
                                              "decode_tps", "prefill_tps_full", "args"}));
  }
  const json m = run_json({"curve", "--gpu", "rtx3060-12g", "--over", "models", "--json"}, 0);
  EXPECT_EQ(m["context"], 8192);
  EXPECT_EQ(keys(m["points"][0]), (std::set<std::string>{"model", "quant", "device_bytes", "host_bytes", "needed_device_bytes",
                                                         "fits", "decode_tps", "prefill_tps_full", "args"}));
}

TEST(JsonContract, Recommend) {
  const json j = run_json({"--gpu", "rtx3060-12g", "--json"}, 0);
  check_header(j);
  EXPECT_EQ(keys(j), (std::set<std::string>{"schema_version", "fitcheck_version", "catalog", "hardware", "constraints",
                                            "assumptions", "recommendation", "next_bigger", "alternatives", "candidates"}));
  EXPECT_EQ(keys(j["hardware"]), k_hardware_keys);
  EXPECT_EQ(keys(j["recommendation"]), with(k_plan_keys, {"why", "kv_fallback", "footprint"}));
  EXPECT_EQ(keys(j["recommendation"]["launch"]), (std::set<std::string>{"llama_server", "ollama"}));
  EXPECT_EQ(keys(j["constraints"]), (std::set<std::string>{"min_bits", "min_context", "min_tps", "allow_offload", "prefer",
                                                           "target_context", "needs", "projector"}));
  ASSERT_FALSE(j["alternatives"].empty());
  for (const json& a : j["alternatives"]) {
    EXPECT_EQ(keys(a), with(k_plan_keys, {"kind"}));
    EXPECT_LE(a["device_bytes"].get<std::uint64_t>(), j["hardware"]["budget_bytes"].get<std::uint64_t>());
  }
  check_footprint(j["recommendation"]["footprint"]);
  EXPECT_LE(j["recommendation"]["footprint"]["device_bytes"].get<std::uint64_t>(),
            j["hardware"]["budget_bytes"].get<std::uint64_t>());
  ASSERT_FALSE(j["candidates"].empty());
  for (const json& c : j["candidates"]) {
    EXPECT_EQ(keys(c), (std::set<std::string>{"model", "quant", "above_floor", "fits", "max_context", "context", "device_bytes",
                                              "host_bytes", "total_bytes", "decode_tps"}));
    EXPECT_GT(c["decode_tps"].get<double>(), 0.0);
  }
  for (const json& w : j["next_bigger"]) {
    EXPECT_EQ(keys(w), (std::set<std::string>{"model", "quant", "context", "device_bytes", "device_over_bytes", "ram_over_bytes",
                                              "reason"}));
    if (w["reason"] == "memory")
      EXPECT_GT(w["device_over_bytes"].get<std::uint64_t>() + w["ram_over_bytes"].get<std::uint64_t>(), 0U);
  }
}

TEST(JsonContract, NothingFitsGivesNullRecommendation) {
  const json j = run_json({"--vram", "1GiB", "--json"}, 1);
  EXPECT_TRUE(j["recommendation"].is_null());
}

TEST(JsonContract, Lists) {
  for (const char* what : {"models", "quants", "kv-types", "gpus"}) {
    const json j = run_json({"list", what, "--json"}, 0);
    check_header(j);
    EXPECT_EQ(j.size(), 4U) << what;
  }
}

TEST(JsonContract, FootprintTensors) {
  const json j = run_json({"footprint", "--model", "e2b", "--quant", "Q4_K_M", "--ctx", "4k", "--tensors", "--json"}, 0);
  ASSERT_TRUE(j.contains("tensors"));
  std::uint64_t sum = 0;
  for (const json& t : j["tensors"]) {
    EXPECT_EQ(keys(t), (std::set<std::string>{"role", "type", "count", "bytes"}));
    sum += t["bytes"].get<std::uint64_t>();
  }
  EXPECT_EQ(sum, j["footprint"]["weights_bytes"].get<std::uint64_t>());
}

namespace {

const std::set<std::string> k_check_item_keys = {"file",
                                                 "name",
                                                 "format",
                                                 "line",
                                                 "model_text",
                                                 "model",
                                                 "quant",
                                                 "runtime",
                                                 "fits",
                                                 "context",
                                                 "device_bytes",
                                                 "limit_bytes",
                                                 "headroom_bytes",
                                                 "margin_bytes",
                                                 "host_bytes",
                                                 "host_limit_bytes",
                                                 "reason",
                                                 "hardware",
                                                 "footprint",
                                                 "vllm",
                                                 "notes",
                                                 "warnings",
                                                 "too_slow",
                                                 "decode_tps",
                                                 "decode_tps_full",
                                                 "prefill_tps",
                                                 "prefill_tps_full",
                                                 "speed_basis",
                                                 "prefill_basis",
                                                 "decode_tps_mtp"};
const std::set<std::string> k_vllm_keys = {"max_model_len",
                                           "gpu_memory_utilization",
                                           "max_num_seqs",
                                           "max_num_batched_tokens",
                                           "tensor_parallel_size",
                                           "kv_cache_dtype",
                                           "cuda_graphs",
                                           "reported_bytes",
                                           "usable_bytes",
                                           "weights_bytes",
                                           "drafter_bytes",
                                           "activation_bytes",
                                           "drafter_profile_bytes",
                                           "non_torch_bytes",
                                           "cudagraph_bytes",
                                           "kv_bytes",
                                           "outside_bytes",
                                           "outside_need_bytes",
                                           "sequence_kv_bytes",
                                           "sequences",
                                           "concurrent_sequences",
                                           "max_model_len_fit",
                                           "basis"};

}  // namespace

TEST(JsonContract, Check) {
  const std::string examples = std::string(FITCHECK_SOURCE_DIR) + "/examples/";
  const json j = run_json(
      {"check", examples + "llama-server.sh", examples + "vllm.yaml", "--gpu", "h100-80g", "--headroom", "5%", "--json"}, 0);
  check_header(j);
  EXPECT_EQ(keys(j), (std::set<std::string>{"schema_version", "fitcheck_version", "catalog", "fits", "headroom", "lenient",
                                            "min_tps", "deployments", "errors"}));
  EXPECT_TRUE(j["errors"].empty());
  ASSERT_EQ(j["deployments"].size(), 2U);
  for (const json& d : j["deployments"]) {
    EXPECT_EQ(keys(d), k_check_item_keys);
    EXPECT_EQ(keys(d["hardware"]), k_hardware_keys);
    // margin = limit - device, and a fitting deployment keeps at least the headroom.
    EXPECT_EQ(d["margin_bytes"].get<std::int64_t>(),
              d["limit_bytes"].get<std::int64_t>() - d["device_bytes"].get<std::int64_t>());
    EXPECT_GE(d["margin_bytes"].get<std::int64_t>(), d["headroom_bytes"].get<std::int64_t>());
  }
  const json& llama = j["deployments"][0];
  check_footprint(llama["footprint"]);
  EXPECT_TRUE(llama["vllm"].is_null());
  EXPECT_EQ(keys(llama["notes"][0]), (std::set<std::string>{"line", "message"}));
  const json& vllm = j["deployments"][1];
  EXPECT_TRUE(vllm["footprint"].is_null());
  EXPECT_EQ(keys(vllm["vllm"]), k_vllm_keys);
  EXPECT_EQ(vllm["vllm"]["usable_bytes"], vllm["limit_bytes"]);
  // What the share leaves is the rest of the total CUDA reports.
  EXPECT_EQ(vllm["vllm"]["outside_bytes"].get<std::uint64_t>() + vllm["vllm"]["usable_bytes"].get<std::uint64_t>(),
            vllm["vllm"]["reported_bytes"].get<std::uint64_t>());
}

// A run of several files keeps going past one it cannot read: that one is in "errors" (exit 3, the worst),
// the others are checked; a compose file gives one deployment per server, each with its service's name.
TEST(JsonContract, CheckKeepsGoing) {
  const std::string dir = std::string(FITCHECK_SOURCE_DIR) + "/";
  const auto r = fitcheck::test::run_cli({"check", dir + "tests/golden/configs/truncated.json",
                                          dir + "tests/data/wrappers/compose.yaml", "--gpu", "h100-80g", "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err.rfind("fitcheck: error: " + dir + "tests/golden/configs/truncated.json:", 0), 0U) << r.err;  // also on stderr
  const json j = json::parse(r.out);
  EXPECT_FALSE(j["fits"].get<bool>());
  ASSERT_EQ(j["errors"].size(), 1U);
  EXPECT_EQ(keys(j["errors"][0]), (std::set<std::string>{"file", "line", "message", "exit_code"}));
  EXPECT_EQ(j["errors"][0]["exit_code"], 3);
  EXPECT_EQ(j["errors"][0]["file"], dir + "tests/golden/configs/truncated.json");
  ASSERT_EQ(j["deployments"].size(), 2U);  // small (llama.cpp) and large (vLLM); the web UI runs neither
  EXPECT_EQ(j["deployments"][0]["name"], "small");
  EXPECT_EQ(j["deployments"][1]["name"], "large");
  for (const json& d : j["deployments"]) EXPECT_EQ(keys(d), k_check_item_keys);
}

// The speed model (speed.cpp), offload plans (offload.cpp) and the cliff curve (curve.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "fitcheck/budget.hpp"
#include "fitcheck/curve.hpp"
#include "fitcheck/offload.hpp"
#include "fitcheck/speed.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

// Two dense layers (one full, one sliding) and an output, with round numbers.
LayerTable two_layers() {
  LayerTable t;
  t.layers = {LayerBytes{1'000'000'000, 0, 1000, true, true}, LayerBytes{1'000'000'000, 0, 1000, true, false}};
  t.output = 500'000'000;
  t.output_copy = 500'000'000;
  t.sliding_window = 512;
  t.matmul_params = 1'000'000'000;
  return t;
}

SpeedParams round_params() {
  SpeedParams p;
  p.device_bandwidth_gbs = 100;  // x 0.5 = 50 GB/s
  p.device_efficiency = 0.5;
  p.layer_overhead_us = 100;
  p.device_tflops = 10;  // x 0.5 = 5 TFLOPS
  p.compute_efficiency = 0.5;
  p.quantized_tflops = 10;    // quantized weights' mat-muls at the same rate
  p.attention_tflops = 10;    // x 1 (attention_efficiency) = 10 TFLOPS
  p.host_bandwidth_gbs = 20;  // x 0.5 = 10 GB/s
  p.host_efficiency = 0.5;
  p.pcie_gbs = 10;  // x 0.5 = 5 GB/s
  p.pcie_efficiency = 0.5;
  return p;
}

// 31B Q4_K_M at 32K: a dense model that does not fit a 12 GB card.
struct Dense31b {
  const Catalog& c = builtin_catalog();
  Settings settings = [this] {
    Settings s = default_settings(c.default_runtime());
    s.context = 32768;
    return s;
  }();
  WeightPlan weights = plan_weights(c, c.find_model("31b"), c.find_preset("Q4_K_M"), c.default_runtime());
  Footprint footprint =
      fitcheck::footprint(c, c.find_model("31b"), c.find_preset("Q4_K_M"), weights, c.default_runtime(), settings);
  LayerTable table = layer_table(c, c.find_model("31b"), weights, settings);
};

}  // namespace

// The SMs' read cap: a device whose compute units read less than its bandwidth x e reads at their rate. 2.5e9 B at
// 50 GB/s (100 x 0.5) is 0.05 s; with a cap of 25 GB/s, 0.1 s; plus 2 x 100 us either way; the basis names the bound.
TEST(Speed, ReadCapBoundsTheDevicesReads) {
  const LayerTable t = two_layers();
  SpeedParams p = round_params();
  const Speed open = decode_speed(t, all_on_gpu(t), p, 0, 4096);
  EXPECT_NEAR(1 / open.decode_tps, 0.05 + 2 * 100e-6, 1e-9);
  EXPECT_EQ(open.basis, "bandwidth");
  p.device_read_cap_gbs = 25;
  const Speed capped = decode_speed(t, all_on_gpu(t), p, 0, 4096);
  EXPECT_NEAR(1 / capped.decode_tps, 0.1 + 2 * 100e-6, 1e-9);
  EXPECT_EQ(capped.basis, "compute");
  p.device_read_cap_gbs = 60;  // above 50 GB/s: the memory binds
  EXPECT_NEAR(1 / decode_speed(t, all_on_gpu(t), p, 0, 4096).decode_tps, 0.05 + 2 * 100e-6, 1e-9);
}

// set_device_factors: 10 SMs at 2000 MHz x 2 GB/s per SM-GHz = a 40 GB/s cap; a layer's 100 us at a 1000 MHz reference
// clock is 50 us at 2000 MHz; c_moe is not scaled; a profile without SMs has no cap and unscaled overheads.
namespace {

// A device's factors on a profile of `sms` SMs at `clock_mhz`, 100 GB/s and `fp16_tflops`.
SpeedParams factors_on(const BackendSpeed& b, std::uint64_t sms, double clock_mhz, double fp16_tflops = 0) {
  Hardware hw;
  hw.bandwidth_gbs = 100;
  hw.compute_units = sms;
  hw.boost_clock_mhz = clock_mhz;
  hw.fp16_tflops = fp16_tflops;
  SpeedParams p;
  set_device_factors(p, b, hw);
  return p;
}

}  // namespace

TEST(Speed, DeviceFactorsScaleByTheProfilesSmsAndClock) {
  const BackendSpeed b{.bandwidth_efficiency = 0.5,
                       .layer_overhead_us = 100,
                       .moe_layer_overhead_us = 30,
                       .unit_read_gbs = 2,
                       .overhead_clock_mhz = 1000};
  const SpeedParams p = factors_on(b, 10, 2000);
  EXPECT_DOUBLE_EQ(p.device_read_cap_gbs, 40);
  EXPECT_DOUBLE_EQ(p.layer_overhead_us, 50);
  EXPECT_DOUBLE_EQ(p.moe_layer_overhead_us, 30);
  const SpeedParams plain = factors_on(b, 0, 0);
  EXPECT_EQ(plain.device_read_cap_gbs, 0);
  EXPECT_DOUBLE_EQ(plain.layer_overhead_us, 100);
}

// The matrix cap: 10 SMs at 2000 MHz x 512 GFLOPS per SM-GHz = 10.24 TFLOPS bounds the quantized mat-muls and the
// attention of a profile whose FP16 figure (100) counts wider units, not its unquantized weights (device_tflops);
// a profile under the cap (FP16 8) keeps its figure; one without SMs is not capped.
TEST(Speed, MatrixCapBoundsQuantizedAndAttentionRates) {
  const BackendSpeed b{.unit_matrix_gflops = 512};
  const SpeedParams wide = factors_on(b, 10, 2000, 100);
  EXPECT_DOUBLE_EQ(wide.quantized_tflops, 10.24);
  EXPECT_DOUBLE_EQ(wide.attention_tflops, 10.24);
  EXPECT_DOUBLE_EQ(wide.device_tflops, 100);
  EXPECT_DOUBLE_EQ(factors_on(b, 10, 2000, 8).quantized_tflops, 8);
  EXPECT_DOUBLE_EQ(factors_on(b, 0, 2000, 100).quantized_tflops, 100);
}

// --no-kv-offload at 1000 filled cells: the layers' weights and the output stay on the GPU, 2.5e9 B over 50 GB/s
// + 2 x 100 us = 0.0502 s; the caches, 1000 x 1000 + 512 x 1000 = 1.512e6 B, are read by the CPU over 10 GB/s, and
// each layer pays the host's 500 us: 1.512e-4 + 2 x 500e-6 = 0.0011512 s.
TEST(Speed, NoKvOffloadRunsTheAttentionOnTheHost) {
  LayerTable t = two_layers();
  t.kv_on_host = true;
  SpeedParams p = round_params();
  p.host_layer_overhead_us = 500;
  const DecodeTime time = decode_time(t, all_on_gpu(t), p, 1000);
  EXPECT_DOUBLE_EQ(time.device_s, 2.5e9 / 50e9 + 200e-6);
  EXPECT_DOUBLE_EQ(time.host_s, 1.512e6 / 10e9 + 2 * 500e-6);
}

// All on the GPU at 1000 filled cells:
//   layer 0 (full): 1e9 + 1000 cells x 1000 B = 1.001e9; layer 1 (sliding, window 512): 1e9 + 512 x 1000 = 1.000512e9
//   + output 0.5e9 = 2.501512e9 B over 50 GB/s = 0.05003024 s, + 2 layers x 100 us = 0.05023024 s -> 19.9083 tok/s
TEST(Speed, AllOnGpuByHand) {
  const LayerTable t = two_layers();
  const DecodeTime time = decode_time(t, all_on_gpu(t), round_params(), 1000);
  EXPECT_DOUBLE_EQ(time.device_s, 2.501512e9 / 50e9 + 200e-6);
  EXPECT_DOUBLE_EQ(time.host_s, 0.0);
  const Speed s = estimate_speed(t, all_on_gpu(t), round_params(), 1000, 4096, 512);
  EXPECT_NEAR(s.decode_tps, 1.0 / 0.05023024, 1e-9);
  EXPECT_EQ(s.basis, "bandwidth");
  // Prefill of a 512-token ubatch: 2 x 1e9 x 512 FLOPs over 5 TFLOPS = 0.2048 s, plus the weights read once,
  // 2 x 1e9 + 0.5e9 (output) B over 50 GB/s = 0.05 s: 512 / 0.2548 s = 2009.4 tok/s; nothing crosses PCIe.
  ASSERT_TRUE(s.prefill_tps.has_value());
  EXPECT_NEAR(*s.prefill_tps, 512.0 / (0.2048 + 0.05), 1e-9);
  EXPECT_EQ(s.prefill_basis, "compute");
}

// A custom target without --bandwidth: the bytes are known, their time is not. Decoding is unknown (0, with
// the reason), not 1 / (2 layers x 100 us) = 5000 tokens/s from the overheads alone.
TEST(Speed, NoBandwidthIsUnknownNotFast) {
  const LayerTable t = two_layers();
  SpeedParams p = round_params();
  p.device_bandwidth_gbs = 0;
  EXPECT_FALSE(decode_time(t, all_on_gpu(t), p, 1000).known);
  const Speed s = estimate_speed(t, all_on_gpu(t), p, 1000, 4096, 512);
  EXPECT_EQ(s.decode_tps, 0.0);
  EXPECT_EQ(s.decode_tps_full, 0.0);
  EXPECT_EQ(s.basis, k_no_bandwidth);
  // Unified memory on the CPU backend: the host side reads the same memory, of unknown bandwidth too.
  SpeedParams cpu = round_params();
  cpu.host_bandwidth_gbs = 0;
  EXPECT_EQ(estimate_speed(t, Placement{0, 0}, cpu, 1000, 4096, 512).basis, k_no_bandwidth);
  EXPECT_TRUE(decode_time(t, all_on_gpu(t), cpu, 1000).known);  // all on the GPU: no host bytes read
}

// -ngl 1: layer 1 on the GPU, layer 0 and the output on the CPU.
//   device: 1.000512e9 B / 50 GB/s + 100 us = 0.02011024 s
//   host: (1.001e9 + 0.5e9) B / 10 GB/s = 0.1501 s (the CPU's per-layer overhead is 0 here)
//   prefill: 0.2048 s compute + layer 0's 1e9 B over PCIe at 5 GB/s = 0.2 s -> 512 / 0.4048 tok/s
TEST(Speed, PartialOffloadReadsHostRam) {
  const LayerTable t = two_layers();
  const Placement p{1, 0};
  const DecodeTime time = decode_time(t, p, round_params(), 1000);
  EXPECT_DOUBLE_EQ(time.device_s, 1.000512e9 / 50e9 + 100e-6);
  EXPECT_DOUBLE_EQ(time.host_s, 1.501e9 / 10e9);
  const Speed s = estimate_speed(t, p, round_params(), 1000, 4096, 512);
  EXPECT_EQ(s.basis, "host RAM");
  // Prefill: 0.2048 s of FLOPs, layer 0 (1e9 B) across PCIe at 5 GB/s = 0.2 s, layer 1 read on the device at
  // 50 GB/s = 0.02 s (the output stays on the CPU with a partial -ngl).
  EXPECT_NEAR(*s.prefill_tps, 512.0 / (0.2048 + 0.2 + 0.02), 1e-9);
}

// An MoE layer reads active/count of its experts: 8 of 128 of 1.6e9 B = 0.1e9 B. With --n-cpu-moe 1 that
// share comes from host RAM: 0.1e9 / 10 GB/s = 0.01 s.
TEST(Speed, MoeReadsTheRoutedExpertsWhereTheyLie) {
  LayerTable t;
  t.layers = {LayerBytes{0, 1'600'000'000, 0, false, true}};
  t.expert_count = 128;
  t.experts_active = 8;
  t.sliding_window = 512;
  const SpeedParams p = round_params();
  EXPECT_DOUBLE_EQ(decode_time(t, all_on_gpu(t), p, 0).device_s, 0.1e9 / 50e9 + 100e-6);
  const DecodeTime moe = decode_time(t, Placement{1, 1}, p, 0);
  EXPECT_DOUBLE_EQ(moe.host_s, 0.1e9 / 10e9);
  EXPECT_DOUBLE_EQ(moe.device_s, 100e-6);
}

// An MoE layer's own fixed cost (router, top-k, expert dispatch) is paid where its experts run: on the GPU
// 100 + 50 us beside the 0.1e9 B read; with --n-cpu-moe 1 the GPU keeps only the 100 us layer cost and the
// host pays its per-layer cost instead (host_layer_overhead_us 0 here).
TEST(Speed, MoeLayerCostIsPaidWhereTheExpertsRun) {
  LayerTable t;
  t.layers = {LayerBytes{0, 1'600'000'000, 0, false, true}};
  t.expert_count = 128;
  t.experts_active = 8;
  SpeedParams p = round_params();
  p.moe_layer_overhead_us = 50;
  EXPECT_DOUBLE_EQ(decode_time(t, all_on_gpu(t), p, 0).device_s, 0.1e9 / 50e9 + 150e-6);
  EXPECT_DOUBLE_EQ(decode_time(t, Placement{1, 1}, p, 0).device_s, 100e-6);
  // A dense layer never pays it.
  EXPECT_DOUBLE_EQ(decode_time(two_layers(), all_on_gpu(two_layers()), p, 1000).device_s,
                   decode_time(two_layers(), all_on_gpu(two_layers()), round_params(), 1000).device_s);
}

// Prefill FLOPs split by efficiency: 0.6e9 dense weights at 0.5 and 0.4e9 routed-expert ones at 0.25 of 10
// TFLOPS: 2 x 512 x (0.6e9 / 5e12 + 0.4e9 / 2.5e12) = 0.28672 s of FLOPs, + 2.5e9 B of weights read at
// 50 GB/s = 0.05 s, + 2 layers x 300 us fixed = 0.0006 s.
TEST(Speed, ExpertFlopsRunAtTheirOwnEfficiency) {
  LayerTable t = two_layers();
  t.matmul_params = 600'000'000;
  t.routed_params = 400'000'000;
  SpeedParams p = round_params();
  p.moe_compute_efficiency = 0.25;
  p.prefill_layer_overhead_us = 300;
  const Speed s = estimate_speed(t, all_on_gpu(t), p, 0, 4096, 512);
  EXPECT_NEAR(*s.prefill_tps, 512.0 / (2.0 * 512 * (0.6e9 / 5e12 + 0.4e9 / 2.5e12) + 2.5e9 / 50e9 + 2 * 300e-6), 1e-9);
}

// A short ubatch touches few experts: each token picks 8 of 128, so 16 tokens leave (120/128)^16 = 35.6% of
// them unread: 1 - (1 - 8/128)^16 = 0.6439; from 128 tokens on every expert is read (0.99974).
TEST(Speed, AShortUbatchReadsOnlyTheExpertsItsTokensPick) {
  EXPECT_NEAR(experts_touched(128, 8, 16), 1 - std::pow(120.0 / 128.0, 16), 1e-12);
  EXPECT_NEAR(experts_touched(128, 8, 16), 0.6439, 1e-4);
  EXPECT_GT(experts_touched(128, 8, 128), 0.9997);
  EXPECT_EQ(experts_touched(1, 1, 16), 1.0);  // a dense model
  LayerTable t;
  t.layers = {LayerBytes{100'000'000, 1'600'000'000, 0, false, true}};
  t.expert_count = 128;
  t.experts_active = 8;
  EXPECT_NEAR(prefill_work(t, all_on_gpu(t), 16).device_bytes, 100e6 + 1.6e9 * experts_touched(128, 8, 16), 1e-3);
  // Experts in host RAM (--n-cpu-moe) are copied whole to the GPU, whichever the tokens pick.
  EXPECT_DOUBLE_EQ(prefill_work(t, Placement{1, 1}, 16).host_bytes, 1.6e9);
}

// The 26B A4B's prefill weights a token multiplies. Routed: 30 layers x 8 of 128 experts x 3 x 2816 x 704 =
// 1.427e9 (hidden 2816, expert FFN 704). Dense: the layers' matrices (attention, shared FFN, router), that is
// every active weight but the 262144 x 2816 = 0.738e9 token embedding (looked up; the tied output runs for a
// prompt's last token only) and the vectors (norms, scales: 0.5e6 weights).
TEST(Speed, PrefillParamsOfThe26b) {
  const Catalog& c = builtin_catalog();
  const Model& m = c.find_model("26b");
  const LayerTable t =
      layer_table(c, m, plan_weights(c, m, c.find_preset("Q4_K_M"), c.default_runtime()), default_settings(c.default_runtime()));
  const std::uint64_t routed = m.num_layers() * m.experts_active * 3 * m.hidden_size * m.expert_intermediate_size;
  EXPECT_EQ(t.routed_params, routed);
  const ParamCounts counts = count_params(m);
  EXPECT_EQ(counts.embedding, 262144U * 2816U);
  std::uint64_t vectors = 0;
  for (const Tensor& tensor : model_tensors(m)) vectors += tensor.ne[1] <= 1 ? tensor.elements() : 0;
  EXPECT_LT(vectors, 1'000'000U);
  EXPECT_EQ(t.matmul_params + t.routed_params, counts.active - counts.embedding - vectors);
  const Model& dense = c.find_model("31b");
  EXPECT_EQ(layer_table(c, dense, plan_weights(c, dense, c.find_preset("Q4_K_M"), c.default_runtime()),
                        default_settings(c.default_runtime()))
                .routed_params,
            0U);
}

// E2B: its token embedding (262144 x 1536 = 0.403e9) and per-layer embedding table (262144 x 35 x 256 =
// 2.349e9) are looked up, not multiplied: of its 4.65e9 active weights, under 2e9 cost prefill FLOPs.
TEST(Speed, LookupTablesCostNoPrefillFlops) {
  const Catalog& c = builtin_catalog();
  const Model& m = c.find_model("e2b");
  const LayerTable t =
      layer_table(c, m, plan_weights(c, m, c.find_preset("Q4_K_M"), c.default_runtime()), default_settings(c.default_runtime()));
  const ParamCounts counts = count_params(m);
  EXPECT_EQ(counts.embedding, 262144U * 1536U);
  EXPECT_GT(counts.per_layer_embedding, 262144U * 35U * 256U);  // the table and its projections
  EXPECT_GT(counts.active, 4'600'000'000U);
  EXPECT_LT(t.matmul_params, 2'000'000'000U);
  EXPECT_EQ(t.routed_params, 0U);
}

// A prompt's attention, ubatch by ubatch, at 1000 FLOPs per key in each of the two layers (window 512). 1200 tokens
// in ubatches of 512 onto an empty cache: 512 @ 0, 512 @ 512, 176 @ 1024 cached cells. The full layer scores the
// cached cells and the ubatch: 512 x 512 + 512 x 1024 + 176 x 1200 = 997,632 keys; the sliding one at most 512
// cached: 512 x 512 + 512 x 1024 + 176 x 688 = 907,520. 600 tokens in ubatches of 256 onto 300 cells: 256 @ 300,
// 256 @ 556, 88 @ 812; full 256 x 556 + 256 x 812 + 88 x 900 = 429,408; sliding 256 x 556 + 256 x 768 + 88 x 600 =
// 391,744.
TEST(Speed, PromptAttentionByHand) {
  LayerTable t = two_layers();
  for (LayerBytes& layer : t.layers) layer.attention_flops_per_key = 1000;
  const Placement p = all_on_gpu(t);
  EXPECT_DOUBLE_EQ(prompt_work(t, p, 512, 0, 1200).attention_flops, (997'632.0 + 907'520.0) * 1000);
  EXPECT_DOUBLE_EQ(prompt_work(t, p, 256, 300, 600).attention_flops, (429'408.0 + 391'744.0) * 1000);
  EXPECT_DOUBLE_EQ(prompt_work(t, p, 256, 300, 600).attention_flops,
                   attention_flops(t, 256, 300) + attention_flops(t, 256, 556) + attention_flops(t, 88, 812));
  // The matrices: 2 x 1e9 FLOPs per token whatever the ubatches; each of the 3 ubatches reads the weights once.
  const PrefillWork w = prompt_work(t, p, 512, 0, 1200);
  EXPECT_DOUBLE_EQ(w.dense_flops, 2.0 * 1200 * 1e9);
  EXPECT_DOUBLE_EQ(w.device_bytes, 3 * 2.5e9);
  EXPECT_EQ(w.layers, 3U * 2U);
  // A prompt that fills the context is slower per token than one ubatch: it pays the attention over the cache.
  SpeedParams sp = round_params();
  const Speed s = estimate_speed(t, p, sp, 1000, 4096, 512);
  ASSERT_TRUE(s.prefill_tps && s.prefill_tps_full);
  EXPECT_LT(*s.prefill_tps_full, *s.prefill_tps);
  EXPECT_NEAR(*s.prefill_tps_full, 4096 / prefill_time(prompt_work(t, p, 512, 0, 4096), sp).total(), 1e-9);
}

// ggml-cuda's mmq sizes an expert's tile by the ubatch: 16 tokens over 128 experts, 8 each, route a mean of 1 token
// to an expert, and each expert with any computes a 16-column tile: 16 x P(n > 0) = 16 x (1 - e^-1) = 10.11 columns
// (P(n > 16) at a mean of 1 is under 1e-14). Past 128 tokens the tile stays 128 wide: at 2048 tokens (mean 128) an
// expert computes one tile, or two when more than 128 tokens come (about half the time): between 128 and 256.
TEST(Speed, ExpertTilesHoldWholeColumns) {
  EXPECT_NEAR(expert_columns(128, 8, 16, 128), 16 * (1 - std::exp(-1.0)), 1e-9);
  EXPECT_DOUBLE_EQ(expert_columns(128, 8, 16, 0), 1.0);  // no tile: the tokens' own columns
  const double wide = expert_columns(128, 8, 2048, 128);
  EXPECT_GT(wide, 128 + 0.4 * 128);
  EXPECT_LT(wide, 128 + 0.6 * 128);
  // The empty columns are prefill work of their own: 16 tokens with a 128 tile cost more than without.
  LayerTable t = two_layers();
  t.expert_count = 128;
  t.experts_active = 8;
  t.routed_params = 8'000'000;
  EXPECT_EQ(prefill_work(t, all_on_gpu(t), 16).tile_flops, 0.0);
  t.expert_tile = 128;
  EXPECT_NEAR(prefill_work(t, all_on_gpu(t), 16).tile_flops, 2.0 * 1'000'000 * 128 * (16 * (1 - std::exp(-1.0)) - 1), 1e-3);
}

// The weights prefill multiplies unquantized (the BLAS path on CUDA and ROCm): all of a BF16 file's matrices; none of
// the dense 31B's at Q4_K_M; of the 26B A4B's at Q4_K_M the routers llama-quantize keeps in F32, 30 layers x 128
// experts x 2816 = 10,813,440.
TEST(Speed, FloatWeightsAreTheUnquantizedMatrices) {
  const Catalog& c = builtin_catalog();
  const auto table = [&c](const char* model, const char* preset) {
    const Model& m = c.find_model(model);
    return layer_table(c, m, plan_weights(c, m, c.find_preset(preset), c.default_runtime()),
                       default_settings(c.default_runtime()));
  };
  const LayerTable bf16 = table("31b", "BF16");
  EXPECT_EQ(bf16.float_params, bf16.matmul_params);
  EXPECT_EQ(table("31b", "Q4_K_M").float_params, 0U);
  EXPECT_EQ(table("26b", "Q4_K_M").float_params, 30U * 128U * 2816U);
}

// ROCm's flash attention runs Gemma 4's 256- and 512-wide heads on the shader ALUs (data/runtimes.json
// attention_units), Vulkan's on the matrix units: on an R9700 (RDNA 4) the two rates are 47.8 and 191.4 TFLOPS
// (data/hardware.json: 64 CUs x 256 and x 1024 FLOPs a clock x 2.92 GHz); a Strix Halo (RDNA 3.5) 29.7 and 59.4.
TEST(Speed, AttentionRunsOnTheBackendsUnits) {
  const Catalog& c = builtin_catalog();
  const Hardware& r9700 = c.find_hardware("radeon-ai-pro-r9700-32g");
  EXPECT_DOUBLE_EQ(speed_params(c, r9700, Backend::rocm, 0).attention_tflops, 47.8);
  EXPECT_DOUBLE_EQ(speed_params(c, r9700, Backend::vulkan, 0).attention_tflops, 191.4);
  EXPECT_DOUBLE_EQ(speed_params(c, r9700, Backend::rocm, 0).device_tflops, 191.4);  // the mat-muls keep WMMA
  EXPECT_DOUBLE_EQ(speed_params(c, c.find_hardware("ryzenaimax395-128g"), Backend::rocm, 0).attention_tflops, 29.7);
  // The attention term follows the rate: 1e12 FLOPs at 10 TFLOPS x 0.5 take 0.2 s, at 5 TFLOPS 0.4 s.
  SpeedParams p = round_params();
  p.attention_efficiency = 0.5;
  PrefillWork w;
  w.attention_flops = 1e12;
  EXPECT_DOUBLE_EQ(prefill_time(w, p).attention_s, 0.2);
  p.attention_tflops = 5;
  EXPECT_DOUBLE_EQ(prefill_time(w, p).attention_s, 0.4);
}

// A device without matrix units multiplies quantized weights with int8 dot products (an MI50: 53 TOPS, twice its
// 26.5 packed-FP16 TFLOPS, data/hardware.json) and unquantized ones at its FP16 rate. At 10 TFLOPS x 0.5 for
// quantized FLOPs and 20 x 0.25 for unquantized ones, 1e12 of each take 0.2 s.
TEST(Speed, QuantizedMatMulsRunAtTheInt8RateWithoutMatrixUnits) {
  const Catalog& c = builtin_catalog();
  const SpeedParams mi50 = speed_params(c, c.find_hardware("mi50-32g"), Backend::rocm, 0);
  EXPECT_DOUBLE_EQ(mi50.quantized_tflops, 53);
  EXPECT_DOUBLE_EQ(mi50.device_tflops, 26.5);
  EXPECT_DOUBLE_EQ(speed_params(c, c.find_hardware("rtx3090-24g"), Backend::cuda, 0).quantized_tflops,
                   c.find_hardware("rtx3090-24g").fp16_tflops);
  SpeedParams p = round_params();
  p.device_tflops = 20;
  p.float_efficiency = 0.25;
  PrefillWork w;
  w.dense_flops = 1e12;
  EXPECT_DOUBLE_EQ(prefill_time(w, p).compute_s, 0.2);
  w = PrefillWork{};
  w.float_flops = 1e12;
  EXPECT_DOUBLE_EQ(prefill_time(w, p).compute_s, 0.2);
}

// llama.cpp's CUDA prefill multiplies quantized weights with mma.sync on every card, so a data-center card's FP16
// figure (the H100's 989 TFLOPS counts wgmma) does not bound it: the H100 SXM's rate is 132 SMs x 1.98 GHz x 512 =
// 133.8 TFLOPS (data/runtimes.json unit_matrix_gflops). Public llama-bench pp512 of a 8.95B-parameter Q8_0 model
// ran at 8106 tokens/s on an H100 SXM and 8355 on an L40S (deven367/agent-handoffs,
// mimo-qwen/docs/handoff-2026-09-26-initial-benchmarks-and-metadata-fixes.md at 0f2d03de4ce8): 2 x 8.95e9 x
// tokens/s = 145 and 150 TFLOPS counting every parameter, an upper bound on the mat-muls' rate. fitcheck's 31B
// Q4_K_M prefill (2 x 30.7e9 FLOPs a token, its attention and fixed costs on top) stays under the H100's bound; on the
// L40S it is 164, 10% over its bound: a 350 W card does not hold its 2520 MHz boost under mat-mul load, which the cap
// (142 SMs x 2.52 GHz x 512 = 183 TFLOPS) does not know. At the FP16 figures (989, 362) they were 739 and 323.
TEST(Speed, DataCenterPrefillRunsAtTheMmaRate) {
  const Catalog& c = builtin_catalog();
  const Hardware& h100 = c.find_hardware("h100-80g");
  EXPECT_NEAR(speed_params(c, h100, Backend::cuda, 0).quantized_tflops, 132 * 1.98 * 512 / 1000, 1e-9);
  EXPECT_DOUBLE_EQ(speed_params(c, h100, Backend::cuda, 0).device_tflops, 989);  // cuBLAS on unquantized weights
  const Model& m = c.find_model("31b");
  const LayerTable t =
      layer_table(c, m, plan_weights(c, m, c.find_preset("Q4_K_M"), c.default_runtime()), default_settings(c.default_runtime()));
  const auto tflops = [&](const char* gpu) {
    const Speed s = estimate_speed(t, all_on_gpu(t), speed_params(c, c.find_hardware(gpu), Backend::cuda, 0), 1024, 8192, 512);
    return 2 * 30.7e9 * s.prefill_tps.value() / 1e12;
  };
  EXPECT_LT(tflops("h100-80g"), 145);
  EXPECT_GT(tflops("h100-80g"), 0.7 * 133.8);
  EXPECT_LT(tflops("l40s-48g"), 1.1 * 150);
}

TEST(Speed, NoThroughputNoPrefillEstimate) {
  SpeedParams p = round_params();
  p.device_tflops = 0;
  const Speed s = estimate_speed(two_layers(), all_on_gpu(two_layers()), p, 1000, 4096, 512);
  EXPECT_FALSE(s.prefill_tps.has_value());
}

// The layer table accounts for every byte of the file: layers + output read + host-resident tables
// (token_embd, looked up not read) = the file, with the tied output's device copy counted once more.
TEST(Speed, LayerTableCoversTheFile) {
  const Catalog& c = builtin_catalog();
  for (const char* id : {"e2b", "26b"}) {
    const Model& m = c.find_model(id);
    const WeightPlan w = plan_weights(c, m, c.find_preset("Q4_K_M"), c.default_runtime());
    const LayerTable t = layer_table(c, m, w, default_settings(c.default_runtime()));
    std::uint64_t sum = t.output - t.output_copy + w.split.host;
    for (const LayerBytes& l : t.layers) sum += l.dense + l.experts;
    EXPECT_EQ(sum, w.file_bytes) << id;
  }
}

// Moving layers to the CPU moves their bytes: device + host stays the footprint's total, less the tied
// output's device copy once the output runs on the CPU, plus the CPU compute buffer.
TEST(Offload, PlacementBytesMoveNotVanish) {
  const Dense31b d;
  const Footprint& f = d.footprint;
  const LayerTable& t = d.table;
  const Split all = placement_bytes(f, t, all_on_gpu(t));
  EXPECT_EQ(all.device, f.device_bytes());
  EXPECT_EQ(all.host, f.host_bytes());
  const Split half = placement_bytes(f, t, Placement{30, 0});
  EXPECT_LT(half.device, all.device);
  EXPECT_EQ(half.device + half.host, f.total_bytes() - t.output_copy + f.compute.device);
}

// The best plan on a 12 GB card for the 31B: the most layers that fit, and nothing that does not.
TEST(Offload, BestPlanFitsAndIsTheFastestDenseSplit) {
  const Dense31b d;
  const Catalog& c = builtin_catalog();
  const Footprint& f = d.footprint;
  const LayerTable& t = d.table;
  const Hardware& hw = c.find_hardware("rtx3060-12g");
  const SpeedParams p = speed_params(c, hw, Backend::cuda, 51.2);
  const OffloadLimits limits{make_budget(c, hw, std::nullopt).device_bytes, 60ULL << 30, 1024};
  const auto best = best_offload(f, t, p, limits);
  ASSERT_TRUE(best.has_value());
  EXPECT_LE(best->device_bytes, limits.device_bytes);
  const Placement one_more{best->placement.gpu_layers + 1, 0};
  EXPECT_GT(placement_bytes(f, t, one_more).device, limits.device_bytes);  // one more layer would not fit
  EXPECT_EQ(best->args.rfind("-ngl " + std::to_string(best->placement.gpu_layers) + " -c 32768", 0), 0U) << best->args;
  OffloadLimits no_ram = limits;
  no_ram.host_bytes = 1ULL << 30;
  EXPECT_FALSE(best_offload(f, t, p, no_ram).has_value());
}

// The cliff: speed holds while the footprint is within the budget and falls where it crosses it.
TEST(Curve, DropsWhereTheFootprintCrossesTheBudgetAndNotBefore) {
  const Catalog& c = builtin_catalog();
  const Hardware& hw = c.find_hardware("rtx4090-24g");
  const Budget budget = make_budget(c, hw, std::nullopt);
  SpeedSetup speed;
  speed.params = speed_params(c, hw, Backend::cuda, 51.2);
  speed.limits = {budget.device_bytes, 60ULL << 30, 1024};
  const Settings s = default_settings(c.default_runtime());
  const Curve curve =
      context_curve(make_setup({c, c.find_model("31b"), c.find_preset("Q4_K_M"), c.default_runtime()}, s), budget, speed);
  ASSERT_TRUE(curve.spill_start.has_value());
  const std::size_t k = *curve.spill_start;
  ASSERT_GT(k, 0U);
  for (std::size_t i = 0; i < curve.points.size(); ++i) {
    const CurvePoint& p = curve.points[i];
    EXPECT_EQ(p.resident, p.needed_device_bytes <= budget.device_bytes) << p.context;
    EXPECT_EQ(p.resident, i < k) << p.context;
    ASSERT_TRUE(p.decode_tps.has_value()) << p.context;
    if (i > 0 && i < k) EXPECT_GE(*p.decode_tps, 0.95 * *curve.points[i - 1].decode_tps) << p.context;
  }
  // At the crossing: the first spilled point decodes at most 60% of the speed of the last resident one.
  EXPECT_LT(*curve.points[k].decode_tps, 0.6 * *curve.points[k - 1].decode_tps);
}

TEST(Curve, ContextGridCoversTheModel) {
  const std::vector<std::uint64_t> grid = context_grid(131072, 256);
  EXPECT_EQ(grid.front(), 1024U);
  EXPECT_EQ(grid.back(), 131072U);
  EXPECT_EQ(grid.size(), 29U);  // 7 doublings from 1K to 128K, 4 points each, plus the end
  for (std::size_t i = 1; i < grid.size(); ++i) {
    EXPECT_GT(grid[i], grid[i - 1]);
    EXPECT_EQ(grid[i] % 256, 0U);
  }
}

#pragma once
// Decode and prefill speed from bytes read per token over each memory's bandwidth, and where the layers
// live: all on the GPU, some on the CPU (-ngl), or the experts of some layers on the CPU (--n-cpu-moe).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"

namespace fitcheck {

// Bytes of one decoder layer: what a token reads and what the layer allocates. Independent of the context.
struct LayerBytes {
  std::uint64_t dense = 0;             // weights every token reads (attention, dense FFN, norms, router)
  std::uint64_t experts = 0;           // all expert weights (MoE); a token reads active/count of them
  std::uint64_t kv_per_cell = 0;       // K + V bytes of one cell of the cache this layer reads
  bool owns_kv = false;                // false for KV-shared layers (they read an earlier layer's cache)
  bool full = false;                   // full attention (reads every filled cell) or sliding window
  std::uint64_t kv_copy_per_cell = 0;  // its f16 copy flash attention writes and reads per decoded token (0: none)
  // Attention FLOPs of one prompt token per key it is scored against: Q.K and the weighted sum of V, 2 FLOPs per
  // multiply-add each, over every query head: 4 x heads x head size (Gemma 4's V rows are as wide as its K rows).
  std::uint64_t attention_flops_per_key = 0;
};

struct LayerTable {
  std::vector<LayerBytes> layers;  // decoder order
  std::uint64_t output = 0;        // read per token by the output layer and global tensors
  std::uint64_t output_copy = 0;   // the tied output layer's device copy (freed when the output stays on the CPU)
  std::uint64_t expert_count = 1;
  std::uint64_t experts_active = 1;
  std::uint64_t sliding_window = 0;
  // llama.cpp --no-kv-offload: the KV cache is in host RAM and the attention over it runs on the CPU, so a layer on
  // the GPU reads its cache there and pays the host's per-layer cost (the round trip of its activations).
  bool kv_on_host = false;
  // Prefill's FLOPs: 2 per weight a prompt token multiplies. Dense: every layer's matrices (attention, FFN,
  // router, per-layer projections) and the global projections; not the lookup tables (token and per-layer
  // embeddings), nor the output layer, which a prompt runs for its last token only.
  std::uint64_t matmul_params = 0;
  std::uint64_t float_params = 0;   // of those, the weights stored unquantized (F16, BF16, F32): the BLAS path
  std::uint64_t routed_params = 0;  // the routed experts' weights one token multiplies (experts_active of them)
  // The backend's expert tile (BackendSpeed::expert_tile_tokens): prefill's routed mat-muls compute whole tiles; 0:
  // the tokens' own columns.
  std::uint64_t expert_tile = 0;
  // The model's MTP drafter (llama-server --spec-type draft-mtp): the bytes one draft token reads (its file) and
  // its published per-position acceptance range (Drafter); 0: none.
  std::uint64_t drafter_bytes = 0;
  double acceptance_low = 0;
  double acceptance_high = 0;
};
LayerTable layer_table(const Catalog& catalog, const Model& model, const WeightPlan& weights, const Settings& settings);
// The cache one layer allocates at the footprint's cell counts.
std::uint64_t kv_allocated(const LayerBytes& layer, const KvDetail& kv);

// Where llama.cpp puts the layers: the last `gpu_layers` on the GPU (all of them: the output too), and the
// experts of the first `cpu_moe_layers` layers in host RAM.
struct Placement {
  std::uint64_t gpu_layers = 0;
  std::uint64_t cpu_moe_layers = 0;
};
Placement all_on_gpu(const LayerTable& table);
// With nothing offloaded: every layer on the GPU, or on the CPU for the cpu backend.
Placement resident_placement(const LayerTable& table, Backend backend);
bool on_gpu(const LayerTable& table, const Placement& p, std::uint64_t layer);

// Speed parameters of one backend and of the host, from the catalog (runtimes.json "speed").
struct SpeedParams {
  double device_bandwidth_gbs = 0;  // GPU memory, or unified memory
  double device_efficiency = 1;
  double device_read_cap_gbs = 0;    // the most the device's compute units read in decode (GB/s); 0: no cap
  double layer_overhead_us = 0;      // fixed cost per layer per token (kernel launches, synchronisation)
  double moe_layer_overhead_us = 0;  // extra per MoE layer whose experts are on the device (router, dispatch)
  double device_tflops = 0;          // FP16; 0 = unknown (no prefill estimate)
  double quantized_tflops = 0;       // the rate quantized weights' mat-muls run at (device_tflops, or int8 dot products)
  double compute_efficiency = 1;
  double moe_compute_efficiency = 1;     // for the routed experts' FLOPs
  double prefill_layer_overhead_us = 0;  // fixed time per layer per prefill ubatch
  double attention_tflops = 0;           // FP16 rate of the units the flash-attention kernels run on
  double attention_efficiency = 1;       // for prefill's attention FLOPs, of attention_tflops
  double float_efficiency = 1;           // for the FLOPs of dense weights stored unquantized
  double tile_efficiency = 1;            // for the empty columns of the experts' tiles
  double host_bandwidth_gbs = 0;         // system RAM read by the CPU
  double host_efficiency = 1;
  double host_layer_overhead_us = 0;
  double pcie_gbs = 0;     // 0 for unified memory
  bool host_only = false;  // the cpu backend: every layer on the CPU, no device
  double pcie_efficiency = 1;
  MtpRules mtp;
};
SpeedParams speed_params(const Catalog& catalog, const Hardware& hardware, Backend backend, double host_bandwidth_gbs);
// The device's side of speed_params: the backend's factors on this hardware (its read cap, its overheads at its clock).
void set_device_factors(SpeedParams& params, const BackendSpeed& device, const Hardware& hardware);

// The decode basis when a memory the token reads has no bandwidth (a custom target without --bandwidth).
inline constexpr const char* k_no_bandwidth = "unknown: no bandwidth for a custom target: add --bandwidth GBs";

// Decoding with the model's MTP drafter, over its published acceptance range (mtp_range).
struct MtpSpeed {
  double low_tps = 0;
  double high_tps = 0;
};

struct Speed {
  double decode_tps = 0;                   // with `fill` tokens in the context; 0: unknown (basis says why)
  double decode_tps_full = 0;              // with the context full; 0: unknown
  std::optional<double> prefill_tps;       // a prompt of one ubatch onto an empty cache
  std::optional<double> prefill_tps_full;  // a prompt that fills the context, ubatch after ubatch
  std::string basis;                       // what bounds decoding: "bandwidth", "host RAM", "compute"; or why it is unknown
  std::string prefill_basis;               // "compute", "PCIe", or why there is no estimate
  // With the model's drafter loaded (mtp_range; estimate_speed leaves it to the callers that show it); none without
  // published acceptance or a speed.
  std::optional<MtpSpeed> mtp;
};
Speed estimate_speed(const LayerTable& table, const Placement& placement, const SpeedParams& params, std::uint64_t fill,
                     std::uint64_t context, std::uint64_t ubatch);
// The decode half of estimate_speed (prefill_tps empty, prefill_basis empty): what a search over placements compares.
Speed decode_speed(const LayerTable& table, const Placement& placement, const SpeedParams& params, std::uint64_t fill,
                   std::uint64_t context);

// MTP decoding (llama-server --spec-type draft-mtp). A step drafts n tokens, each reading the drafter once, and
// the target verifies the n + 1 in one batch, keeping the accepted prefix and one token more: 1 + p + ... + p^n
// tokens at per-position acceptance p. Verifying a token beyond the first costs a share of a plain token
// (MtpRules), and on an MoE the experts the further tokens are routed to.
struct MtpCosts {
  double plain_s = 0;                  // the target's time per token decoding alone
  double draft_s = 0;                  // one draft token: the drafter read once
  std::vector<double> verify_extra_s;  // [k]: the experts k verified tokens read beyond one token's (0 dense)
};
// At the target's plain time per token (decode_time's total).
MtpCosts mtp_costs(const LayerTable& table, const Placement& placement, const SpeedParams& params, double plain_s);
double mtp_tps(const MtpCosts& costs, double verify_token_share, double acceptance, unsigned drafts);
// At the draft length (1 to max_draft_tokens) that decodes fastest: a tuned --spec-draft-n-max.
double best_mtp_tps(const MtpCosts& costs, const MtpRules& rules, double acceptance);
// The range over the model's published acceptance (LayerTable), from the plain decode speed at `placement`; none
// without a drafter or a known plain speed.
std::optional<MtpSpeed> mtp_range(const LayerTable& table, const Placement& placement, const SpeedParams& params,
                                  double decode_tps);

// What one token of decoding at `filled` cells reads and runs, by where: bytes from each memory and the
// layers that pay a fixed cost. Independent of the speed parameters.
struct DecodeWork {
  double device_bytes = 0;
  double host_bytes = 0;
  std::uint64_t device_layers = 0;      // layers on the GPU
  std::uint64_t device_moe_layers = 0;  // of those, layers whose experts are on the GPU too
  std::uint64_t host_layers = 0;        // layers with work on the CPU (all of it, or their experts)
};
DecodeWork decode_work(const LayerTable& table, const Placement& placement, std::uint64_t filled);

// Seconds per token of decoding at `filled` cells, and the part spent on the host.
struct DecodeTime {
  double device_s = 0;
  double host_s = 0;
  bool known = true;  // false: bytes are read from a memory of unknown bandwidth
  double total() const { return device_s + host_s; }
};
DecodeTime decode_time(const DecodeWork& work, const SpeedParams& params);
DecodeTime decode_time(const LayerTable& table, const Placement& placement, const SpeedParams& params, std::uint64_t filled);

// What prefill does, by where: FLOPs (dense, routed-expert and attention apart), the weights read once per
// ubatch from device memory (the experts no token of the ubatch is routed to stay unread) and those crossing
// PCIe from host RAM once per ubatch. Independent of the speed parameters.
struct PrefillWork {
  double dense_flops = 0;  // of quantized weights
  double float_flops = 0;  // of weights stored unquantized
  double routed_flops = 0;
  double tile_flops = 0;  // the routed mat-muls' empty tile columns (expert_tile)
  double attention_flops = 0;
  double device_bytes = 0;
  double host_bytes = 0;
  std::uint64_t layers = 0;  // layer-ubatches: each pays the fixed per-ubatch cost
};
// One ubatch of `tokens`, its matrices only (attention_flops 0: prompt_work adds them).
PrefillWork prefill_work(const LayerTable& table, const Placement& placement, std::uint64_t tokens);
// A prompt of `prompt` tokens onto `depth` cached ones, in ubatches of `ubatch`: each ubatch's matrices, and its
// attention over the cells the graph scores (attention_flops).
PrefillWork prompt_work(const LayerTable& table, const Placement& placement, std::uint64_t ubatch, std::uint64_t depth,
                        std::uint64_t prompt);
// The attention FLOPs of one ubatch of `tokens` with `depth` cells already cached. llama.cpp scores every query
// against all the cells its graph sees (the causal mask zeroes the later ones): the depth and the ubatch on a
// full layer, at most the window and the ubatch on a sliding one.
double attention_flops(const LayerTable& table, std::uint64_t tokens, std::uint64_t depth);
// The expected token columns one expert of a layer computes for a ubatch of `tokens`: the tokens routed to it (each
// picks `active` of `count`; Poisson, mean tokens x active / count), in whole tiles min(tokens, tile) wide where
// `tile` > 0 (ggml-cuda's mmq sizes its tile by the ubatch and runs every tile of an expert it routes a token to).
double expert_columns(std::uint64_t count, std::uint64_t active, std::uint64_t tokens, std::uint64_t tile);
// The expected share of a layer's experts that at least one of `tokens` is routed to (each token picks
// `active` of `count`, taken as uniform): 1 - (1 - active/count)^tokens; 1 for a dense model.
double experts_touched(std::uint64_t count, std::uint64_t active, std::uint64_t tokens);

// Seconds of one prefill ubatch by term; the sum is its time (none is hidden under another: the weights are
// read and dequantized by the same kernels that multiply them).
struct PrefillTime {
  double compute_s = 0;
  double attention_s = 0;
  double read_s = 0;
  double pcie_s = 0;
  double fixed_s = 0;
  double total() const { return compute_s + attention_s + read_s + pcie_s + fixed_s; }
};
// Requires params.device_tflops > 0.
PrefillTime prefill_time(const PrefillWork& work, const SpeedParams& params);

}  // namespace fitcheck

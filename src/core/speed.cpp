#include "fitcheck/speed.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

constexpr double k_gb = 1e9;  // bandwidths are in GB/s (10^9 bytes)
constexpr double k_tera = 1e12;

double read_seconds(double bytes, double gbs, double efficiency) {
  return gbs <= 0 || efficiency <= 0 ? 0 : bytes / (gbs * k_gb * efficiency);
}

// Whether the device's compute units, not its memory, bound what it reads a second.
bool read_capped(const SpeedParams& sp) {
  return sp.device_read_cap_gbs > 0 && sp.device_read_cap_gbs < sp.device_bandwidth_gbs * sp.device_efficiency;
}

// The device's reads: its bandwidth at the backend's efficiency, at most what its compute units pull.
double device_read_seconds(double bytes, const SpeedParams& sp) {
  const double gbs = read_capped(sp) ? sp.device_read_cap_gbs : sp.device_bandwidth_gbs * sp.device_efficiency;
  return gbs <= 0 ? 0 : bytes / (gbs * k_gb);
}

// Bytes one token reads from a layer's weights: every dense weight, the routed share of the experts.
double weights_read(const LayerTable& t, const LayerBytes& layer) {
  return static_cast<double>(layer.dense) +
         static_cast<double>(layer.experts) * static_cast<double>(t.experts_active) / static_cast<double>(t.expert_count);
}

// A matrix every prompt token is multiplied by: not a lookup table (host-resident), not the output layer (run
// for the last token only), not a vector (norms, scales).
bool multiplies_prompt(const Tensor& t) { return !t.host_resident && t.category != TensorCategory::output && t.ne[1] > 1; }

std::uint64_t cells_read(const LayerTable& t, const LayerBytes& layer, std::uint64_t filled) {
  return layer.full ? filled : std::min(filled, t.sliding_window);
}

// The cache one token's attention reads in a layer (a sliding layer at most its window), and on the device the
// f16 copy of it that flash attention writes and reads where it copies (decode_copy_per_cell); the CPU's
// attention reads the cache as it is.
double kv_read(const LayerTable& t, const LayerBytes& layer, std::uint64_t filled, bool device) {
  const double copy = device ? 2.0 * static_cast<double>(layer.kv_copy_per_cell) : 0.0;
  return static_cast<double>(cells_read(t, layer, filled)) * (static_cast<double>(layer.kv_per_cell) + copy);
}

// Attention FLOPs per query token per key, summed over the full and over the sliding layers.
struct AttentionCost {
  explicit AttentionCost(const LayerTable& t) : window(t.sliding_window) {
    for (const LayerBytes& layer : t.layers) (layer.full ? full : sliding) += static_cast<double>(layer.attention_flops_per_key);
  }
  double flops(std::uint64_t tokens, std::uint64_t depth) const {
    const double n = static_cast<double>(tokens);
    return n * (full * (static_cast<double>(depth) + n) + sliding * (static_cast<double>(std::min(depth, window)) + n));
  }
  // The sum of flops() over a prompt's ubatches, in closed form: `whole` ubatches of `ubatch` tokens at depths
  // depth, depth + ubatch, ..., then `rest` tokens.
  double prompt_flops(std::uint64_t ubatch, std::uint64_t depth, std::uint64_t prompt) const {
    const std::uint64_t whole = prompt / ubatch;
    const std::uint64_t rest = prompt % ubatch;
    const double u = static_cast<double>(ubatch);
    const double last_depth = static_cast<double>(depth) + static_cast<double>(whole) * u;
    const auto layers = [&](double per_key, double cap) {
      const double seen = cached_sum(static_cast<double>(depth), u, whole, cap) + static_cast<double>(whole) * u;
      const double r = static_cast<double>(rest);
      return per_key * (u * seen + (rest > 0 ? r * (std::min(last_depth, cap) + r) : 0));
    };
    return layers(full, std::numeric_limits<double>::infinity()) + layers(sliding, static_cast<double>(window));
  }
  // The sum over k < n of min(depth + k x u, cap): the cells a ubatch finds cached, the sliding ones capped.
  static double cached_sum(double depth, double u, std::uint64_t n, double cap) {
    const double count = static_cast<double>(n);
    const double below = depth >= cap ? 0 : std::min(count, std::ceil((cap - depth) / u));
    return below * depth + u * below * (below - 1) / 2 + (count > below ? (count - below) * cap : 0);
  }
  std::uint64_t window;
  double full = 0;
  double sliding = 0;
};

// 2 FLOPs per weight of an expert per column its tiles hold beyond its tokens, over every expert (0 without tiles).
double empty_tile_flops(const LayerTable& t, std::uint64_t tokens) {
  if (t.expert_tile == 0 || t.expert_count <= 1) return 0;
  const double per_expert = static_cast<double>(t.routed_params) / static_cast<double>(t.experts_active);
  const double columns = expert_columns(t.expert_count, t.experts_active, tokens, t.expert_tile);
  const double mean = expert_columns(t.expert_count, t.experts_active, tokens, 0);
  return 2.0 * per_expert * static_cast<double>(t.expert_count) * (columns - mean);
}

}  // namespace

LayerTable layer_table(const Catalog& catalog, const Model& model, const WeightPlan& weights, const Settings& s) {
  LayerTable t;
  t.layers.resize(model.num_layers());
  t.expert_count = model.is_moe() ? model.expert_count : 1;
  t.experts_active = model.is_moe() ? model.experts_active : 1;
  t.sliding_window = model.sliding_window;
  t.kv_on_host = s.on_gpu() && !s.kv_offload;
  if (s.on_gpu()) t.expert_tile = catalog.backend_speed(backend_name(s.backend)).expert_tile_tokens;
  std::uint64_t expert_params = 0;
  for (const TypedTensor& tt : weights.typed) {
    const Tensor& tensor = *tt.tensor;
    if (multiplies_prompt(tensor)) {
      (tensor.category == TensorCategory::expert ? expert_params : t.matmul_params) += tensor.elements();
      if (tensor.category != TensorCategory::expert && tt.type->block_elems == 1) t.float_params += tensor.elements();
    }
    if (tensor.layer >= 0) {
      LayerBytes& layer = t.layers[static_cast<std::size_t>(tensor.layer)];
      (tensor.group == TensorGroup::experts ? layer.experts : layer.dense) += tt.bytes;
    } else if (!tensor.host_resident) {
      t.output += tt.bytes;  // output norm, a separate output matrix, global projections
    }
  }
  t.routed_params = expert_params / t.expert_count * t.experts_active;
  if (model.drafter) {
    t.drafter_bytes = model.drafter->file_bytes;
    t.acceptance_low = model.drafter->acceptance_low;
    t.acceptance_high = model.drafter->acceptance_high;
  }
  t.output_copy = weights.output_copy_bytes;
  t.output += weights.output_copy_bytes;  // a tied output layer reads the whole embedding matrix per token
  for (std::uint64_t il = 0; il < model.num_layers(); ++il) {
    LayerBytes& layer = t.layers[il];
    layer.full = model.layers[il] == LayerKind::full;
    layer.owns_kv = model.owns_kv(il);
    layer.kv_per_cell = kv_bytes_per_cell(catalog, model, il, s);
    layer.kv_copy_per_cell = decode_copy_per_cell(catalog, model, il, s);
    layer.attention_flops_per_key = 4 * model.num_heads * model.geometry(il).head_dim;
  }
  return t;
}

std::uint64_t kv_allocated(const LayerBytes& layer, const KvDetail& kv) {
  if (!layer.owns_kv) return 0;
  return checked_mul(checked_mul(layer.full ? kv.full_cells : kv.sliding_cells, kv.streams, "KV cache"), layer.kv_per_cell,
                     "KV cache");
}

Placement all_on_gpu(const LayerTable& table) { return {table.layers.size(), 0}; }

Placement resident_placement(const LayerTable& table, Backend backend) {
  return backend == Backend::cpu ? Placement{0, 0} : all_on_gpu(table);
}

bool on_gpu(const LayerTable& table, const Placement& p, std::uint64_t layer) {
  return layer + p.gpu_layers >= table.layers.size();
}

DecodeWork decode_work(const LayerTable& t, const Placement& p, std::uint64_t filled) {
  DecodeWork w;
  for (std::uint64_t il = 0; il < t.layers.size(); ++il) {
    const LayerBytes& layer = t.layers[il];
    const bool gpu = on_gpu(t, p, il);
    const bool experts_on_gpu = gpu && il >= p.cpu_moe_layers;
    const double experts = weights_read(t, layer) - static_cast<double>(layer.dense);
    const bool attention_on_gpu = gpu && !t.kv_on_host;
    (gpu ? w.device_bytes : w.host_bytes) += static_cast<double>(layer.dense);
    (attention_on_gpu ? w.device_bytes : w.host_bytes) += kv_read(t, layer, filled, attention_on_gpu);
    // --n-cpu-moe: the CPU multiplies these experts where they lie, in host RAM.
    (experts_on_gpu ? w.device_bytes : w.host_bytes) += experts;
    w.device_layers += gpu ? 1 : 0;
    // An MoE layer whose experts run on the GPU launches the router, top-k, expert mat-muls and their sum there.
    w.device_moe_layers += experts_on_gpu && layer.experts > 0 ? 1 : 0;
    // A layer with work on the CPU (all of it, its experts or its attention) pays the host's per-layer cost: its
    // threads' synchronisation, and for work split with the GPU the activations' round trip between them.
    w.host_layers += experts_on_gpu && attention_on_gpu ? 0 : 1;
  }
  const bool output_on_gpu = p.gpu_layers >= t.layers.size();
  (output_on_gpu ? w.device_bytes : w.host_bytes) += static_cast<double>(t.output);
  return w;
}

DecodeTime decode_time(const DecodeWork& w, const SpeedParams& sp) {
  DecodeTime time;
  // A memory read at no known bandwidth (a custom target without --bandwidth) takes an unknown time, not none.
  time.known = (w.device_bytes == 0 || sp.device_bandwidth_gbs > 0) && (w.host_bytes == 0 || sp.host_bandwidth_gbs > 0);
  time.device_s =
      device_read_seconds(w.device_bytes, sp) + (static_cast<double>(w.device_layers) * sp.layer_overhead_us +
                                                 static_cast<double>(w.device_moe_layers) * sp.moe_layer_overhead_us) *
                                                    1e-6;
  time.host_s = read_seconds(w.host_bytes, sp.host_bandwidth_gbs, sp.host_efficiency) +
                static_cast<double>(w.host_layers) * sp.host_layer_overhead_us * 1e-6;
  return time;
}

DecodeTime decode_time(const LayerTable& t, const Placement& p, const SpeedParams& sp, std::uint64_t filled) {
  return decode_time(decode_work(t, p, filled), sp);
}

Speed decode_speed(const LayerTable& t, const Placement& p, const SpeedParams& sp, std::uint64_t fill, std::uint64_t context) {
  Speed speed;
  const DecodeTime early = decode_time(t, p, sp, std::min(fill, context));
  const DecodeTime full = decode_time(t, p, sp, context);
  if (early.known) {
    speed.decode_tps = early.total() > 0 ? 1.0 / early.total() : 0;
    speed.decode_tps_full = full.total() > 0 ? 1.0 / full.total() : 0;
    speed.basis = early.host_s > early.device_s ? "host RAM" : read_capped(sp) ? "compute" : "bandwidth";
  } else {
    speed.basis = k_no_bandwidth;  // decode_tps stays 0: never a speed from the layer overheads alone
  }
  return speed;
}

Speed estimate_speed(const LayerTable& t, const Placement& p, const SpeedParams& sp, std::uint64_t fill, std::uint64_t context,
                     std::uint64_t ubatch) {
  Speed speed = decode_speed(t, p, sp, fill, context);
  if (sp.device_tflops <= 0) {
    speed.prefill_basis = sp.host_only ? "unknown: prefill on the CPU backend is not modelled (a host has no FLOPs figure)"
                                       : "unknown: no FP16 throughput in the hardware profile";
    return speed;
  }
  const PrefillTime prefill = prefill_time(prompt_work(t, p, ubatch, 0, ubatch), sp);
  speed.prefill_tps = static_cast<double>(ubatch) / prefill.total();
  speed.prefill_tps_full = static_cast<double>(context) / prefill_time(prompt_work(t, p, ubatch, 0, context), sp).total();
  speed.prefill_basis = prefill.pcie_s > prefill.compute_s ? "PCIe" : "compute";
  return speed;
}

MtpCosts mtp_costs(const LayerTable& t, const Placement& p, const SpeedParams& sp, double plain_s) {
  MtpCosts c;
  c.plain_s = plain_s;
  // llama-server puts the drafter beside the output layer: on the GPU unless every layer runs on the CPU.
  const bool device = p.gpu_layers > 0 && sp.device_bandwidth_gbs > 0;
  c.draft_s = device ? device_read_seconds(static_cast<double>(t.drafter_bytes), sp)
                     : read_seconds(static_cast<double>(t.drafter_bytes), sp.host_bandwidth_gbs, sp.host_efficiency);
  c.verify_extra_s.assign(sp.mtp.max_draft_tokens + 2, 0.0);
  if (t.expert_count <= 1) return c;
  // Where the experts lie (decode_work's placement): k tokens read the share experts_touched(k) of them.
  double device_experts = 0;
  double host_experts = 0;
  for (std::uint64_t il = 0; il < t.layers.size(); ++il)
    (on_gpu(t, p, il) && il >= p.cpu_moe_layers ? device_experts : host_experts) += static_cast<double>(t.layers[il].experts);
  const double one = experts_touched(t.expert_count, t.experts_active, 1);
  for (std::uint64_t k = 2; k < c.verify_extra_s.size(); ++k) {
    const double more = experts_touched(t.expert_count, t.experts_active, k) - one;
    c.verify_extra_s[k] = device_read_seconds(device_experts * more, sp) +
                          read_seconds(host_experts * more, sp.host_bandwidth_gbs, sp.host_efficiency);
  }
  return c;
}

double mtp_tps(const MtpCosts& c, double verify_token_share, double acceptance, unsigned drafts) {
  double tokens = 1;
  double run = 1;
  for (unsigned i = 0; i < drafts; ++i) tokens += run *= acceptance;
  const std::size_t verified = std::min<std::size_t>(drafts + 1, c.verify_extra_s.size() - 1);
  const double step = c.plain_s * (1 + verify_token_share * drafts) + c.verify_extra_s[verified] + drafts * c.draft_s;
  return step > 0 ? tokens / step : 0;
}

double best_mtp_tps(const MtpCosts& c, const MtpRules& rules, double acceptance) {
  double best = 0;
  for (unsigned n = 1; n <= rules.max_draft_tokens; ++n)
    best = std::max(best, mtp_tps(c, rules.verify_token_share, acceptance, n));
  return best;
}

std::optional<MtpSpeed> mtp_range(const LayerTable& t, const Placement& p, const SpeedParams& sp, double decode_tps) {
  if (t.drafter_bytes == 0 || t.acceptance_high <= 0 || decode_tps <= 0) return std::nullopt;
  const MtpCosts c = mtp_costs(t, p, sp, 1 / decode_tps);
  return MtpSpeed{best_mtp_tps(c, sp.mtp, t.acceptance_low), best_mtp_tps(c, sp.mtp, t.acceptance_high)};
}

double expert_columns(std::uint64_t count, std::uint64_t active, std::uint64_t tokens, std::uint64_t tile) {
  const double mean = static_cast<double>(tokens) * static_cast<double>(active) / static_cast<double>(count);
  if (tile == 0 || count <= 1 || tokens == 0) return mean;
  const std::uint64_t width = std::min(tile, (tokens + 7) / 8 * 8);  // mmq's tile widths are multiples of 8
  // E[ceil(n / width)] x width over n ~ Poisson(mean): ceil(n / width) is the count of k >= 0 with n > k x width.
  if (mean > 500) return mean + static_cast<double>(width) / 2;  // the last tile half full on average
  double p = std::exp(-mean);                                    // P(n = i), from i = 0
  double cdf = p;                                                // P(n <= i)
  double tiles = 1 - p;                                          // k = 0: P(n > 0)
  for (std::uint64_t i = 1;; ++i) {
    p *= mean / static_cast<double>(i);
    cdf += p;
    if (i % width != 0) continue;
    if (1 - cdf < 1e-9) break;
    tiles += 1 - cdf;
  }
  return tiles * static_cast<double>(width);
}

double experts_touched(std::uint64_t count, std::uint64_t active, std::uint64_t tokens) {
  if (count <= 1) return 1;
  return 1 - std::pow(1 - static_cast<double>(active) / static_cast<double>(count), static_cast<double>(tokens));
}

PrefillWork prefill_work(const LayerTable& t, const Placement& p, std::uint64_t tokens) {
  // 2 FLOPs per weight a token multiplies, on the GPU (llama.cpp offloads large batches to it, weights in
  // host RAM cross PCIe once per ubatch); every device weight is read once per ubatch, but for the experts
  // no token of it is routed to.
  PrefillWork w;
  w.dense_flops = 2.0 * static_cast<double>(tokens) * static_cast<double>(t.matmul_params - t.float_params);
  w.float_flops = 2.0 * static_cast<double>(tokens) * static_cast<double>(t.float_params);
  w.routed_flops = 2.0 * static_cast<double>(tokens) * static_cast<double>(t.routed_params);
  w.tile_flops = empty_tile_flops(t, tokens);
  w.layers = t.layers.size();
  const double touched = experts_touched(t.expert_count, t.experts_active, tokens);
  w.device_bytes = p.gpu_layers >= t.layers.size() ? static_cast<double>(t.output) : 0;
  for (std::uint64_t il = 0; il < t.layers.size(); ++il) {
    const LayerBytes& layer = t.layers[il];
    const bool gpu = on_gpu(t, p, il);
    (gpu ? w.device_bytes : w.host_bytes) += static_cast<double>(layer.dense);
    if (gpu && il >= p.cpu_moe_layers) {
      w.device_bytes += static_cast<double>(layer.experts) * touched;
    } else {
      w.host_bytes += static_cast<double>(layer.experts);  // copied whole to the GPU
    }
  }
  return w;
}

double attention_flops(const LayerTable& t, std::uint64_t tokens, std::uint64_t depth) {
  return AttentionCost(t).flops(tokens, depth);
}

PrefillWork prompt_work(const LayerTable& t, const Placement& p, std::uint64_t ubatch, std::uint64_t depth,
                        std::uint64_t prompt) {
  if (ubatch == 0 || prompt == 0) return {};
  // Every ubatch reads its weights and pays its fixed costs once; a last, partial one as much as a full one (at 64
  // tokens a 26B A4B layer's ubatch touches 98% of its experts). The matrices' FLOPs follow the tokens.
  const std::uint64_t first = std::min(ubatch, prompt);
  const std::uint64_t ubatches = prompt / ubatch + (prompt % ubatch != 0 ? 1 : 0);
  PrefillWork w = prefill_work(t, p, first);
  const double tokens = static_cast<double>(prompt) / static_cast<double>(first);
  w.dense_flops *= tokens;
  w.float_flops *= tokens;
  w.routed_flops *= tokens;
  w.tile_flops *= static_cast<double>(ubatches);
  w.device_bytes *= static_cast<double>(ubatches);
  w.host_bytes *= static_cast<double>(ubatches);
  w.layers *= ubatches;
  w.attention_flops = AttentionCost(t).prompt_flops(ubatch, depth, prompt);
  return w;
}

PrefillTime prefill_time(const PrefillWork& w, const SpeedParams& sp) {
  PrefillTime time;
  const double quantized_per_s = sp.quantized_tflops * k_tera;
  time.compute_s = w.dense_flops / (quantized_per_s * sp.compute_efficiency) +
                   w.float_flops / (sp.device_tflops * k_tera * sp.float_efficiency) +
                   w.routed_flops / (quantized_per_s * sp.moe_compute_efficiency) +
                   (w.tile_flops > 0 ? w.tile_flops / (quantized_per_s * sp.tile_efficiency) : 0);
  time.attention_s = w.attention_flops / (sp.attention_tflops * k_tera * sp.attention_efficiency);
  time.read_s = device_read_seconds(w.device_bytes, sp);
  time.pcie_s = read_seconds(w.host_bytes, sp.pcie_gbs, sp.pcie_efficiency);
  time.fixed_s = static_cast<double>(w.layers) * sp.prefill_layer_overhead_us * 1e-6;
  return time;
}

}  // namespace fitcheck

namespace fitcheck {

namespace {

double attention_tflops(const Hardware& hw, AttentionUnits units) {
  if (units == AttentionUnits::vector && hw.vector_fp16_tflops > 0) return hw.vector_fp16_tflops;
  return hw.fp16_tflops;
}

}  // namespace

void set_device_factors(SpeedParams& sp, const BackendSpeed& device, const Hardware& hw) {
  sp.device_bandwidth_gbs = hw.bandwidth_gbs;
  sp.device_efficiency = device.bandwidth_efficiency;
  const double ghz = hw.boost_clock_mhz / 1000;
  if (hw.compute_units > 0) sp.device_read_cap_gbs = static_cast<double>(hw.compute_units) * ghz * device.unit_read_gbs;
  const double clock_scale =
      hw.compute_units > 0 && device.overhead_clock_mhz > 0 ? device.overhead_clock_mhz / hw.boost_clock_mhz : 1;
  sp.layer_overhead_us = device.layer_overhead_us * clock_scale;
  sp.moe_layer_overhead_us = device.moe_layer_overhead_us;
  sp.device_tflops = hw.fp16_tflops;
  sp.quantized_tflops = hw.int8_dot_tops > 0 ? hw.int8_dot_tops : hw.fp16_tflops;
  sp.compute_efficiency = device.compute_efficiency;
  sp.moe_compute_efficiency = device.moe_compute_efficiency;
  sp.prefill_layer_overhead_us = device.prefill_layer_overhead_us;
  sp.attention_tflops = attention_tflops(hw, device.attention_units);
  if (hw.compute_units > 0 && device.unit_matrix_gflops > 0) {
    const double cap_tflops = static_cast<double>(hw.compute_units) * ghz * device.unit_matrix_gflops / 1000;
    sp.quantized_tflops = std::min(sp.quantized_tflops, cap_tflops);
    sp.attention_tflops = std::min(sp.attention_tflops, cap_tflops);
  }
  sp.attention_efficiency = device.attention_efficiency;
  sp.float_efficiency = device.float_efficiency;
  sp.tile_efficiency = device.tile_efficiency;
}

SpeedParams speed_params(const Catalog& catalog, const Hardware& hw, Backend backend, double host_bandwidth_gbs) {
  SpeedParams sp;
  const BackendSpeed& host = catalog.backend_speed("cpu");
  const bool unified = hw.memory_kind == MemoryKind::unified;
  // On unified memory the CPU reads the same memory as the GPU.
  sp.host_bandwidth_gbs = unified ? hw.bandwidth_gbs : host_bandwidth_gbs;
  sp.host_efficiency = host.bandwidth_efficiency;
  sp.host_layer_overhead_us = host.layer_overhead_us;
  sp.mtp = catalog.mtp;
  sp.host_only = backend == Backend::cpu;
  if (sp.host_only) return sp;  // every layer on the CPU: nothing on a device
  set_device_factors(sp, catalog.backend_speed(backend_name(backend)), hw);
  sp.pcie_gbs = unified ? 0 : hw.pcie_gbs;
  sp.pcie_efficiency = catalog.host.pcie_efficiency;
  return sp;
}

}  // namespace fitcheck

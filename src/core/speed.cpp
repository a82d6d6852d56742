#include "fitcheck/speed.hpp"

#include <algorithm>

#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

constexpr double k_gb = 1e9;  // bandwidths are in GB/s (10^9 bytes)
constexpr double k_tera = 1e12;

double read_seconds(double bytes, double gbs, double efficiency) {
  return gbs <= 0 || efficiency <= 0 ? 0 : bytes / (gbs * k_gb * efficiency);
}

// Bytes one token reads from a layer's weights: every dense weight, the routed share of the experts.
double weights_read(const LayerTable& t, const LayerBytes& layer) {
  return static_cast<double>(layer.dense) +
         static_cast<double>(layer.experts) * static_cast<double>(t.experts_active) / static_cast<double>(t.expert_count);
}

double kv_read(const LayerTable& t, const LayerBytes& layer, std::uint64_t filled) {
  const std::uint64_t cells = layer.full ? filled : std::min(filled, t.sliding_window);
  return static_cast<double>(cells) * static_cast<double>(layer.kv_per_cell);
}

}  // namespace

LayerTable layer_table(const Catalog& catalog, const Model& model, const WeightPlan& weights, const Settings& s) {
  LayerTable t;
  t.layers.resize(model.num_layers());
  t.expert_count = model.is_moe() ? model.expert_count : 1;
  t.experts_active = model.is_moe() ? model.experts_active : 1;
  t.sliding_window = model.sliding_window;
  const ParamCounts params = count_params(model, *weights.tensors);
  t.active_params = params.active;
  // The routed experts' active share: every expert weight less those of the idle experts (count_params).
  t.active_expert_params = model.is_moe() ? params.experts - (params.text_total() - params.active) : 0;
  for (const TypedTensor& tt : weights.typed) {
    const Tensor& tensor = *tt.tensor;
    if (tensor.layer >= 0) {
      LayerBytes& layer = t.layers[static_cast<std::size_t>(tensor.layer)];
      (tensor.group == TensorGroup::experts ? layer.experts : layer.dense) += tt.bytes;
    } else if (!tensor.host_resident) {
      t.output += tt.bytes;  // output norm, a separate output matrix, global projections
    }
  }
  t.output_copy = weights.output_copy_bytes;
  t.output += weights.output_copy_bytes;  // a tied output layer reads the whole embedding matrix per token
  for (std::uint64_t il = 0; il < model.num_layers(); ++il) {
    LayerBytes& layer = t.layers[il];
    layer.full = model.layers[il] == LayerKind::full;
    layer.owns_kv = model.owns_kv(il);
    layer.kv_per_cell = kv_bytes_per_cell(catalog, model, il, s);
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
    const double own = static_cast<double>(layer.dense) + kv_read(t, layer, filled);
    (gpu ? w.device_bytes : w.host_bytes) += own;
    // --n-cpu-moe: the CPU multiplies these experts where they lie, in host RAM.
    (experts_on_gpu ? w.device_bytes : w.host_bytes) += experts;
    w.device_layers += gpu ? 1 : 0;
    // An MoE layer whose experts run on the GPU launches the router, top-k, expert mat-muls and their sum there.
    w.device_moe_layers += experts_on_gpu && layer.experts > 0 ? 1 : 0;
    // A layer with work on the CPU (all of it, or its experts) pays the host's per-layer cost: its threads'
    // synchronisation, and for experts the activations' round trip between the GPU and the CPU.
    w.host_layers += experts_on_gpu ? 0 : 1;
  }
  const bool output_on_gpu = p.gpu_layers >= t.layers.size();
  (output_on_gpu ? w.device_bytes : w.host_bytes) += static_cast<double>(t.output);
  return w;
}

DecodeTime decode_time(const DecodeWork& w, const SpeedParams& sp) {
  DecodeTime time;
  // A memory read at no known bandwidth (a custom target without --bandwidth) takes an unknown time, not none.
  time.known = (w.device_bytes == 0 || sp.device_bandwidth_gbs > 0) && (w.host_bytes == 0 || sp.host_bandwidth_gbs > 0);
  time.device_s = read_seconds(w.device_bytes, sp.device_bandwidth_gbs, sp.device_efficiency) +
                  (static_cast<double>(w.device_layers) * sp.layer_overhead_us +
                   static_cast<double>(w.device_moe_layers) * sp.moe_layer_overhead_us) *
                      1e-6;
  time.host_s = read_seconds(w.host_bytes, sp.host_bandwidth_gbs, sp.host_efficiency) +
                static_cast<double>(w.host_layers) * sp.host_layer_overhead_us * 1e-6;
  return time;
}

DecodeTime decode_time(const LayerTable& t, const Placement& p, const SpeedParams& sp, std::uint64_t filled) {
  return decode_time(decode_work(t, p, filled), sp);
}

Speed estimate_speed(const LayerTable& t, const Placement& p, const SpeedParams& sp, std::uint64_t fill, std::uint64_t context,
                     std::uint64_t ubatch) {
  Speed speed;
  const DecodeTime early = decode_time(t, p, sp, std::min(fill, context));
  const DecodeTime full = decode_time(t, p, sp, context);
  if (early.known) {
    speed.decode_tps = early.total() > 0 ? 1.0 / early.total() : 0;
    speed.decode_tps_full = full.total() > 0 ? 1.0 / full.total() : 0;
    speed.basis = early.host_s > early.device_s ? "host RAM" : "bandwidth";
  } else {
    speed.basis = k_no_bandwidth;  // decode_tps stays 0: never a speed from the layer overheads alone
  }
  if (sp.device_tflops <= 0) {
    speed.prefill_basis = "unknown: no FP16 throughput in the hardware profile";
    return speed;
  }
  // Prefill of one ubatch: 2 FLOPs per active parameter per token on the GPU, and every weight read once:
  // those on the device from its memory, those in host RAM across PCIe (llama.cpp offloads large batches
  // to the GPU). A short prompt (a ubatch of a few tokens) is bound by the reading, a long one by the FLOPs.
  // The routed experts' FLOPs run at their own efficiency: a ubatch spread over many experts gives each
  // expert a few rows (26B A4B: 512 x 8 / 128 = 32 a ubatch), small mat-muls that reach less of the peak.
  const double seconds_per_param = 2.0 * static_cast<double>(ubatch) / (sp.device_tflops * k_tera);
  const double compute_s =
      seconds_per_param * (static_cast<double>(t.active_params - t.active_expert_params) / sp.compute_efficiency +
                           static_cast<double>(t.active_expert_params) / sp.moe_compute_efficiency);
  double host_weights = 0;
  double device_weights = p.gpu_layers >= t.layers.size() ? static_cast<double>(t.output) : 0;
  for (std::uint64_t il = 0; il < t.layers.size(); ++il) {
    const LayerBytes& layer = t.layers[il];
    const bool gpu = on_gpu(t, p, il);
    (gpu ? device_weights : host_weights) += static_cast<double>(layer.dense);
    (gpu && il >= p.cpu_moe_layers ? device_weights : host_weights) += static_cast<double>(layer.experts);
  }
  const double pcie_s = read_seconds(host_weights, sp.pcie_gbs, sp.pcie_efficiency);
  const double read_s = read_seconds(device_weights, sp.device_bandwidth_gbs, sp.device_efficiency);
  speed.prefill_tps = static_cast<double>(ubatch) / (compute_s + pcie_s + read_s);
  speed.prefill_basis = pcie_s > compute_s ? "PCIe" : "compute";
  return speed;
}

}  // namespace fitcheck

namespace fitcheck {

std::optional<MtpSpeed> mtp_speed(const Drafter& drafter, double decode_tps) {
  if (drafter.speedup_high <= 0 || decode_tps <= 0) return std::nullopt;
  return MtpSpeed{decode_tps * drafter.speedup_low, decode_tps * drafter.speedup_high};
}

SpeedParams speed_params(const Catalog& catalog, const Hardware& hw, Backend backend, double host_bandwidth_gbs) {
  SpeedParams sp;
  const BackendSpeed& host = catalog.backend_speed("cpu");
  const bool unified = hw.memory_kind == MemoryKind::unified;
  // On unified memory the CPU reads the same memory as the GPU.
  sp.host_bandwidth_gbs = unified ? hw.bandwidth_gbs : host_bandwidth_gbs;
  sp.host_efficiency = host.bandwidth_efficiency;
  sp.host_layer_overhead_us = host.layer_overhead_us;
  if (backend == Backend::cpu) return sp;  // every layer on the CPU: nothing on a device
  const BackendSpeed& device = catalog.backend_speed(backend_name(backend));
  sp.device_bandwidth_gbs = hw.bandwidth_gbs;
  sp.device_efficiency = device.bandwidth_efficiency;
  sp.layer_overhead_us = device.layer_overhead_us;
  sp.moe_layer_overhead_us = device.moe_layer_overhead_us;
  sp.device_tflops = hw.fp16_tflops;
  sp.compute_efficiency = device.compute_efficiency;
  sp.moe_compute_efficiency = device.moe_compute_efficiency;
  sp.pcie_gbs = unified ? 0 : hw.pcie_gbs;
  sp.pcie_efficiency = catalog.host.pcie_efficiency;
  return sp;
}

}  // namespace fitcheck

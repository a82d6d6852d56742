#include "fitcheck/offload.hpp"

#include <string>

#include "fitcheck/units.hpp"

namespace fitcheck {

Split placement_bytes(const Footprint& f, const LayerTable& t, const Placement& p) {
  std::uint64_t moved = 0;
  for (std::uint64_t il = 0; il < t.layers.size(); ++il) {
    const LayerBytes& layer = t.layers[il];
    if (!on_gpu(t, p, il)) {
      // With --no-kv-offload the layer's KV cache is in host RAM already.
      const std::uint64_t kv = f.settings.kv_offload ? kv_allocated(layer, f.kv) : 0;
      moved = checked_add(moved, checked_add(checked_add(layer.dense, layer.experts), kv));
    } else if (il < p.cpu_moe_layers) {
      moved = checked_add(moved, layer.experts);
    }
  }
  const bool output_on_cpu = p.gpu_layers < t.layers.size();
  Split s{f.device_bytes(), f.host_bytes()};
  // The CPU reads a tied output layer from token_embd in place: the device copy is simply not made.
  const std::uint64_t dropped = output_on_cpu ? t.output_copy : 0;
  s.device = s.device > moved + dropped ? s.device - moved - dropped : 0;
  s.host = checked_add(s.host, moved);
  const bool cpu_computes = output_on_cpu || p.cpu_moe_layers > 0;
  if (cpu_computes) s.host = checked_add(s.host, f.compute.device);  // the CPU backend's own graph buffer
  return s;
}

std::uint64_t placement_expert_bytes(const LayerTable& t, const Placement& p) {
  std::uint64_t experts = 0;
  for (std::uint64_t il = 0; il < t.layers.size(); ++il) {
    if (!on_gpu(t, p, il) || il < p.cpu_moe_layers) experts = checked_add(experts, t.layers[il].experts);
  }
  return experts;
}

std::string llama_args(const Settings& s, const LayerTable& t, const Placement& p) {
  // -ngl counts the output layer too: more than the layer count offloads everything.
  return llama_flags(s, p.gpu_layers >= t.layers.size() ? 99 : p.gpu_layers, p.cpu_moe_layers);
}

std::string llama_flags(const Settings& s, std::uint64_t gpu_layers, std::uint64_t cpu_moe_layers) {
  std::string args = "-ngl " + std::to_string(gpu_layers);
  if (cpu_moe_layers > 0) args += " --n-cpu-moe " + std::to_string(cpu_moe_layers);
  args += " -c " + std::to_string(s.context);
  // f16 is llama.cpp's cache type: name the types only when they differ from it.
  if (s.kv_type_k != "f16" || s.kv_type_v != "f16") args += " -ctk " + s.kv_type_k + " -ctv " + s.kv_type_v;
  args += s.flash_attn ? " -fa on" : " -fa off";
  if (s.ubatch != 512) args += " -ub " + std::to_string(s.ubatch);
  // Always stated: without -np, llama-server opens 4 slots sharing one cache (b6925, PR #16736), and each slot
  // holds its own sliding-window cells and logits rows, which the plan did not count.
  args += " -np " + std::to_string(s.parallel);
  if (s.kv_unified) args += " --kv-unified";
  if (!s.kv_offload) args += " --no-kv-offload";
  if (s.swa_full) args += " --swa-full";
  return args;
}

namespace {

// The mapped lookup tables stay paged from the file wherever the layers go; the rest must be resident.
bool placement_fits(const Footprint& f, const Split& bytes, const OffloadLimits& limits) {
  return bytes.device <= limits.device_bytes && f.resident(bytes.host) <= limits.host_bytes;
}

}  // namespace

OffloadPlan offload_plan(const Footprint& f, const LayerTable& t, const SpeedParams& sp, const OffloadLimits& limits,
                         const Placement& p) {
  OffloadPlan plan;
  plan.placement = p;
  const Split bytes = placement_bytes(f, t, p);
  plan.device_bytes = bytes.device;
  plan.host_bytes = bytes.host;
  plan.fits = placement_fits(f, bytes, limits);
  plan.speed = estimate_speed(t, p, sp, limits.fill, f.settings.context, f.settings.ubatch);
  plan.args = llama_args(f.settings, t, p);
  return plan;
}

std::optional<OffloadPlan> best_offload(const Footprint& f, const LayerTable& t, const SpeedParams& sp,
                                        const OffloadLimits& limits) {
  // The placement that fits and decodes fastest; its plan (the prefill, the arguments) is made once it is chosen.
  std::optional<Placement> best;
  double best_tps = 0;
  const auto consider = [&](const Placement& p) {
    if (!placement_fits(f, placement_bytes(f, t, p), limits)) return;
    const double tps = decode_speed(t, p, sp, limits.fill, f.settings.context).decode_tps;
    if (!best || tps > best_tps) best = p, best_tps = tps;
  };
  const std::uint64_t layers = t.layers.size();
  for (std::uint64_t g = layers + 1; g-- > 0;) consider({g, 0});
  if (t.expert_count > 1) {
    for (std::uint64_t m = 1; m <= layers; ++m) consider({layers, m});
  }
  if (!best) return std::nullopt;
  return offload_plan(f, t, sp, limits, *best);
}

}  // namespace fitcheck

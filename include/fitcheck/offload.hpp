#pragma once
// Offload plans: when a model does not fit in VRAM, the split llama.cpp can run with part of it in host
// RAM (-ngl N, or --n-cpu-moe N for MoE models), the fastest one that fits both memories.
#include <cstdint>
#include <optional>
#include <string>

#include "fitcheck/budget.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/speed.hpp"

namespace fitcheck {

struct OffloadPlan {
  Placement placement;
  std::uint64_t device_bytes = 0;
  std::uint64_t host_bytes = 0;
  bool fits = false;  // device within the budget and host within the RAM limit
  Speed speed;
  std::string args;  // llama.cpp / llama-server flags that reproduce it
};

// Device and host bytes of a placement: the all-on-GPU footprint with the CPU's layers (weights and
// cache), the experts kept on the CPU and, when the output stays on the CPU, its device copy moved off
// the device; any layer on the CPU also costs a CPU compute buffer.
Split placement_bytes(const Footprint& all_on_gpu_footprint, const LayerTable& table, const Placement& placement);

// The experts a placement keeps on the CPU (of its CPU layers and of --n-cpu-moe): llama.cpp maps them from the
// file (unless --no-mmap or --mlock) and a token reads only the routed few, so RAM short of them pages from disk
// rather than failing. Dense weights on the CPU are read whole every token: they must stay in RAM.
std::uint64_t placement_expert_bytes(const LayerTable& table, const Placement& placement);

struct OffloadLimits {
  std::uint64_t device_bytes = 0;  // the device budget
  std::uint64_t host_bytes = 0;    // host RAM a plan may use (RAM less the OS reserve)
  std::uint64_t fill = 1024;       // tokens in the context for decode_tps
};

// The fastest fitting plan: every -ngl from all layers down, and for MoE models every --n-cpu-moe with
// all layers on the GPU. nullopt when none fits.
std::optional<OffloadPlan> best_offload(const Footprint& all_on_gpu_footprint, const LayerTable& table, const SpeedParams& params,
                                        const OffloadLimits& limits);

// The plan for one placement (fits or not).
OffloadPlan offload_plan(const Footprint& all_on_gpu_footprint, const LayerTable& table, const SpeedParams& params,
                         const OffloadLimits& limits, const Placement& placement);

// "-ngl 99 --n-cpu-moe 8 -c 32768 -fa on" (plus -ctk/-ctv, -ub, -np, --swa-full, --kv-unified when not the default).
std::string llama_args(const Settings& settings, const LayerTable& table, const Placement& placement);
// The same for -ngl gpu_layers (99: all) and --n-cpu-moe cpu_moe_layers.
std::string llama_flags(const Settings& settings, std::uint64_t gpu_layers, std::uint64_t cpu_moe_layers);

}  // namespace fitcheck

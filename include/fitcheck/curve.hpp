#pragma once
// The VRAM cliff as data: predicted decode speed and memory over a sweep of contexts, or over every
// model x preset at one context. A point that does not fit in device memory runs as the best offload plan.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/planner.hpp"

namespace fitcheck {

struct CurvePoint {
  std::string model;
  std::string quant;
  std::uint64_t context = 0;
  std::uint64_t device_bytes = 0;  // as it runs: the footprint when it fits, else the offload plan's
  std::uint64_t host_bytes = 0;
  std::uint64_t needed_device_bytes = 0;   // everything on the device
  bool resident = false;                   // all in device memory, nothing spilled
  std::optional<double> decode_tps;        // nullopt: it does not run (host RAM too small, or unified memory)
  std::optional<double> prefill_tps_full;  // a prompt that fills the context; nullopt: unknown or it does not run
  std::string args;                        // llama.cpp flags of the plan that runs
};

// What a curve's x axis sweeps.
enum class CurveAxis { context, models };
inline constexpr EnumName<CurveAxis> k_axis_names[] = {{"context", CurveAxis::context}, {"models", CurveAxis::models}};

struct Curve {
  CurveAxis over = CurveAxis::context;
  std::vector<CurvePoint> points;
  std::optional<std::size_t> spill_start;  // the first point that no longer fits in device memory
};

// Contexts from 1024 (or less for a short model) to the model's maximum, four per doubling, padded.
std::vector<std::uint64_t> context_grid(std::uint64_t max_context, std::uint64_t pad);

Curve context_curve(const ModelSetup& setup, const Budget& budget, const SpeedSetup& speed);
// Every model x preset at settings.context, smallest device footprint first.
Curve model_curve(const Catalog& catalog, const Runtime& runtime, const Settings& settings, const Budget& budget,
                  const SpeedSetup& speed);

// The preset a context curve shows when the user names none: the best at or above the floor that fits at
// `context`, else the smallest that fits at all, else the smallest at the floor. `why` says which.
struct PresetChoice {
  const Preset* preset = nullptr;
  std::string why;
};
PresetChoice curve_preset(const Catalog& catalog, const Model& model, const Runtime& runtime, const Settings& settings,
                          const Budget& budget, unsigned min_bits);

}  // namespace fitcheck

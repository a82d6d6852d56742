#pragma once
// The recommendation: the largest model that fits at or above a quality floor and a minimum context,
// the best preset for it, then the largest context that fits.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/offload.hpp"
#include "fitcheck/setup.hpp"
#include "fitcheck/speed.hpp"

namespace fitcheck {

// How fast a deployment runs and whether it may spill to host RAM.
struct SpeedSetup {
  SpeedParams params;
  OffloadLimits limits;        // host RAM and fill from the user; the device budget comes from the Budget
  bool allow_offload = false;  // a deployment that does not fit in VRAM may run with part of it in host RAM
  double min_tps = 0;          // decode tokens/s a plan must reach (at limits.fill)
};

struct Constraints {
  unsigned min_bits = 4;  // quality floor: presets with nominal_bits >= min_bits
  std::uint64_t min_context = 8192;
  Settings settings;                // kv types, ubatch, parallel...; context is searched
  std::optional<SpeedSetup> speed;  // set: every candidate carries its speed, and offload/min_tps apply
};

// Whether a deployment qualifies on a budget, computed once by judge(): in memory (or an offload plan when
// allowed) and fast enough.
struct Verdict {
  FitResult fit;                       // in device memory, with no offload
  std::optional<Speed> speed;          // all layers on the device (CPU backend: all on the CPU)
  std::optional<OffloadPlan> offload;  // with allow_offload on a discrete GPU: the plan that runs, if any
  bool qualifies = false;              // runs (in memory, or offloaded when allowed) at min_tps or faster
  double decode_tps() const;           // of the plan that runs (offload or not); 0 without a speed setup
};
Verdict judge(const Footprint& footprint, const LayerTable& table, const Budget& budget, const std::optional<SpeedSetup>& speed);
// The verdict of a setup at `context`.
Verdict judge_at(const ModelSetup& setup, const Budget& budget, const std::optional<SpeedSetup>& speed, std::uint64_t context);

struct Candidate {
  std::string model;
  std::string quant;
  bool above_floor = false;
  std::uint64_t max_context = 0;  // largest qualifying context, at least min_context (0: none)
  Footprint footprint;            // at max_context when it qualifies, else at min_context
  Verdict verdict;                // at that footprint
  bool qualifies() const { return max_context != 0; }
};

struct Plan {
  Budget budget;
  Constraints constraints;
  std::vector<Candidate> candidates;     // every model x preset, models small to large, presets best first
  std::optional<std::size_t> chosen;     // index into candidates
  std::vector<std::size_t> next_bigger;  // the options one step up that do not fit (why lines)
};

Plan recommend(const Catalog& catalog, const Budget& budget, const Runtime& runtime, const Constraints& constraints);

// Largest context (a multiple of the cell pad, at least `from`, at most the model's max) that qualifies,
// or 0 when `from` does not.
std::uint64_t max_fitting_context(const ModelSetup& setup, const Budget& budget, std::uint64_t from,
                                  const std::optional<SpeedSetup>& speed = std::nullopt);

}  // namespace fitcheck

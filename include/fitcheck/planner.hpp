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

// What the answer optimises once the largest model is found (--prefer).
enum class Preference { balanced, speed, quality, context };
inline constexpr EnumName<Preference> k_preference_names[] = {{"balanced", Preference::balanced},
                                                              {"speed", Preference::speed},
                                                              {"quality", Preference::quality},
                                                              {"context", Preference::context}};

struct Constraints {
  unsigned min_bits = 4;  // quality floor: presets with nominal_bits >= min_bits
  std::uint64_t min_context = 8192;
  Settings settings;                // kv types, ubatch, parallel...; context is searched
  std::optional<SpeedSetup> speed;  // set: every candidate carries its speed, and offload/min_tps apply
  // The policy (README "The recommendation policy"; data/runtimes.json "policy").
  Preference prefer = Preference::balanced;
  std::uint64_t target_context = 0;         // balanced: met before a preset above the community default; 0: none
  const Preset* quality_ceiling = nullptr;  // presets ranked above it are chosen only with --prefer quality
  const Preset* community_default = nullptr;
  bool load_projector = false;     // the default launch loads the mmproj of a model that takes images
  std::vector<std::string> needs;  // modalities a model must take ("image", "audio")
  std::string kv_fallback;         // a KV type to try when f16 misses the answer; empty: none
  double offload_min_tps = 5;      // the floor of the "offload" alternative
};

// The settings a model runs with under the constraints: the projector loaded when the launch loads it.
Settings settings_for(const Constraints& c, const Model& model);
// Whether the model takes every modality the constraints need.
bool meets_needs(const Constraints& c, const Model& model);

// Whether a deployment qualifies on a budget, computed once by judge(): in memory (or an offload plan when
// allowed) and fast enough.
struct Verdict {
  FitResult fit;                       // in device memory, with no offload
  std::optional<Speed> speed;          // all layers on the device (CPU backend: all on the CPU)
  std::optional<OffloadPlan> offload;  // with allow_offload on a discrete GPU: the plan that runs, if any
  bool qualifies = false;              // runs (in memory, or offloaded when allowed) at min_tps or faster
  double decode_tps() const;           // of the plan that runs (offload or not); 0 without a speed setup
  // The speed of the plan that runs: its offload split's when part of it is in host RAM; null without a setup.
  const Speed* running_speed() const;
};
Verdict judge(const Footprint& footprint, const LayerTable& table, const Budget& budget, const std::optional<SpeedSetup>& speed);
// The verdict of a setup at `context`.
Verdict judge_at(const ModelSetup& setup, const Budget& budget, const std::optional<SpeedSetup>& speed, std::uint64_t context);

struct Candidate {
  std::string model;
  std::string quant;
  int quality_rank = 0;            // the preset's
  std::uint64_t model_params = 0;  // the model's text parameters
  std::uint64_t model_max_context = 0;
  bool above_floor = false;
  std::uint64_t max_context = 0;  // largest qualifying context, at least min_context (0: none)
  Footprint footprint;            // at max_context when it qualifies, else at min_context
  Verdict verdict;                // at that footprint
  bool qualifies() const { return max_context != 0; }
  // Device and host bytes of the plan that runs: its offload split when part of it is in host RAM.
  Split placed() const;
};

// A plan with its model's MTP drafter added (llama-server --spec-type draft-mtp): the drafter's device bytes at
// the plan's context, whether they fit beside it within the budget, and its speed over the published acceptance.
struct MtpOption {
  std::uint64_t draft_bytes = 0;
  bool fits = false;
  MtpSpeed speed;
};
// None when the model has no drafter with published acceptance, the speed is unknown, or part of it is in host RAM.
std::optional<MtpOption> mtp_option(const Catalog& catalog, const Candidate& c, const Budget& budget);

// Another plan worth knowing (JSON "alternatives"): what it optimises, and the candidate it is.
struct Alternative {
  std::string kind;  // "fastest", "longest_context", "best_quality", "offload"
  Candidate candidate;
};

struct Plan {
  Budget budget;
  Constraints constraints;
  std::vector<Candidate> candidates;     // every model x preset, models small to large, presets best first
  std::optional<std::size_t> chosen;     // index into candidates
  std::vector<std::size_t> next_bigger;  // the options one step up that do not fit (why lines)
  std::vector<Alternative> alternatives;
  std::string why_preset;         // why the chosen preset, in words
  bool kv_fallback_used = false;  // the answer needs constraints.kv_fallback (f16 missed it)
};

// Why a step up from the answer is not the answer (JSON next_bigger[].reason): "memory" (over the budget),
// "speed" (below min_tps), "min_context" (the model holds less), "target_context" (it fits but holds less
// than the target the balanced policy meets first).
const char* why_not_reason(const Candidate& candidate, const Constraints& constraints);

// Every candidate, the answer and its alternatives; with a kv_fallback, the f16 answer unless the fallback
// gives a larger model or meets the target context where f16 does not.
Plan recommend(const Catalog& catalog, const Budget& budget, const Runtime& runtime, const Constraints& constraints);

// Largest context (a multiple of the cell pad, at least `from`, at most the model's max) that qualifies,
// or 0 when `from` does not.
std::uint64_t max_fitting_context(const ModelSetup& setup, const Budget& budget, std::uint64_t from,
                                  const std::optional<SpeedSetup>& speed = std::nullopt);

}  // namespace fitcheck

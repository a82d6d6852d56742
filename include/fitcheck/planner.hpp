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

namespace fitcheck {

struct Constraints {
  unsigned min_bits = 4;               // quality floor: presets with nominal_bits >= min_bits
  std::uint64_t min_context = 8192;
  Settings settings;                   // kv types, ubatch, parallel...; context is searched
};

struct Candidate {
  std::string model;
  std::string quant;
  bool above_floor = false;
  bool fits = false;                   // fits at min_context
  std::uint64_t max_context = 0;       // largest fitting context (0 when it does not fit)
  Footprint footprint;                 // at max_context when it fits, else at min_context
  FitResult fit;
};

struct Plan {
  Budget budget;
  Constraints constraints;
  std::vector<Candidate> candidates;   // every model x preset, models small to large, presets best first
  std::optional<std::size_t> chosen;   // index into candidates
  std::vector<std::size_t> next_bigger; // the options one step up that do not fit (why lines)
};

Plan recommend(const Catalog& catalog, const Budget& budget, const Runtime& runtime, const Constraints& constraints);

// Largest context (a multiple of the cell pad, at least `from`, at most the model's max) that fits,
// or 0 when `from` does not fit.
std::uint64_t max_fitting_context(const Catalog& catalog, const Model& model, const Preset& preset,
                                  const WeightPlan& weights, const Runtime& runtime, Settings settings,
                                  const Budget& budget, std::uint64_t from);

}  // namespace fitcheck

#pragma once
// The recommendation policy (README "The recommendation policy"): which candidate answers, why, and the
// alternatives beside it. Candidates come grouped by model (small to large), presets best first.
#include <cstddef>

#include "fitcheck/planner.hpp"

namespace fitcheck {

// Sets plan.chosen, why_preset, next_bigger and the fastest / longest-context / best-quality alternatives.
void choose(Plan& plan, std::size_t per_model);
// Whether the f16 answer leaves room for a quantized KV cache to help: nothing qualifies, or the balanced
// answer holds less than the target context.
bool misses_answer(const Plan& plan);
// Whether `fallback` (a quantized KV cache) answers better than `plan`: a larger model, or the same model
// reaching the target context that `plan` misses.
bool improves_on(const Plan& fallback, const Plan& plan, std::size_t per_model);

}  // namespace fitcheck

#include "fitcheck/planner.hpp"

#include <algorithm>

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

struct ModelTensors {
  const Model* model;
  std::shared_ptr<const std::vector<Tensor>> tensors;
};

// Every model with its tensor list (built once), smallest text model first.
std::vector<ModelTensors> models_small_to_large(const Catalog& catalog, const Settings& settings) {
  std::vector<std::pair<std::uint64_t, ModelTensors>> sized;
  for (const Model& m : catalog.models) {
    if (!supports_modalities(m, settings)) continue;  // e.g. --audio leaves out the 26B A4B and 31B
    auto tensors = std::make_shared<const std::vector<Tensor>>(model_tensors(m));
    sized.push_back({count_params(m, *tensors).text_total(), {&m, std::move(tensors)}});
  }
  std::stable_sort(sized.begin(), sized.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ModelTensors> out;
  for (auto& entry : sized) out.push_back(std::move(entry.second));
  return out;
}

Candidate evaluate(const ModelSetup& setup, const Budget& budget, const Constraints& c) {
  const Model& model = *setup.model;
  Candidate cand;
  cand.model = model.id;
  cand.quant = setup.preset->id;
  cand.above_floor = setup.preset->nominal_bits >= c.min_bits;
  // A model trained for less than the minimum context cannot qualify, whatever the memory.
  const bool long_enough = c.min_context <= model.max_context;
  const std::uint64_t start = std::min(c.min_context, model.max_context);
  cand.max_context = long_enough ? max_fitting_context(setup, budget, start, c.speed) : 0;
  cand.footprint = footprint_at(setup, cand.qualifies() ? cand.max_context : start);
  cand.verdict = judge(cand.footprint, setup.table, budget, c.speed);
  return cand;
}

}  // namespace

double Verdict::decode_tps() const {
  if (offload) return offload->speed.decode_tps;
  return speed ? speed->decode_tps : 0;
}

Verdict judge(const Footprint& f, const LayerTable& table, const Budget& budget, const std::optional<SpeedSetup>& setup) {
  Verdict v;
  v.fit = check_fit(budget, f);
  if (!setup) {
    v.qualifies = v.fit.fits;
    return v;
  }
  const bool cpu = f.settings.backend == Backend::cpu;
  v.speed = estimate_speed(table, resident_placement(table, f.settings.backend), setup->params, setup->limits.fill,
                           f.settings.context, f.settings.ubatch);
  // Offload helps only a discrete GPU: unified memory and the CPU backend already hold everything in RAM.
  const bool can_offload = setup->allow_offload && !cpu && budget.memory_kind == MemoryKind::vram;
  if (can_offload) {
    OffloadLimits limits = setup->limits;
    limits.device_bytes = budget.device_bytes;
    // In VRAM already: the plan is everything on the GPU (reported with its flags).
    v.offload = v.fit.fits ? offload_plan(f, table, setup->params, limits, all_on_gpu(table))
                           : best_offload(f, table, setup->params, limits);  // only plans that fit both memories
  }
  const bool runs = can_offload ? v.offload.has_value() : v.fit.fits;
  v.qualifies = runs && v.decode_tps() >= setup->min_tps;
  return v;
}

Verdict judge_at(const ModelSetup& setup, const Budget& budget, const std::optional<SpeedSetup>& speed, std::uint64_t context) {
  return judge(footprint_at(setup, context), setup.table, budget, speed);
}

std::uint64_t max_fitting_context(const ModelSetup& setup, const Budget& budget, std::uint64_t from,
                                  const std::optional<SpeedSetup>& speed) {
  const std::uint64_t step = setup.runtime->kv_cell_pad;
  const std::uint64_t max_context = setup.model->max_context;
  const auto qualifies = [&](std::uint64_t context) { return judge_at(setup, budget, speed, context).qualifies; };
  if (!qualifies(from)) return 0;
  if (qualifies(max_context)) return max_context;
  // Invariant: lo * step qualifies (or lo * step < from, which does), hi * step does not.
  std::uint64_t lo = std::max<std::uint64_t>(from / step, 1);
  std::uint64_t hi = ceil_div(max_context, step);
  if (lo * step < from) ++lo;
  if (!qualifies(lo * step)) return from;
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (qualifies(mid * step) ? lo : hi) = mid;
  }
  return lo * step;
}

Plan recommend(const Catalog& catalog, const Budget& budget, const Runtime& runtime, const Constraints& constraints) {
  Plan plan;
  plan.budget = budget;
  plan.constraints = constraints;
  const std::vector<ModelTensors> models = models_small_to_large(catalog, constraints.settings);
  // Candidates are grouped per model, presets best first (the catalog's order): model mi owns
  // candidates [mi * per_model, (mi + 1) * per_model).
  const std::size_t per_model = catalog.presets.size();
  for (const ModelTensors& m : models) {
    for (const Preset& preset : catalog.presets) {
      const ModelSetup setup = make_setup({catalog, *m.model, preset, runtime}, constraints.settings, m.tensors);
      plan.candidates.push_back(evaluate(setup, budget, constraints));
    }
  }
  const auto best_fitting = [&](std::size_t mi) -> std::optional<std::size_t> {
    for (std::size_t i = mi * per_model; i < (mi + 1) * per_model; ++i) {
      if (plan.candidates[i].above_floor && plan.candidates[i].qualifies()) return i;
    }
    return std::nullopt;
  };
  // The cheapest preset at the floor: the step a bigger model would have to take first.
  const auto floor_option = [&](std::size_t mi) -> std::optional<std::size_t> {
    std::optional<std::size_t> best;
    for (std::size_t i = mi * per_model; i < (mi + 1) * per_model; ++i) {
      const Candidate& c = plan.candidates[i];
      if (!c.above_floor) continue;
      if (!best || c.footprint.device_bytes() < plan.candidates[*best].footprint.device_bytes()) best = i;
    }
    return best;
  };
  std::size_t chosen_model = models.size();
  for (std::size_t mi = models.size(); mi-- > 0;) {
    if (auto idx = best_fitting(mi)) {
      plan.chosen = idx;
      chosen_model = mi;
      break;
    }
  }
  if (plan.chosen) {
    // A better preset of the same model that does not fit.
    if (*plan.chosen > chosen_model * per_model) plan.next_bigger.push_back(*plan.chosen - 1);
    if (chosen_model + 1 < models.size()) {
      if (auto idx = floor_option(chosen_model + 1)) plan.next_bigger.push_back(*idx);
    }
  } else if (!models.empty()) {
    if (auto idx = floor_option(0)) plan.next_bigger.push_back(*idx);
  }
  return plan;
}

}  // namespace fitcheck

#include "fitcheck/planner.hpp"

#include <algorithm>

#include "core/policy.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/names.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

struct ModelTensors {
  const Model* model;
  std::shared_ptr<const std::vector<Tensor>> tensors;
  std::uint64_t params = 0;
};

// Every model the constraints allow, with its tensor list (built once), smallest text model first.
std::vector<ModelTensors> models_small_to_large(const Catalog& catalog, const Constraints& c) {
  std::vector<ModelTensors> out;
  for (const Model& m : catalog.models) {
    if (!meets_needs(c, m)) continue;  // e.g. --need audio leaves out the 26B A4B and 31B
    auto tensors = std::make_shared<const std::vector<Tensor>>(model_tensors(m));
    const std::uint64_t params = count_params(m, *tensors).text_total();
    out.push_back({&m, std::move(tensors), params});
  }
  std::stable_sort(out.begin(), out.end(), [](const ModelTensors& a, const ModelTensors& b) { return a.params < b.params; });
  return out;
}

Candidate evaluate(const ModelSetup& setup, const Budget& budget, const Constraints& c) {
  const Model& model = *setup.model;
  Candidate cand;
  cand.model = model.id;
  cand.quant = setup.preset->id;
  cand.quality_rank = setup.preset->quality_rank;
  cand.model_max_context = model.max_context;
  cand.above_floor = setup.preset->nominal_bits >= c.min_bits;
  // A model trained for less than the minimum context cannot qualify, whatever the memory.
  const bool long_enough = c.min_context <= model.max_context;
  const std::uint64_t start = std::min(c.min_context, model.max_context);
  cand.max_context = long_enough ? max_fitting_context(setup, budget, start, c.speed) : 0;
  cand.footprint = footprint_at(setup, cand.qualifies() ? cand.max_context : start);
  cand.verdict = judge(cand.footprint, setup.table, budget, c.speed);
  if (Speed* speed = cand.verdict.speed ? &*cand.verdict.speed : nullptr) {
    const Placement resident = resident_placement(setup.table, cand.footprint.settings.backend);
    speed->mtp = mtp_range(setup.table, resident, c.speed->params, speed->decode_tps);
  }
  return cand;
}

// The largest model one step up from the chosen one, run with part of it in host RAM at the community
// default preset: the plan a discrete GPU reaches with --n-cpu-moe or -ngl.
std::optional<Candidate> offload_option(const Catalog& catalog, const Plan& plan, const Runtime& runtime,
                                        const std::vector<ModelTensors>& models) {
  const Constraints& c = plan.constraints;
  if (!plan.chosen || !c.speed || !c.community_default || plan.budget.memory_kind != MemoryKind::vram) return std::nullopt;
  if (plan.budget.backend == Backend::cpu) return std::nullopt;
  const std::size_t next = *plan.chosen / catalog.presets.size() + 1;
  if (next >= models.size()) return std::nullopt;
  Constraints spill = c;
  spill.speed->allow_offload = true;
  spill.speed->min_tps = std::max(c.speed->min_tps, c.offload_min_tps);
  const Model& model = *models[next].model;
  const Preset& weights = launch_weights(catalog, model, *c.community_default);
  const ModelSetup setup = make_setup({catalog, model, weights, runtime}, settings_for(spill, model), models[next].tensors);
  Candidate cand = evaluate(setup, plan.budget, spill);
  cand.quant = c.community_default->id;
  cand.model_params = models[next].params;
  if (!cand.qualifies() || !cand.verdict.offload) return std::nullopt;
  return cand;
}

Plan plan_once(const Catalog& catalog, const Budget& budget, const Runtime& runtime, const Constraints& constraints) {
  Plan plan;
  plan.budget = budget;
  plan.constraints = constraints;
  const std::vector<ModelTensors> models = models_small_to_large(catalog, constraints);
  for (const ModelTensors& m : models) {
    const Settings settings = settings_for(constraints, *m.model);
    for (const Preset& preset : catalog.presets) {
      // Planned with the file the launch line downloads; named by the preset, as the launch line names it.
      const Preset& weights = launch_weights(catalog, *m.model, preset);
      const ModelSetup setup = make_setup({catalog, *m.model, weights, runtime}, settings, m.tensors);
      plan.candidates.push_back(evaluate(setup, budget, constraints));
      plan.candidates.back().quant = preset.id;
      plan.candidates.back().model_params = m.params;
    }
  }
  choose(plan, catalog.presets.size());
  if (std::optional<Candidate> spilled = offload_option(catalog, plan, runtime, models)) {
    plan.alternatives.push_back({"offload", std::move(*spilled)});
  }
  return plan;
}

}  // namespace

Settings settings_for(const Constraints& c, const Model& model) {
  Settings s = c.settings;
  if (c.load_projector && model.has_modality("image")) s.vision = true;
  for (const std::string& need : c.needs) {
    if (need == "image") s.vision = true;
    if (need == "audio") s.audio = true;
  }
  return s;
}

bool meets_needs(const Constraints& c, const Model& model) {
  const bool all = std::all_of(c.needs.begin(), c.needs.end(), [&](const std::string& n) { return model.has_modality(n); });
  return all && supports_modalities(model, c.settings);
}

const Speed* Verdict::running_speed() const {
  if (offload && !fit.fits) return &offload->speed;
  return speed ? &*speed : nullptr;
}

std::optional<MtpOption> mtp_option(const Catalog& catalog, const Candidate& c, const Budget& budget) {
  const Model& model = catalog.find_model(c.model);
  const Speed* speed = c.verdict.running_speed();
  if (!model.drafter || !speed || !c.verdict.fit.fits) return std::nullopt;
  const std::optional<MtpSpeed> faster = speed->mtp;
  if (!faster) return std::nullopt;
  MtpOption option;
  option.draft_bytes = model.drafter->bytes_at(c.max_context);
  option.fits = checked_add(c.placed().device, option.draft_bytes, "device bytes") <= budget.device_bytes;
  option.speed = *faster;
  return option;
}

Split Candidate::placed() const {
  if (verdict.offload && !verdict.fit.fits) return {verdict.offload->device_bytes, verdict.offload->host_bytes};
  return {footprint.device_bytes(), footprint.host_bytes()};
}

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
  Plan plan = plan_once(catalog, budget, runtime, constraints);
  if (constraints.kv_fallback.empty() || !misses_answer(plan)) return plan;
  Constraints quantized = constraints;
  quantized.settings.kv_type_k = quantized.settings.kv_type_v = constraints.kv_fallback;
  Plan fallback = plan_once(catalog, budget, runtime, quantized);
  if (!improves_on(fallback, plan, catalog.presets.size())) return plan;
  fallback.kv_fallback_used = true;
  return fallback;
}

}  // namespace fitcheck

#include "fitcheck/curve.hpp"

#include <algorithm>
#include <cmath>

#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

// One point as it would run: in device memory when it fits, else as the best offload plan (a curve always
// considers offload and sets no speed floor: it is there to show what spilling costs).
CurvePoint evaluate_point(const ModelSetup& setup, const Budget& budget, const SpeedSetup& speed, std::uint64_t context) {
  const Footprint f = footprint_at(setup, context);
  SpeedSetup spill = speed;
  spill.allow_offload = true;
  spill.min_tps = 0;
  const Verdict v = judge(f, setup.table, budget, spill);
  CurvePoint p;
  p.model = setup.model->id;
  p.quant = setup.preset->id;
  p.context = context;
  p.needed_device_bytes = f.device_bytes();
  p.resident = v.fit.fits;
  if (v.offload) {  // a discrete GPU: the plan that runs, all on the GPU when it fits
    p.device_bytes = v.offload->device_bytes;
    p.host_bytes = v.offload->host_bytes;
    p.decode_tps = v.offload->speed.decode_tps;
    p.prefill_tps_full = v.offload->speed.prefill_tps_full;
    p.args = v.offload->args;
  } else if (p.resident) {  // unified memory or the cpu backend
    p.device_bytes = f.device_bytes();
    p.host_bytes = f.host_bytes();
    p.decode_tps = v.speed->decode_tps;
    p.prefill_tps_full = v.speed->prefill_tps_full;
    p.args = llama_args(f.settings, setup.table, resident_placement(setup.table, f.settings.backend));
  }
  return p;
}

std::optional<std::size_t> first_spill(const std::vector<CurvePoint>& points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].resident) return i;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::uint64_t> context_grid(std::uint64_t max_context, std::uint64_t pad) {
  std::vector<std::uint64_t> grid;
  const std::uint64_t start = std::min<std::uint64_t>(1024, max_context);
  for (double c = static_cast<double>(start); c < static_cast<double>(max_context); c *= std::pow(2.0, 0.25)) {
    const std::uint64_t cells = std::min(round_up(static_cast<std::uint64_t>(c), pad), max_context);
    if (grid.empty() || grid.back() != cells) grid.push_back(cells);
  }
  if (grid.empty() || grid.back() != max_context) grid.push_back(max_context);
  return grid;
}

Curve context_curve(const ModelSetup& setup, const Budget& budget, const SpeedSetup& speed) {
  Curve curve;
  curve.over = CurveAxis::context;
  for (std::uint64_t context : context_grid(setup.model->max_context, setup.runtime->kv_cell_pad)) {
    curve.points.push_back(evaluate_point(setup, budget, speed, context));
  }
  curve.spill_start = first_spill(curve.points);
  return curve;
}

Curve model_curve(const Catalog& catalog, const Runtime& runtime, const Settings& settings, const Budget& budget,
                  const SpeedSetup& speed) {
  Curve curve;
  curve.over = CurveAxis::models;
  for (const Model& model : catalog.models) {
    if (!supports_modalities(model, settings) || settings.context > model.max_context) continue;
    const auto tensors = std::make_shared<const std::vector<Tensor>>(model_tensors(model));
    for (const Preset& preset : catalog.presets) {
      const ModelSetup setup = make_setup({catalog, model, preset, runtime}, settings, tensors);
      curve.points.push_back(evaluate_point(setup, budget, speed, settings.context));
    }
  }
  std::stable_sort(curve.points.begin(), curve.points.end(),
                   [](const CurvePoint& a, const CurvePoint& b) { return a.needed_device_bytes < b.needed_device_bytes; });
  curve.spill_start = first_spill(curve.points);
  return curve;
}

PresetChoice curve_preset(const Catalog& catalog, const Model& model, const Runtime& runtime, const Settings& settings,
                          const Budget& budget, unsigned min_bits) {
  const Preset* smallest_fitting = nullptr;
  const Preset* smallest_at_floor = nullptr;
  std::uint64_t fitting_bytes = 0;
  std::uint64_t floor_bytes = 0;
  for (const Preset& preset : catalog.presets) {  // best quality first
    const Footprint f = footprint(catalog, model, preset, runtime, settings);
    const bool fits = check_fit(budget, f).fits;
    const bool above_floor = preset.nominal_bits >= min_bits;
    if (fits && above_floor) {
      return {&preset, "the best preset at or above " + std::to_string(min_bits) + " bits that fits at " +
                           format_context(settings.context)};
    }
    if (fits && (!smallest_fitting || f.device_bytes() < fitting_bytes))
      smallest_fitting = &preset, fitting_bytes = f.device_bytes();
    if (above_floor && (!smallest_at_floor || f.device_bytes() < floor_bytes))
      smallest_at_floor = &preset, floor_bytes = f.device_bytes();
  }
  if (smallest_fitting) {
    return {smallest_fitting, "nothing at " + std::to_string(min_bits) + " bits fits at " + format_context(settings.context) +
                                  "; the smallest preset that does"};
  }
  return {
      smallest_at_floor ? smallest_at_floor : &catalog.presets.back(),
      "nothing fits at " + format_context(settings.context) + "; the smallest preset at " + std::to_string(min_bits) + " bits"};
}

}  // namespace fitcheck

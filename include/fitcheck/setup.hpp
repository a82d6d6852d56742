#pragma once
// One model at one preset under one runtime and one set of settings: what every question about a
// deployment shares (its footprint at a context, whether it qualifies on a budget, the largest context that
// does). Built once per (model, preset) and passed by reference, as ccache passes its Context&: the weight
// plan and the layer table are computed once, never per probe.
#include <cstdint>
#include <memory>
#include <vector>

#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/speed.hpp"
#include "fitcheck/tensors.hpp"

namespace fitcheck {

struct ModelSetup {
  const Catalog* catalog = nullptr;
  const Model* model = nullptr;
  const Preset* preset = nullptr;
  const Runtime* runtime = nullptr;
  Settings settings;  // as resolved and validated; settings.context is the context asked for
  WeightPlan weights;
  LayerTable table;  // per-layer bytes under `settings` (the same at every context)
};

// The names of a setup: what it is made from.
struct SetupOf {
  const Catalog& catalog;
  const Model& model;
  const Preset& preset;
  const Runtime& runtime;
};

// `tensors`: the model's tensor list when the caller built it already (it is shared by every preset).
ModelSetup make_setup(const SetupOf& of, const Settings& settings, std::shared_ptr<const std::vector<Tensor>> tensors = nullptr);
// The same with the weights planned already (a file's header, a registry's per-tensor types).
ModelSetup make_setup(const SetupOf& of, const Settings& settings, WeightPlan weights);
// The footprint at `context` (the other settings as in the setup).
Footprint footprint_at(const ModelSetup& setup, std::uint64_t context);

}  // namespace fitcheck

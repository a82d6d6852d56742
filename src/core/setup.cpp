#include "fitcheck/setup.hpp"

namespace fitcheck {

ModelSetup make_setup(const SetupOf& of, const Settings& settings, std::shared_ptr<const std::vector<Tensor>> tensors) {
  if (!tensors) tensors = std::make_shared<const std::vector<Tensor>>(model_tensors(of.model));
  return make_setup(of, settings, plan_weights(of.catalog, of.model, std::move(tensors), of.preset, of.runtime));
}

ModelSetup make_setup(const SetupOf& of, const Settings& settings, WeightPlan weights) {
  ModelSetup s;
  s.catalog = &of.catalog;
  s.model = &of.model;
  s.preset = &of.preset;
  s.runtime = &of.runtime;
  s.settings = settings;
  s.weights = std::move(weights);
  s.table = layer_table(of.catalog, of.model, s.weights, settings);
  return s;
}

Footprint footprint_at(const ModelSetup& setup, std::uint64_t context) {
  Settings at = setup.settings;
  at.context = context;
  return footprint(*setup.catalog, *setup.model, *setup.preset, setup.weights, *setup.runtime, at);
}

}  // namespace fitcheck

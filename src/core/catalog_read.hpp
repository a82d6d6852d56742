#pragma once
// The catalog loader's parts: section readers (one JSON object in, one catalog value out) and the checks
// that run once every fragment is read. Internal to the core.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/catalog_node.hpp"
#include "fitcheck/catalog.hpp"

namespace fitcheck {

// catalog_architecture.cpp: a model family's tensor layout.
Architecture read_architecture(const Node& n);

// catalog_models.cpp: models, block types and weight presets.
// A figure's "basis": true for "measured" (a public log), false for "derived" (from rules); else a data error.
bool read_measured(const Node& n);
Model read_model(const Node& n);
BlockType read_block_type(const Node& n);
Preset read_preset(const Node& n);
Preset read_recipe(const Node& n);
FilePrefix read_file_prefix(const Node& n);
// Each recipe becomes its base preset with its own names and changes (once every fragment is read).
void resolve_recipes(Catalog& c);
KvType read_kv_type(const Node& n);

// catalog_platform.cpp: hardware, runtimes, platforms, speed parameters, deployment rules.
Hardware read_hardware(const Node& n);
Runtime read_runtime(const Node& n);
Platform read_platform(const Node& n);
VendorRules read_vendor(const Node& n);
Policy read_policy(const Node& n);
UnifiedMemoryRules read_unified(const Node& n);
void read_speed(const Node& n, Catalog& c);
GpuGraph read_gpu_graph(const Node& n);
ModelName read_model_name(const Node& n);
void read_deployment_rules(const Node& n, DeploymentRules& d);
RuntimeVersions read_runtime_versions(const Node& n);
// "PCIe 4.0 x16 (PCIe card) / SXM4" -> 16 lanes of PCIe 4.0; 0 when the bus is not PCIe.
double pcie_bandwidth(const std::vector<PcieLane>& lanes, const std::string& bus);

// catalog_check.cpp.
// Every "source" string in a document, with its location, so that "{name}" references to the shared
// citations in a top-level "sources" object can be checked once all fragments are read.
struct SourceUse {
  std::string where;
  std::string text;
};
void collect_sources(const nlohmann::json& value, const std::string& fragment, std::string& pointer, std::vector<SourceUse>& out);
void check_source_references(const std::vector<SourceUse>& uses, const std::vector<std::string>& named);
// What the code relies on: every section present, ids unique, every name a section refers to defined.
void check_catalog(const Catalog& c);

}  // namespace fitcheck

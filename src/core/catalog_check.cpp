#include <algorithm>
#include <string>

#include "core/catalog_read.hpp"
#include "core/text.hpp"
#include "fitcheck/error.hpp"

namespace fitcheck {
using nlohmann::json;

void collect_sources(const json& value, const std::string& fragment, std::string& pointer, std::vector<SourceUse>& out) {
  const std::size_t length = pointer.size();
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      pointer += '/';
      pointer += it.key();
      if (it.key() == "source" && it.value().is_string()) {
        const std::string& text = it.value().get_ref<const std::string&>();
        if (text.find('{') != std::string::npos) out.push_back({fragment + " at " + pointer, text});
      } else if (it.value().is_structured())
        collect_sources(it.value(), fragment, pointer, out);
      pointer.resize(length);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      pointer += '/';
      pointer += std::to_string(i);
      collect_sources(value[i], fragment, pointer, out);
      pointer.resize(length);
    }
  }
}

void check_source_references(const std::vector<SourceUse>& uses, const std::vector<std::string>& named) {
  for (const SourceUse& use : uses) {
    for (std::size_t open = use.text.find('{'); open != std::string::npos; open = use.text.find('{', open + 1)) {
      const std::size_t close = use.text.find('}', open);
      const std::string name = use.text.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
      if (close == std::string::npos || std::find(named.begin(), named.end(), name) == named.end()) {
        throw Error(Errc::data, "invalid catalog " + use.where + ": source refers to '{" + name +
                                    "}', which no top-level \"sources\" object defines");
      }
    }
  }
}

namespace {

[[noreturn]] void fail(const Catalog& c, const std::string& what) {
  throw Error(Errc::data, "invalid catalog " + c.source + ": " + what);
}

void require_nonempty(const Catalog& c, bool empty, const char* section) {
  if (empty) fail(c, std::string("section '") + section + "' is missing or empty");
}

void require_unique(const Catalog& c, std::vector<std::string> ids, const char* what) {
  for (std::string& id : ids) id = text::lower(id);
  std::sort(ids.begin(), ids.end());
  const auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup != ids.end()) fail(c, std::string("duplicate ") + what + " '" + *dup + "'");
}

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& items) {
  std::vector<std::string> ids;
  for (const T& item : items) ids.push_back(item.id);
  return ids;
}

template <class T>
bool has_id(const std::vector<T>& items, const std::string& id) {
  return std::any_of(items.begin(), items.end(), [&](const T& item) { return item.id == id; });
}

const BlockType* find_block(const Catalog& c, const std::string& name) {
  for (const BlockType& b : c.block_types) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

void require_block(const Catalog& c, const std::string& name, const std::string& where) {
  if (!find_block(c, name)) fail(c, where + " names unknown block type '" + name + "'");
}

void check_sections(const Catalog& c) {
  require_nonempty(c, c.name.empty(), "catalog");
  require_nonempty(c, c.models.empty(), "models");
  require_nonempty(c, c.block_types.empty(), "block_types");
  require_nonempty(c, c.presets.empty(), "presets");
  require_nonempty(c, c.kv_types.empty(), "kv_types");
  require_nonempty(c, c.hardware.empty(), "hardware");
  require_nonempty(c, c.runtimes.empty(), "runtimes");
  require_nonempty(c, c.backend_speeds.empty(), "speed");
}

// Ids are unique (case-insensitively, as they are looked up), and a model alias is no other model's name.
void check_ids(const Catalog& c) {
  std::vector<std::string> model_names = ids_of(c.models);
  for (const Model& m : c.models) model_names.insert(model_names.end(), m.aliases.begin(), m.aliases.end());
  require_unique(c, model_names, "model id or alias");
  std::vector<std::string> weight_names = ids_of(c.presets);
  for (const Preset& p : c.presets) weight_names.insert(weight_names.end(), p.aliases.begin(), p.aliases.end());
  for (const Preset& r : c.recipes) {
    weight_names.push_back(r.id);
    weight_names.insert(weight_names.end(), r.aliases.begin(), r.aliases.end());
  }
  require_unique(c, weight_names, "preset or recipe name");
  require_unique(c, ids_of(c.architectures), "architecture id");
  require_unique(c, ids_of(c.kv_types), "kv type id");
  require_unique(c, ids_of(c.hardware), "hardware id");
  require_unique(c, ids_of(c.runtimes), "runtime id");
  require_unique(c, ids_of(c.platforms), "platform id");
  require_unique(c, ids_of(c.backend_speeds), "speed backend id");
  std::vector<std::string> blocks;
  for (const BlockType& b : c.block_types) blocks.push_back(b.name);
  require_unique(c, blocks, "block type");
}

// Whether some architecture's decoder block holds a tensor of this name ("attn_k.weight").
bool is_layer_tensor(const Catalog& c, const std::string& name) {
  return std::any_of(c.architectures.begin(), c.architectures.end(), [&](const Architecture& a) {
    return std::any_of(a.layer.begin(), a.layer.end(), [&](const TensorTemplate& t) { return t.name == name; });
  });
}

// Every block type a preset, a KV type or the code names exists; the float types hold one weight a block.
void check_block_types(const Catalog& c) {
  for (const BlockType& b : c.block_types) {
    if (!b.fallback.empty()) require_block(c, b.fallback, "block type " + b.name + " fallback");
    const BlockType* same_id = b.ggml_type < 0 ? nullptr : c.block_type_of_ggml(static_cast<std::uint64_t>(b.ggml_type));
    if (same_id != &b && same_id) fail(c, "block types " + same_id->name + " and " + b.name + " have the same ggml_type");
  }
  for (const Preset& p : c.presets) {
    require_block(c, p.default_type, "preset " + p.id);
    require_block(c, p.float_type, "preset " + p.id);
    if (!p.output_type.empty()) require_block(c, p.output_type, "preset " + p.id);
    for (const PresetRule& r : p.rules) require_block(c, r.type, "preset " + p.id + " rule");
  }
  for (const Preset& r : c.recipes) {
    require_block(c, r.default_type, "recipe " + r.id);
    for (const TensorTypeOverride& t : r.tensor_types) require_block(c, t.type, "recipe " + r.id + " tensor type");
    for (const PresetRule& rule : r.rules) require_block(c, rule.type, "recipe " + r.id + " rule");
    for (const std::string& name : r.kv_shared_omitted) {
      if (!is_layer_tensor(c, name)) fail(c, "recipe " + r.id + " omits '" + name + "', which no architecture has in a layer");
    }
    for (const PublishedFile& f : r.published) {
      if (!has_id(c.models, f.model)) fail(c, "recipe " + r.id + " names unknown model '" + f.model + "'");
    }
    for (const std::string& m : r.fitted_to) {
      if (!has_id(c.models, m)) fail(c, "recipe " + r.id + " is fitted to unknown model '" + m + "'");
    }
  }
  for (const FilePrefix& f : c.file_prefixes) {
    const bool has_mix =
        std::any_of(c.recipes.begin(), c.recipes.end(), [&](const Preset& r) { return r.publisher == f.publisher; });
    if (!has_mix) fail(c, "file prefix '" + f.prefix + "' names publisher '" + f.publisher + "', which has no recipe");
  }
  for (const KvType& k : c.kv_types) require_block(c, k.block_type, "kv type " + k.id);
  // The tensor model keeps norms in F32, unquantizable tensors in F16, an odd-width output in Q8_0; the
  // projector comes as F16, BF16 or Q8_0.
  for (const char* needed : {"F32", "F16", "BF16", "Q8_0"}) require_block(c, needed, "the tensor model");
  for (const char* plain : {"F32", "F16", "BF16"}) {
    if (find_block(c, plain)->block_elems != 1) fail(c, std::string("block type ") + plain + " must hold one weight a block");
  }
}

// Every hardware profile's vendor (and a custom target's) has its rules, naming a backend the code has.
void check_vendors(const Catalog& c) {
  std::vector<std::string> names;
  for (const VendorRules& v : c.vendors) {
    names.push_back(v.vendor);
    const bool known = v.backend == "cpu" || has_id(c.platforms, v.backend);
    if (!known) fail(c, "vendor " + v.vendor + " names backend '" + v.backend + "', which has no platform");
  }
  require_unique(c, names, "vendor");
  const auto require = [&](const std::string& vendor, const std::string& who) {
    if (std::find(names.begin(), names.end(), vendor) == names.end()) {
      fail(c, who + " names vendor '" + vendor + "', which \"vendors\" does not list");
    }
  };
  for (const Hardware& h : c.hardware) require(h.vendor, "hardware " + h.id);
  require(c.policy.custom_vram_vendor, "policy custom_vram_vendor");
  for (const std::string& preset : {c.policy.quality_ceiling, c.policy.community_default}) {
    if (!has_id(c.presets, preset)) fail(c, "policy names unknown preset '" + preset + "'");
  }
  if (!has_id(c.kv_types, c.policy.kv_fallback)) fail(c, "policy names unknown KV type '" + c.policy.kv_fallback + "'");
  require(c.policy.custom_unified_vendor, "policy custom_unified_vendor");
}

void check_backends(const Catalog& c) {
  for (const char* platform : {"cuda", "rocm", "metal", "vulkan"}) {
    if (!has_id(c.platforms, platform)) fail(c, std::string("platform '") + platform + "' is missing");
  }
  for (const char* backend : {"cpu", "cuda", "rocm", "metal", "vulkan"}) {
    if (!has_id(c.backend_speeds, backend)) fail(c, std::string("speed parameters for backend '") + backend + "' are missing");
  }
  require_unique(c, ids_of(c.gpu_graph.backends), "gpu_graph backend id");
  for (const char* backend : {"cuda", "rocm", "metal", "vulkan"}) {
    if (!has_id(c.gpu_graph.backends, backend)) fail(c, std::string("gpu_graph entry for backend '") + backend + "' is missing");
  }
  for (const std::string& backend : c.gpu_graph.kv_copy.backends) {
    if (!has_id(c.gpu_graph.backends, backend)) fail(c, "gpu_graph flash_attn_kv_copy names unknown backend '" + backend + "'");
  }
  for (const std::string& type : c.gpu_graph.kv_copy.types) {
    if (!has_id(c.kv_types, type)) fail(c, "gpu_graph flash_attn_kv_copy names unknown KV type '" + type + "'");
  }
}

// The releases of llama.cpp and Ollama, each runtime once with every setting the code reads.
template <std::size_t N>
void require_settings(const Catalog& c, const char* runtime, const char* const (&settings)[N]) {
  const auto r = std::find_if(c.runtime_versions.begin(), c.runtime_versions.end(),
                              [&](const RuntimeVersions& v) { return v.runtime == runtime; });
  if (r == c.runtime_versions.end()) fail(c, std::string("runtime_versions entry for '") + runtime + "' is missing");
  std::vector<std::string> named;
  for (const VersionedSetting& s : r->settings) named.push_back(s.setting);
  const std::string what = std::string(runtime) + " version setting";
  require_unique(c, named, what.c_str());
  for (const char* setting : settings) {
    if (std::find(named.begin(), named.end(), setting) == named.end())
      fail(c, std::string("runtime_versions: ") + runtime + " needs setting '" + setting + "'");
  }
}

void check_runtime_versions(const Catalog& c) {
  std::vector<std::string> runtimes;
  for (const RuntimeVersions& r : c.runtime_versions) runtimes.push_back(r.runtime);
  require_unique(c, runtimes, "runtime_versions runtime");
  require_settings(c, "llama.cpp", k_llama_version_settings);
  require_settings(c, "ollama", k_ollama_version_settings);
}

// Deployment names point at catalog models and presets, one entry a model.
void check_deployment(const Catalog& c) {
  const DeploymentRules& d = c.deployment;
  if (!d.present()) return;
  std::vector<std::string> named;
  for (const ModelName& n : d.names) {
    if (!has_id(c.models, n.model)) fail(c, "model_names names unknown model '" + n.model + "'");
    named.push_back(n.model);
  }
  require_unique(c, named, "model_names entry for model");
  for (const std::string& preset : {d.hf_default_preset, d.ollama.default_preset, std::string("BF16"), std::string("F16")}) {
    if (!has_id(c.presets, preset)) fail(c, "deployment rules need preset '" + preset + "', which the catalog does not define");
  }
  if (d.vllm.batch_defaults.empty()) fail(c, "deployment_runtimes: model_names need the vllm rules too");
  std::vector<std::string> dtypes;
  for (const VllmKvDtype& k : d.vllm.kv_cache_dtypes) dtypes.push_back(k.id);
  require_unique(c, dtypes, "vLLM kv_cache_dtype");
  check_runtime_versions(c);
}

}  // namespace

void check_catalog(const Catalog& c) {
  check_sections(c);
  check_ids(c);
  check_block_types(c);
  check_backends(c);
  check_vendors(c);
  check_deployment(c);
}

}  // namespace fitcheck

#include "fitcheck/catalog.hpp"

#include <algorithm>

#include "core/catalog_read.hpp"
#include "core/json_input.hpp"
#include "core/text.hpp"
#include "fitcheck/error.hpp"

namespace fitcheck {
namespace detail {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_catalog_fragments();
}

bool Model::has_modality(std::string_view modality) const {
  return std::find(modalities.begin(), modalities.end(), modality) != modalities.end();
}

std::uint64_t BlockType::row_bytes(std::uint64_t row_elems) const { return row_elems / block_elems * block_bytes; }

namespace {

using nlohmann::json;

template <class T, class F>
void read_section(const Node& root, const char* key, std::vector<T>& out, F read) {
  if (!root.has(key)) return;
  for (const Node& item : root.at(key).items()) out.push_back(read(item));
}

json parse_fragment(const std::string& name, std::string_view text, CatalogChecks checks) {
  json doc;
  if (const std::optional<JsonProblem> problem = parse_json(text, doc, checks == CatalogChecks::all)) {
    const std::string at = problem->byte ? " at byte " + std::to_string(problem->byte) : "";
    const char* hint = problem->truncated ? ": it ends early (a truncated file?)"
                       : problem->byte    ? " (check for a missing comma, quote or bracket)"
                                          : "";
    throw Error(Errc::data, "invalid catalog " + name + ": " + problem->what + at + hint);
  }
  return doc;
}

// The top-level "sources" object: named citations that "source" strings refer to as "{name}".
void read_named_sources(const Node& root, std::vector<std::string>& named) {
  if (!root.has("sources")) return;
  const Node sources = root.at("sources");
  if (!sources.json().is_object()) sources.fail("expected an object of named citations");
  for (auto it = sources.json().begin(); it != sources.json().end(); ++it) {
    sources.at(it.key().c_str()).nonempty();
    named.push_back(it.key());
  }
}

struct Loading {
  Catalog catalog;
  CatalogChecks checks = CatalogChecks::all;
  bool have_unified = false;
  bool have_policy = false;
  bool have_gpu_graph = false;
  std::vector<SourceUse> source_uses;
  std::vector<std::string> named_sources;
};

void read_fragment(const std::string& name, std::string_view text, Loading& l) {
  const json doc = parse_fragment(name, text, l.checks);
  const Node root(doc, name);
  if (!doc.is_object()) root.fail("expected a JSON object at the top level");
  std::string pointer;
  if (l.checks == CatalogChecks::all) collect_sources(doc, name, pointer, l.source_uses);
  read_named_sources(root, l.named_sources);
  Catalog& c = l.catalog;
  if (root.has("catalog")) {
    c.name = root.at("catalog").at("name").nonempty();
    c.version = root.at("catalog").at("version").nonempty();
  }
  read_section(root, "architectures", c.architectures, read_architecture);
  read_section(root, "models", c.models, read_model);
  read_section(root, "block_types", c.block_types, read_block_type);
  read_section(root, "presets", c.presets, read_preset);
  read_section(root, "recipes", c.recipes, read_recipe);
  read_section(root, "file_prefixes", c.file_prefixes, read_file_prefix);
  read_section(root, "kv_types", c.kv_types, read_kv_type);
  read_section(root, "hardware", c.hardware, read_hardware);
  read_section(root, "runtimes", c.runtimes, read_runtime);
  read_section(root, "platforms", c.platforms, read_platform);
  if (root.has("unified_memory")) {
    c.unified = read_unified(root.at("unified_memory"));
    l.have_unified = true;
  }
  if (root.has("speed")) read_speed(root.at("speed"), c);
  if (root.has("gpu_graph")) {
    c.gpu_graph = read_gpu_graph(root.at("gpu_graph"));
    l.have_gpu_graph = true;
  }
  read_section(root, "vendors", c.vendors, read_vendor);
  if (root.has("policy")) {
    c.policy = read_policy(root.at("policy"));
    l.have_policy = true;
  }
  read_section(root, "model_names", c.deployment.names, read_model_name);
  if (root.has("deployment_runtimes")) read_deployment_rules(root.at("deployment_runtimes"), c.deployment);
  read_section(root, "runtime_versions", c.runtime_versions, read_runtime_versions);
}

// Each model shares its architecture (a model and its copies keep it, whatever happens to the catalog).
void resolve_architectures(Catalog& c) {
  for (Model& m : c.models) {
    const auto it = std::find_if(c.architectures.begin(), c.architectures.end(),
                                 [&](const Architecture& a) { return a.id == m.architecture_id; });
    if (it == c.architectures.end()) {
      throw Error(Errc::data,
                  "invalid catalog " + c.source + ": model " + m.id + " names unknown architecture '" + m.architecture_id + "'");
    }
    m.architecture = std::make_shared<const Architecture>(*it);
  }
}

// A profile whose share is "as" another's takes that profile's measured range.
void resolve_measured_shares(Catalog& c) {
  for (Hardware& h : c.hardware) {
    if (!h.decode_measured_share || h.decode_measured_share->rows_on == h.id) continue;
    const std::string& other = h.decode_measured_share->rows_on;
    const auto it = std::find_if(c.hardware.begin(), c.hardware.end(), [&](const Hardware& x) { return x.id == other; });
    if (it == c.hardware.end() || !it->decode_measured_share || it->decode_measured_share->rows_on != other) {
      throw Error(Errc::data, "invalid catalog " + c.source + ": hardware " + h.id + " takes its decode_measured_share as '" +
                                  other + "', which is no profile with a share measured on it");
    }
    h.decode_measured_share = it->decode_measured_share;
  }
}

}  // namespace

Catalog load_catalog(const std::vector<std::pair<std::string, std::string>>& fragments, std::string source,
                     CatalogChecks checks) {
  Loading l;
  l.checks = checks;
  l.catalog.source = std::move(source);
  for (const auto& [name, text] : fragments) read_fragment(name, text, l);
  check_source_references(l.source_uses, l.named_sources);
  Catalog& c = l.catalog;
  for (const auto& [have, section] : {std::pair{l.have_unified, "unified_memory"}, std::pair{l.have_policy, "policy"},
                                      std::pair{l.have_gpu_graph, "gpu_graph"}}) {
    if (!have) throw Error(Errc::data, "invalid catalog " + c.source + ": section '" + section + "' is missing or empty");
  }
  resolve_recipes(c);
  check_catalog(c);
  resolve_architectures(c);
  resolve_measured_shares(c);
  for (Hardware& h : c.hardware) h.pcie_gbs = pcie_bandwidth(c.pcie_lanes, h.bus);
  std::stable_sort(c.presets.begin(), c.presets.end(),
                   [](const Preset& a, const Preset& b) { return a.quality_rank > b.quality_rank; });
  return c;
}

std::string without_citations(std::string_view text) {
  static constexpr std::string_view k_key = "\"source\": \"";
  std::string out;
  out.reserve(text.size() / 2);
  std::size_t from = 0;
  for (std::size_t at = text.find(k_key); at != std::string_view::npos; at = text.find(k_key, from)) {
    out.append(text.substr(from, at + k_key.size() - from));
    std::size_t end = at + k_key.size();
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    out += '-';  // a citation stays non-empty; its closing quote follows
    from = std::min(end, text.size());
  }
  out.append(text.substr(from));
  return out;
}

std::vector<std::pair<std::string, std::string>> builtin_fragments(bool with_citations) {
  std::vector<std::pair<std::string, std::string>> fragments;
  for (const auto& [name, text] : detail::embedded_catalog_fragments())
    fragments.emplace_back(name, with_citations ? std::string(text) : without_citations(text));
  return fragments;
}

const Catalog& builtin_catalog() {
  // The citations are most of the catalog's text and no answer shows them: the binary reads the built-in catalog
  // without them, and without the checks of its text the tests make (Catalog.BuiltinCitationsAreChecked loads the
  // same files whole, every citation and key checked).
  static const Catalog k_catalog = load_catalog(builtin_fragments(false), "builtin", CatalogChecks::tested);
  return k_catalog;
}

std::string closest_match(std::string_view input, const std::vector<std::string>& candidates) {
  if (input.size() > 128) return "";  // no name is that long; and the distance is quadratic
  const std::string a = text::lower(input);
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, a.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const std::string b = text::lower(candidate);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[b.size()] < best_distance) {
      best_distance = row[b.size()];
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view input, const std::vector<std::string>& candidates) {
  const std::string guess = closest_match(input, candidates);
  return guess.empty() ? "" : "did you mean '" + guess + "'?";
}

namespace {

template <class T>
const T& find_by_id(const std::vector<T>& items, std::string_view id, const char* what, const char* list_hint,
                    const std::vector<std::string>& extra_names = {}) {
  for (const T& item : items) {
    if (text::equals_ignoring_case(item.id, id)) return item;
  }
  std::vector<std::string> names = extra_names;
  for (const T& item : items) names.push_back(item.id);
  const std::string suggestion = did_you_mean(id, names);
  std::string message = std::string("unknown ") + what + " '" + std::string(id) + "'";
  if (!suggestion.empty()) message += ": " + suggestion;
  message += std::string(" (see 'fitcheck list ") + list_hint + "')";
  throw Error(Errc::usage, message);
}

}  // namespace

const Model& Catalog::find_model(std::string_view id) const {
  std::vector<std::string> aliases;
  for (const Model& m : models) {
    for (const std::string& alias : m.aliases) {
      if (text::equals_ignoring_case(alias, id)) return m;
      aliases.push_back(alias);
    }
  }
  return find_by_id(models, id, "model", "models", aliases);
}

const Preset& Catalog::find_preset(std::string_view id) const {
  if (const Preset* p = weights_named(id)) return *p;  // a publisher recipe or an alias too (UD-Q4_K_XL, MXFP4_MOE)
  return find_by_id(presets, id, "quantization preset", "quants");
}
const Preset* Catalog::weights_named(std::string_view wanted) const {
  for (const std::vector<Preset>* list : {&presets, &recipes}) {
    for (const Preset& p : *list) {
      if (text::equals_ignoring_case(p.id, wanted)) return &p;
      for (const std::string& a : p.aliases) {
        if (text::equals_ignoring_case(a, wanted)) return &p;
      }
    }
  }
  return nullptr;
}

const KvType& Catalog::find_kv_type(std::string_view id) const { return find_by_id(kv_types, id, "KV cache type", "kv-types"); }
const Hardware& Catalog::find_hardware(std::string_view id) const { return find_by_id(hardware, id, "GPU", "gpus"); }
const Runtime& Catalog::default_runtime() const { return runtimes.front(); }

namespace {

// A lookup of a name the catalog was validated to hold (by check_catalog): a miss is a bug, not bad input.
template <class T, class Key>
const T& validated(const std::vector<T>& items, std::string_view name, Key key, const char* what) {
  for (const T& item : items) {
    if (key(item) == name) return item;
  }
  throw Error(Errc::internal, std::string(what) + " '" + std::string(name) + "' is not in the catalog");
}

}  // namespace

const BlockType& Catalog::block_type(std::string_view type_name) const {
  return validated(
      block_types, type_name, [](const BlockType& b) { return b.name; }, "block type");
}
const BlockType* Catalog::find_block_type(std::string_view type_name) const {
  for (const BlockType& b : block_types) {
    if (b.name == type_name) return &b;
  }
  return nullptr;
}
const BlockType* Catalog::block_type_of_ggml(std::uint64_t ggml_type) const {
  for (const BlockType& b : block_types) {
    if (b.ggml_type >= 0 && static_cast<std::uint64_t>(b.ggml_type) == ggml_type) return &b;
  }
  return nullptr;
}
const BackendSpeed& Catalog::backend_speed(std::string_view id) const {
  return validated(
      backend_speeds, id, [](const BackendSpeed& b) { return b.id; }, "speed parameters for backend");
}
const GpuGraphBackend& GpuGraph::backend(std::string_view id) const {
  return validated(
      backends, id, [](const GpuGraphBackend& b) { return b.id; }, "gpu_graph entry for backend");
}
const VendorRules& Catalog::vendor(std::string_view vendor_name) const {
  return validated(
      vendors, vendor_name, [](const VendorRules& v) { return v.vendor; }, "vendor");
}
const Platform& Catalog::platform(std::string_view id) const {
  return validated(
      platforms, id, [](const Platform& p) { return p.id; }, "platform");
}

}  // namespace fitcheck

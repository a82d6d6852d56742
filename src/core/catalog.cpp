#include "fitcheck/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <cctype>
#include <nlohmann/json.hpp>

#include "fitcheck/error.hpp"

namespace fitcheck {
namespace detail {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_catalog_fragments();
}

namespace {

using nlohmann::json;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// A JSON value with its location, for error messages: "<fragment> at <pointer>: <why>". The pointer is
// built only when an error needs it: each Node knows its parent and its key or index.
class Node {
 public:
  Node(const json& value, const std::string& fragment) : m_value(value), m_fragment(fragment) {}

  [[noreturn]] void fail(const std::string& why) const {
    const std::string where = pointer();
    throw Error(Errc::data, "invalid catalog " + m_fragment + " at " + (where.empty() ? "/" : where) + ": " + why);
  }
  bool has(const char* key) const { return m_value.is_object() && m_value.contains(key); }
  Node at(const char* key) const {
    if (!m_value.is_object()) fail("expected an object");
    const auto it = m_value.find(key);
    if (it == m_value.end()) {
      throw Error(Errc::data, "invalid catalog " + m_fragment + " at " + pointer() + "/" + key + ": missing required field");
    }
    return Node(*it, m_fragment, this, key, 0);
  }
  Node at(std::size_t index) const { return Node(m_value.at(index), m_fragment, this, nullptr, index); }
  std::vector<Node> items() const {
    if (!m_value.is_array()) fail("expected an array");
    std::vector<Node> out;
    for (std::size_t i = 0; i < m_value.size(); ++i) out.push_back(at(i));
    return out;
  }
  std::uint64_t u64() const {
    if (!m_value.is_number_unsigned() && !(m_value.is_number_integer() && m_value.get<std::int64_t>() >= 0)) {
      fail("expected a non-negative integer");
    }
    return m_value.get<std::uint64_t>();
  }
  std::uint64_t positive() const {
    const std::uint64_t v = u64();
    if (v == 0) fail("expected a positive integer");
    return v;
  }
  double number() const {
    if (!m_value.is_number()) fail("expected a number");
    return m_value.get<double>();
  }
  bool boolean() const {
    if (!m_value.is_boolean()) fail("expected true or false");
    return m_value.get<bool>();
  }
  std::string str() const {
    if (!m_value.is_string()) fail("expected a string");
    return m_value.get<std::string>();
  }
  std::string nonempty() const {
    std::string text = str();
    if (text.empty()) fail("expected a non-empty string");
    return text;
  }
  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (const Node& n : items()) out.push_back(n.nonempty());
    return out;
  }
  // Every object holding numbers must say where they come from.
  void require_source() const {
    if (!has("source")) {
      throw Error(Errc::data, "invalid catalog " + m_fragment + " at " + pointer() +
                                  "/source: missing source: every number in the catalog needs one");
    }
    at("source").nonempty();
  }

 private:
  Node(const json& value, const std::string& fragment, const Node* parent, const char* key, std::size_t index)
      : m_value(value), m_fragment(fragment), m_parent(parent), m_key(key), m_index(index) {}

  std::string pointer() const {
    if (!m_parent) return "";
    return m_parent->pointer() + "/" + (m_key ? std::string(m_key) : std::to_string(m_index));
  }

  const json& m_value;
  const std::string& m_fragment;
  const Node* m_parent = nullptr;
  const char* m_key = nullptr;
  std::size_t m_index = 0;
};

std::vector<LayerKind> expand_layers(const Node& node, std::uint64_t count) {
  const std::string pattern = node.nonempty();
  std::vector<LayerKind> layers;
  for (std::uint64_t i = 0; i < count; ++i) {
    const char c = pattern[i % pattern.size()];
    if (c != 'S' && c != 'F') node.fail("layer_pattern may hold only S (sliding) and F (full)");
    layers.push_back(c == 'F' ? LayerKind::full : LayerKind::sliding);
  }
  if (layers.empty() || layers.back() != LayerKind::full) node.fail("the last layer must be a full-attention layer");
  return layers;
}

AttentionGeometry read_geometry(const Node& node) {
  return {node.at("kv_heads").positive(), node.at("head_dim").positive()};
}

EncoderGraph read_encoder_graph(const Node& n) {
  n.require_source();
  EncoderGraph g;
  g.name = n.at("name").nonempty();
  g.positions = n.at("positions").positive();
  g.hidden = n.at("hidden").positive();
  g.ff = n.at("ff").positive();
  g.heads = n.at("heads").positive();
  g.attention_span = n.at("attention_span").positive();
  g.frontend_bytes = n.at("frontend_bytes").u64();
  if (g.attention_span > g.positions) n.at("attention_span").fail("wider than the positions");
  return g;
}

Model read_model(const Node& n) {
  n.require_source();
  Model m;
  m.id = n.at("id").nonempty();
  if (n.has("aliases")) m.aliases = n.at("aliases").strings();
  m.name = n.at("name").nonempty();
  m.vocab_size = n.at("vocab_size").positive();
  m.hidden_size = n.at("hidden_size").positive();
  const std::uint64_t num_layers = n.at("num_layers").positive();
  if (num_layers > 1024) n.at("num_layers").fail("more than 1024 layers is not a plausible model");
  m.layers = expand_layers(n.at("layer_pattern"), num_layers);
  m.max_context = n.at("max_context").positive();
  m.tied_embeddings = n.at("tied_embeddings").boolean();
  m.rope_freqs = n.at("rope_freqs").u64();
  const Node attn = n.at("attention");
  m.num_heads = attn.at("num_heads").positive();
  m.sliding = read_geometry(attn.at("sliding"));
  m.full = read_geometry(attn.at("full"));
  m.full_layers_k_eq_v = attn.at("full_layers_k_eq_v").boolean();
  m.sliding_window = attn.at("sliding_window").positive();
  m.kv_shared_layers = attn.at("kv_shared_layers").u64();
  if (m.kv_shared_layers >= num_layers) attn.at("kv_shared_layers").fail("must be below num_layers");
  const Node ffn = n.at("ffn");
  m.intermediate_size = ffn.at("intermediate_size").positive();
  m.double_wide_on_kv_shared_layers = ffn.at("double_wide_on_kv_shared_layers").boolean();
  if (n.has("experts")) {
    const Node e = n.at("experts");
    m.expert_count = e.at("count").positive();
    m.experts_active = e.at("active").positive();
    m.expert_intermediate_size = e.at("intermediate_size").positive();
    if (m.experts_active > m.expert_count) e.at("active").fail("more active experts than experts");
  }
  m.per_layer_embedding_dim = n.at("per_layer_embedding_dim").u64();
  m.modalities = n.at("modalities").strings();
  const Node enc = n.at("encoders");
  enc.require_source();
  m.vision_params = enc.at("vision_params").u64();
  m.audio_params = enc.at("audio_params").u64();
  m.encoder_f32_params = enc.at("f32_params").u64();
  if (m.encoder_f32_params > m.vision_params + m.audio_params) enc.at("f32_params").fail("more F32 parameters than encoder parameters");
  if (enc.has("graphs")) {
    for (const Node& g : enc.at("graphs").items()) m.encoder_graphs.push_back(read_encoder_graph(g));
  }
  const Node official = n.at("official");
  official.require_source();
  m.official_total_params_billions = official.at("total_params_billions").number();
  if (official.has("active_params_billions")) m.official_active_params_billions = official.at("active_params_billions").number();
  m.official_counts_encoders = official.at("counts_encoders").boolean();
  const Node compute = n.at("compute");
  compute.require_source();
  m.activation_bytes_per_ubatch_token = compute.at("activation_bytes_per_ubatch_token").u64();
  m.bytes_per_hidden_per_ubatch_token = compute.at("bytes_per_hidden_per_ubatch_token").u64();
  m.mask_grows_with_context = compute.at("mask_grows_with_context").boolean();
  return m;
}

BlockType read_block_type(const Node& n) {
  n.require_source();
  BlockType b{n.at("name").nonempty(), n.at("block_elems").positive(), n.at("block_bytes").positive(), {}, false};
  if (n.has("fallback")) b.fallback = n.at("fallback").nonempty();
  if (n.has("cpu_repack")) b.cpu_repack = n.at("cpu_repack").boolean();
  return b;
}

TensorCategory read_category(const Node& n) {
  static const std::pair<const char*, TensorCategory> k_names[] = {
      {"attn_q", TensorCategory::attn_q},     {"attn_k", TensorCategory::attn_k},
      {"attn_v", TensorCategory::attn_v},     {"attn_output", TensorCategory::attn_output},
      {"ffn_up", TensorCategory::ffn_up},     {"ffn_gate", TensorCategory::ffn_gate},
      {"ffn_down", TensorCategory::ffn_down}, {"expert", TensorCategory::expert},
  };
  const std::string s = n.nonempty();
  for (const auto& [name, cat] : k_names) {
    if (s == name) return cat;
  }
  n.fail("unknown tensor category '" + s + "' (attn_q, attn_k, attn_v, attn_output, ffn_up, ffn_gate, ffn_down, expert)");
}

PresetRule read_rule(const Node& n) {
  PresetRule r;
  r.category = read_category(n.at("category"));
  r.type = n.at("type").nonempty();
  if (n.has("select")) {
    const std::string s = n.at("select").nonempty();
    if (s == "all") r.select = PresetRule::Select::all;
    else if (s == "more_bits") r.select = PresetRule::Select::more_bits;
    else if (s == "first_n") { r.select = PresetRule::Select::first_n; r.n = n.at("n").positive(); }
    else if (s == "first_fraction") { r.select = PresetRule::Select::first_fraction; r.denominator = n.at("denominator").positive(); }
    else n.at("select").fail("unknown select '" + s + "' (all, more_bits, first_n, first_fraction)");
  }
  if (n.has("min_gqa")) r.min_gqa = n.at("min_gqa").positive();
  return r;
}

Preset read_preset(const Node& n) {
  n.require_source();
  Preset p;
  p.id = n.at("id").nonempty();
  p.nominal_bits = static_cast<unsigned>(n.at("nominal_bits").positive());
  p.quality_rank = static_cast<int>(n.at("quality_rank").u64());
  p.default_type = n.at("default_type").nonempty();
  if (n.has("output_type")) p.output_type = n.at("output_type").nonempty();
  if (n.has("float_type")) p.float_type = n.at("float_type").nonempty();
  if (n.has("rules")) {
    const Node rules = n.at("rules");  // named: the items point at it
    for (const Node& r : rules.items()) p.rules.push_back(read_rule(r));
  }
  return p;
}

double read_fraction_number(const Node& n) {
  const double v = n.number();
  if (!(v > 0 && v <= 1)) n.fail("expected a number in (0, 1]");
  return v;
}

double read_nonnegative(const Node& n) {
  const double v = n.number();
  if (!(v >= 0 && v < 1e9)) n.fail("expected a non-negative number");
  return v;
}

Hardware read_hardware(const Node& n) {
  n.require_source();
  Hardware h;
  h.id = n.at("id").nonempty();
  h.name = n.at("name").nonempty();
  h.vendor = n.at("vendor").nonempty();
  const std::string kind = n.at("memory_kind").nonempty();
  if (kind != "vram" && kind != "unified") n.at("memory_kind").fail("expected \"vram\" or \"unified\"");
  h.memory_kind = kind == "vram" ? MemoryKind::vram : MemoryKind::unified;
  h.memory_bytes = n.at("memory_bytes").positive();
  if (n.has("gpu_working_set_bytes")) h.gpu_working_set_bytes = n.at("gpu_working_set_bytes").positive();
  h.bandwidth_gbs = n.at("bandwidth_gbs").number();
  if (n.has("bus")) h.bus = n.at("bus").nonempty();
  if (n.has("fp16_tflops")) h.fp16_tflops = read_nonnegative(n.at("fp16_tflops"));
  return h;
}

Runtime read_runtime(const Node& n) {
  n.require_source();
  Runtime r;
  r.id = n.at("id").nonempty();
  r.version = n.at("version").nonempty();
  const Node d = n.at("defaults");
  r.defaults.ubatch = d.at("ubatch").positive();
  r.defaults.batch = d.at("batch").positive();
  r.defaults.parallel = d.at("parallel").positive();
  r.defaults.flash_attn = d.at("flash_attn").boolean();
  r.defaults.swa_full = d.at("swa_full").boolean();
  r.defaults.kv_unified = d.at("kv_unified").boolean();
  r.kv_cell_pad = n.at("kv_cell_pad").positive();
  r.tensor_alignment = n.at("tensor_alignment").positive();
  return r;
}

Fraction read_fraction(const Node& n) {
  Fraction f{n.at("numerator").positive(), n.at("denominator").positive()};
  if (f.numerator > f.denominator) n.fail("a share of memory must not exceed 1");
  return f;
}

UnifiedMemoryRules read_unified(const Node& n) {
  n.require_source();
  return {n.at("os_reserve_bytes").u64(), n.at("small_ram_limit_bytes").u64(),
          read_fraction(n.at("small_ram_gpu_fraction")), read_fraction(n.at("large_ram_gpu_fraction"))};
}

void read_speed(const Node& n, Catalog& c) {
  const Node host = n.at("host");
  host.require_source();
  c.host.ram_bytes = host.at("ram_bytes").positive();
  c.host.ram_bandwidth_gbs = read_nonnegative(host.at("ram_bandwidth_gbs"));
  c.host.pcie_efficiency = read_fraction_number(host.at("pcie_efficiency"));
  for (const Node& lane : n.at("pcie_lanes").items()) {
    lane.require_source();
    c.pcie_lanes.push_back({lane.at("version").nonempty(), read_nonnegative(lane.at("gbs"))});
  }
  for (const Node& b : n.at("backends").items()) {
    b.require_source();
    c.backend_speeds.push_back({b.at("id").nonempty(), read_fraction_number(b.at("bandwidth_efficiency")),
                                read_nonnegative(b.at("layer_overhead_us")), read_fraction_number(b.at("compute_efficiency"))});
  }
}

ModelName read_model_name(const Node& n) {
  n.require_source();
  return {n.at("model").nonempty(), n.at("stems").strings(), n.at("ollama_tags").strings()};
}

OllamaRules read_ollama(const Node& n) {
  n.require_source();
  OllamaRules o;
  o.library = n.at("library").nonempty();
  o.default_preset = n.at("default_preset").nonempty();
  o.loads_projector = n.at("loads_projector").boolean();
  o.default_parallel = n.at("default_parallel").positive();
  o.default_batch = n.at("default_batch").positive();
  for (const Node& t : n.at("context_tiers").items()) {
    o.context_tiers.push_back({t.at("min_vram_bytes").u64(), t.at("context").positive()});
  }
  if (o.context_tiers.empty() || o.context_tiers.back().min_vram_bytes != 0) {
    n.at("context_tiers").fail("expected tiers ending with one for min_vram_bytes 0");
  }
  return o;
}

VllmRules read_vllm(const Node& n) {
  n.require_source();
  VllmRules v;
  v.version = n.at("version").nonempty();
  v.gpu_memory_utilization = read_fraction_number(n.at("gpu_memory_utilization"));
  v.block_size = n.at("block_size").positive();
  for (const Node& b : n.at("batch_defaults").items()) {
    v.batch_defaults.push_back({b.at("min_device_bytes").u64(), b.at("max_num_batched_tokens").positive(),
                                b.at("max_num_seqs").positive(), b.at("except_names").strings()});
  }
  if (v.batch_defaults.empty() || v.batch_defaults.back().min_device_bytes != 0) {
    n.at("batch_defaults").fail("expected tiers ending with one for min_device_bytes 0");
  }
  for (const Node& k : n.at("kv_cache_dtypes").items()) {
    v.kv_cache_dtypes.push_back({k.at("id").nonempty(), k.at("bytes").positive()});
  }
  return v;
}

void read_deployment_rules(const Node& n, DeploymentRules& d) {
  d.hf_default_preset = n.at("llama_cpp").at("hf_default_preset").nonempty();
  n.at("llama_cpp").require_source();
  d.ollama = read_ollama(n.at("ollama"));
  d.vllm = read_vllm(n.at("vllm"));
}

// "PCIe 4.0 x16 (PCIe card) / SXM4" -> 16 lanes of PCIe 4.0; 0 when the bus is not PCIe.
double pcie_bandwidth(const std::vector<PcieLane>& lanes, const std::string& bus) {
  const std::size_t at = bus.find("PCIe ");
  if (at == std::string::npos) return 0;
  const std::size_t x = bus.find(" x", at + 5);
  if (x == std::string::npos) return 0;
  const std::string version = bus.substr(at + 5, x - at - 5);
  const unsigned long lane_count = std::strtoul(bus.c_str() + x + 2, nullptr, 10);
  for (const PcieLane& lane : lanes) {
    if (lane.version == version) return lane.gbs * static_cast<double>(lane_count);
  }
  return 0;
}

// Every "source" string in a document, with its location, so that "{name}" references to the shared
// citations in a top-level "sources" object can be checked once all fragments are read.
struct SourceUse {
  std::string where;
  std::string text;
};

void collect_sources(const json& value, const std::string& fragment, std::string& pointer, std::vector<SourceUse>& out) {
  const std::size_t length = pointer.size();
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      pointer += '/';
      pointer += it.key();
      if (it.key() == "source" && it.value().is_string()) {
        const std::string& text = it.value().get_ref<const std::string&>();
        if (text.find('{') != std::string::npos) out.push_back({fragment + " at " + pointer, text});
      }
      else if (it.value().is_structured()) collect_sources(it.value(), fragment, pointer, out);
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

template <class T, class F>
void read_section(const Node& root, const char* key, std::vector<T>& out, F read) {
  if (!root.has(key)) return;
  const Node section = root.at(key);  // named: the items point at it
  for (const Node& item : section.items()) out.push_back(read(item));
}

template <class T>
void require_unique_ids(const std::vector<T>& items, const char* what, const std::string& source) {
  std::vector<std::string> ids;
  for (const T& item : items) ids.push_back(lower(item.id));
  std::sort(ids.begin(), ids.end());
  const auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup != ids.end()) throw Error(Errc::data, "invalid catalog " + source + ": duplicate " + what + " id '" + *dup + "'");
}

void require_nonempty(bool empty, const char* section, const std::string& source) {
  if (empty) throw Error(Errc::data, "invalid catalog " + source + ": section '" + section + "' is missing or empty");
}

// Deployment names point at catalog models and presets.
void cross_check_deployment(const Catalog& c) {
  const DeploymentRules& d = c.deployment;
  if (!d.present()) return;
  const auto fail = [&](const std::string& what) { throw Error(Errc::data, "invalid catalog " + c.source + ": " + what); };
  for (const ModelName& n : d.names) {
    const bool known = std::any_of(c.models.begin(), c.models.end(), [&](const Model& m) { return m.id == n.model; });
    if (!known) fail("model_names names unknown model '" + n.model + "'");
  }
  for (const std::string& preset : {d.hf_default_preset, d.ollama.default_preset}) {
    const bool known = std::any_of(c.presets.begin(), c.presets.end(), [&](const Preset& p) { return p.id == preset; });
    if (!known) fail("deployment_runtimes names unknown preset '" + preset + "'");
  }
  if (d.vllm.batch_defaults.empty()) fail("deployment_runtimes: model_names need the vllm rules too");
}

void cross_check(const Catalog& c) {
  const auto known_block = [&](const std::string& name, const std::string& where) {
    for (const BlockType& b : c.block_types) {
      if (b.name == name) return;
    }
    throw Error(Errc::data, "invalid catalog " + c.source + ": " + where + " names unknown block type '" + name + "'");
  };
  for (const BlockType& b : c.block_types) {
    if (!b.fallback.empty()) known_block(b.fallback, "block type " + b.name + " fallback");
  }
  for (const Preset& p : c.presets) {
    known_block(p.default_type, "preset " + p.id);
    known_block(p.float_type, "preset " + p.id);
    if (!p.output_type.empty()) known_block(p.output_type, "preset " + p.id);
    for (const PresetRule& r : p.rules) known_block(r.type, "preset " + p.id + " rule");
  }
  for (const KvType& k : c.kv_types) known_block(k.block_type, "kv type " + k.id);
  for (const char* needed : {"F32", "F16"}) known_block(needed, "the tensor model");
  for (const char* platform : {"cuda", "rocm", "metal", "vulkan"}) {
    const bool found = std::any_of(c.platforms.begin(), c.platforms.end(), [&](const Platform& p) { return p.id == platform; });
    if (!found) throw Error(Errc::data, "invalid catalog " + c.source + ": platform '" + platform + "' is missing");
  }
  for (const char* backend : {"cpu", "cuda", "rocm", "metal", "vulkan"}) {
    const bool found = std::any_of(c.backend_speeds.begin(), c.backend_speeds.end(), [&](const BackendSpeed& b) { return b.id == backend; });
    if (!found) throw Error(Errc::data, "invalid catalog " + c.source + ": speed parameters for backend '" + backend + "' are missing");
  }
  cross_check_deployment(c);
}

}  // namespace

bool Model::has_modality(std::string_view modality) const {
  return std::find(modalities.begin(), modalities.end(), modality) != modalities.end();
}

std::uint64_t BlockType::row_bytes(std::uint64_t row_elems) const { return row_elems / block_elems * block_bytes; }

Catalog load_catalog(const std::vector<std::pair<std::string, std::string>>& fragments, std::string source) {
  Catalog c;
  c.source = std::move(source);
  bool have_unified = false;
  std::vector<SourceUse> source_uses;
  std::vector<std::string> named_sources;
  for (const auto& [name, text] : fragments) {
    json doc;
    try {
      doc = json::parse(text);
    } catch (const json::parse_error& e) {
      throw Error(Errc::data, "invalid catalog " + name + ": malformed JSON at byte " + std::to_string(e.byte) +
                                  " (check for a missing comma, quote or bracket)");
    }
    const Node root(doc, name);
    if (!doc.is_object()) root.fail("expected a JSON object at the top level");
    std::string pointer;
    collect_sources(doc, name, pointer, source_uses);
    if (root.has("sources")) {
      const json& sources = doc.at("sources");
      if (!sources.is_object()) root.at("sources").fail("expected an object of named citations");
      for (auto it = sources.begin(); it != sources.end(); ++it) {
        root.at("sources").at(it.key().c_str()).nonempty();
        named_sources.push_back(it.key());
      }
    }
    if (root.has("catalog")) {
      c.name = root.at("catalog").at("name").nonempty();
      c.version = root.at("catalog").at("version").nonempty();
    }
    read_section(root, "models", c.models, read_model);
    read_section(root, "block_types", c.block_types, read_block_type);
    read_section(root, "presets", c.presets, read_preset);
    read_section(root, "kv_types", c.kv_types, [](const Node& n) {
      n.require_source();
      KvType k{n.at("id").nonempty(), n.at("block_type").nonempty(), false};
      if (n.has("quantized")) k.quantized = n.at("quantized").boolean();
      return k;
    });
    read_section(root, "hardware", c.hardware, read_hardware);
    read_section(root, "runtimes", c.runtimes, read_runtime);
    read_section(root, "platforms", c.platforms, [](const Node& n) {
      n.require_source();
      return Platform{n.at("id").nonempty(), n.at("reserve_bytes").u64()};
    });
    if (root.has("unified_memory")) {
      c.unified = read_unified(root.at("unified_memory"));
      have_unified = true;
    }
    if (root.has("speed")) read_speed(root.at("speed"), c);
    read_section(root, "model_names", c.deployment.names, read_model_name);
    if (root.has("deployment_runtimes")) read_deployment_rules(root.at("deployment_runtimes"), c.deployment);
  }
  check_source_references(source_uses, named_sources);
  require_nonempty(c.name.empty(), "catalog", c.source);
  require_nonempty(c.models.empty(), "models", c.source);
  require_nonempty(c.block_types.empty(), "block_types", c.source);
  require_nonempty(c.presets.empty(), "presets", c.source);
  require_nonempty(c.kv_types.empty(), "kv_types", c.source);
  require_nonempty(c.hardware.empty(), "hardware", c.source);
  require_nonempty(c.runtimes.empty(), "runtimes", c.source);
  require_nonempty(!have_unified, "unified_memory", c.source);
  require_nonempty(c.backend_speeds.empty(), "speed", c.source);
  for (Hardware& h : c.hardware) h.pcie_gbs = pcie_bandwidth(c.pcie_lanes, h.bus);
  require_unique_ids(c.models, "model", c.source);
  require_unique_ids(c.presets, "preset", c.source);
  require_unique_ids(c.kv_types, "kv type", c.source);
  require_unique_ids(c.hardware, "hardware", c.source);
  cross_check(c);
  std::stable_sort(c.presets.begin(), c.presets.end(),
                   [](const Preset& a, const Preset& b) { return a.quality_rank > b.quality_rank; });
  return c;
}

const Catalog& builtin_catalog() {
  static const Catalog k_catalog = [] {
    std::vector<std::pair<std::string, std::string>> fragments;
    for (const auto& [name, text] : detail::embedded_catalog_fragments()) fragments.emplace_back(name, text);
    return load_catalog(fragments, "builtin");
  }();
  return k_catalog;
}

std::string closest_match(std::string_view input, const std::vector<std::string>& candidates) {
  const std::string a = lower(input);
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, a.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const std::string b = lower(candidate);
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

namespace {

template <class T>
const T& find_by_id(const std::vector<T>& items, std::string_view id, const char* what, const char* list_hint,
                    const std::vector<std::string>& extra_names = {}) {
  for (const T& item : items) {
    if (equals_ignoring_case(item.id, id)) return item;
  }
  std::vector<std::string> names = extra_names;
  for (const T& item : items) names.push_back(item.id);
  const std::string suggestion = closest_match(id, names);
  std::string message = std::string("unknown ") + what + " '" + std::string(id) + "'";
  if (!suggestion.empty()) message += ": did you mean '" + suggestion + "'?";
  message += std::string(" (see 'fitcheck list ") + list_hint + "')";
  throw Error(Errc::usage, message);
}

}  // namespace

const Model& Catalog::find_model(std::string_view id) const {
  std::vector<std::string> aliases;
  for (const Model& m : models) {
    for (const std::string& alias : m.aliases) {
      if (equals_ignoring_case(alias, id)) return m;
      aliases.push_back(alias);
    }
  }
  return find_by_id(models, id, "model", "models", aliases);
}

const Preset& Catalog::find_preset(std::string_view id) const { return find_by_id(presets, id, "quantization preset", "quants"); }
const KvType& Catalog::find_kv_type(std::string_view id) const { return find_by_id(kv_types, id, "KV cache type", "kv-types"); }
const Hardware& Catalog::find_hardware(std::string_view id) const { return find_by_id(hardware, id, "GPU", "gpus"); }
const Runtime& Catalog::default_runtime() const { return runtimes.front(); }

const BlockType& Catalog::block_type(std::string_view type_name) const {
  for (const BlockType& b : block_types) {
    if (b.name == type_name) return b;
  }
  throw Error(Errc::internal, "block type '" + std::string(type_name) + "' is not in the catalog");
}

const BackendSpeed& Catalog::backend_speed(std::string_view id) const {
  for (const BackendSpeed& b : backend_speeds) {
    if (b.id == id) return b;
  }
  throw Error(Errc::internal, "speed parameters for backend '" + std::string(id) + "' are not in the catalog");
}

const Platform& Catalog::platform(std::string_view id) const {
  for (const Platform& p : platforms) {
    if (p.id == id) return p;
  }
  throw Error(Errc::internal, "platform '" + std::string(id) + "' is not in the catalog");
}

}  // namespace fitcheck

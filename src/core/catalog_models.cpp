#include <algorithm>
#include <cctype>
#include <string>

#include "core/catalog_read.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

// Bounds on architecture numbers: far above any released model, low enough that the byte arithmetic of a
// footprint (products of up to four of them) cannot overflow 64 bits.
constexpr std::uint64_t k_max_vocab = 1ULL << 24;
constexpr std::uint64_t k_max_width = 1ULL << 20;  // hidden, head, FFN and embedding widths
constexpr std::uint64_t k_max_layers = 1024;
constexpr std::uint64_t k_max_heads = 4096;
constexpr std::uint64_t k_max_experts = 4096;
constexpr std::uint64_t k_max_tokens = 1ULL << 24;  // contexts, windows, encoder positions
constexpr std::uint64_t k_max_params = 1ULL << 40;
constexpr std::uint64_t k_max_bytes = 1ULL << 40;

std::vector<LayerKind> expand_layers(const Node& node, std::uint64_t count) {
  const std::string pattern = node.nonempty();
  if (pattern.size() > count) node.fail("the pattern is longer than num_layers");
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
  return {node.at("kv_heads").in_range(1, k_max_heads), node.at("head_dim").in_range(1, k_max_width)};
}

EncoderGraph read_encoder_graph(const Node& n) {
  n.require_source();
  EncoderGraph g;
  g.name = n.at("name").nonempty();
  g.positions = n.at("positions").in_range(1, k_max_tokens);
  g.hidden = n.at("hidden").in_range(1, k_max_width);
  g.ff = n.at("ff").in_range(1, k_max_width);
  g.heads = n.at("heads").in_range(1, k_max_heads);
  g.attention_span = n.at("attention_span").in_range(1, k_max_tokens);
  g.frontend_bytes = n.at("frontend_bytes").in_range(0, k_max_bytes);
  if (g.attention_span > g.positions) n.at("attention_span").fail("wider than the positions");
  return g;
}

}  // namespace

bool read_measured(const Node& n) {
  const std::string basis = n.nonempty();
  if (basis != "measured" && basis != "derived") n.fail("expected \"measured\" or \"derived\"");
  return basis == "measured";
}

Model read_model(const Node& n) {
  n.require_source();
  Model m;
  m.id = n.at("id").nonempty();
  if (n.has("aliases")) m.aliases = n.at("aliases").strings();
  m.name = n.at("name").nonempty();
  m.architecture_id = n.at("architecture").nonempty();
  m.vocab_size = n.at("vocab_size").in_range(1, k_max_vocab);
  m.hidden_size = n.at("hidden_size").in_range(1, k_max_width);
  const std::uint64_t num_layers = n.at("num_layers").in_range(1, k_max_layers);
  m.layers = expand_layers(n.at("layer_pattern"), num_layers);
  m.max_context = n.at("max_context").in_range(1, k_max_tokens);
  m.tied_embeddings = n.at("tied_embeddings").boolean();
  m.rope_freqs = n.at("rope_freqs").in_range(0, k_max_width);
  const Node attn = n.at("attention");
  m.num_heads = attn.at("num_heads").in_range(1, k_max_heads);
  m.sliding = read_geometry(attn.at("sliding"));
  m.full = read_geometry(attn.at("full"));
  m.full_layers_k_eq_v = attn.at("full_layers_k_eq_v").boolean();
  m.sliding_window = attn.at("sliding_window").in_range(1, k_max_tokens);
  m.kv_shared_layers = attn.at("kv_shared_layers").u64();
  if (m.kv_shared_layers >= num_layers) attn.at("kv_shared_layers").fail("must be below num_layers");
  const Node ffn = n.at("ffn");
  m.intermediate_size = ffn.at("intermediate_size").in_range(1, k_max_width);
  m.double_wide_on_kv_shared_layers = ffn.at("double_wide_on_kv_shared_layers").boolean();
  if (n.has("experts")) {
    const Node e = n.at("experts");
    m.expert_count = e.at("count").in_range(1, k_max_experts);
    m.experts_active = e.at("active").in_range(1, k_max_experts);
    m.expert_intermediate_size = e.at("intermediate_size").in_range(1, k_max_width);
    if (m.experts_active > m.expert_count) e.at("active").fail("more active experts than experts");
  }
  m.per_layer_embedding_dim = n.at("per_layer_embedding_dim").in_range(0, 1ULL << 14);
  m.modalities = n.at("modalities").strings();
  const Node enc = n.at("encoders");
  enc.require_source();
  m.vision_params = enc.at("vision_params").in_range(0, k_max_params);
  m.audio_params = enc.at("audio_params").in_range(0, k_max_params);
  m.encoder_f32_params = enc.at("f32_params").in_range(0, k_max_params);
  if (m.encoder_f32_params > m.vision_params + m.audio_params)
    enc.at("f32_params").fail("more F32 parameters than encoder parameters");
  if (enc.has("graphs")) {
    for (const Node& g : enc.at("graphs").items()) m.encoder_graphs.push_back(read_encoder_graph(g));
  }
  if (n.has("drafter")) {
    const Node dn = n.at("drafter");
    dn.require_source();
    dn.at("compute_source").nonempty();
    m.drafter = Drafter{dn.at("file_bytes").in_range(1, std::uint64_t{1} << 40), dn.at("context_bytes").in_range(0, 1U << 20),
                        dn.at("base_bytes").in_range(0, std::uint64_t{1} << 34)};
    if (dn.has("checkpoint")) {
      const Node ck = dn.at("checkpoint");
      ck.require_source();
      m.drafter->checkpoint_bytes = ck.at("bytes").in_range(1, std::uint64_t{1} << 36);
    }
    if (dn.has("acceptance")) {
      const Node a = dn.at("acceptance");
      a.require_source();
      m.drafter->acceptance_low = a.at("low").number();
      m.drafter->acceptance_high = a.at("high").number();
      if (m.drafter->acceptance_low <= 0 || m.drafter->acceptance_high < m.drafter->acceptance_low ||
          m.drafter->acceptance_high >= 1)
        a.fail("expected 0 < low <= high < 1");
    }
  }
  const Node official = n.at("official");
  official.require_source();
  m.official_total_params_billions = official.at("total_params_billions").number();
  if (official.has("active_params_billions")) m.official_active_params_billions = official.at("active_params_billions").number();
  m.official_counts_encoders = official.at("counts_encoders").boolean();
  const Node compute = n.at("compute");
  compute.require_source();
  m.activation_bytes_per_ubatch_token = compute.at("activation_bytes_per_ubatch_token").in_range(0, k_max_width * 1024);
  m.bytes_per_hidden_per_ubatch_token = compute.at("bytes_per_hidden_per_ubatch_token").in_range(0, 1024);
  m.mask_grows_with_context = compute.at("mask_grows_with_context").boolean();
  const Node gpu = compute.at("gpu");
  gpu.require_source();
  m.gpu_activation_bytes_per_ubatch_token = gpu.at("activation_bytes_per_ubatch_token").in_range(0, k_max_width * 1024);
  m.gpu_activation_measured = read_measured(gpu.at("basis"));
  return m;
}

BlockType read_block_type(const Node& n) {
  n.require_source();
  BlockType b{n.at("name").nonempty(), n.at("block_elems").in_range(1, 1024), n.at("block_bytes").in_range(1, 4096), {}, false};
  if (b.block_bytes > 8 * b.block_elems) n.at("block_bytes").fail("more than 8 bytes per weight");
  if (n.has("fallback")) b.fallback = n.at("fallback").nonempty();
  if (n.has("cpu_repack")) b.cpu_repack = n.at("cpu_repack").boolean();
  if (n.has("ggml_type")) b.ggml_type = static_cast<int>(n.at("ggml_type").in_range(0, 1023));
  return b;
}

namespace {

// Rules select the layer tensors by category; the output layer has its own type (output_type).
TensorCategory read_category(const Node& n) {
  const TensorCategory c = n.named(k_category_names, "tensor category");
  const bool in_layers = c != TensorCategory::token_embd && c != TensorCategory::output && c != TensorCategory::other;
  if (!in_layers)
    n.fail("a rule selects layer tensors (attn_q, attn_k, attn_v, attn_output, ffn_up, ffn_gate, ffn_down, expert)");
  return c;
}

PresetRule read_rule(const Node& n) {
  PresetRule r;
  r.category = read_category(n.at("category"));
  r.type = n.at("type").nonempty();
  if (n.has("select")) r.select = n.at("select").named(k_select_names, "select");
  if (r.select == PresetRule::Select::first_n) r.n = n.at("n").in_range(1, k_max_layers);
  if (r.select == PresetRule::Select::first_fraction) r.denominator = n.at("denominator").in_range(1, k_max_layers);
  if (n.has("min_gqa")) r.min_gqa = n.at("min_gqa").in_range(1, k_max_heads);
  if (n.has("min_experts")) r.min_experts = n.at("min_experts").in_range(2, 1u << 20);
  return r;
}

// A preset's or recipe's "rules", in order (the first that selects a tensor gives its type).
void read_rules(const Node& n, std::vector<PresetRule>& rules) {
  if (!n.has("rules")) return;
  const Node list = n.at("rules");  // named: the items point at it
  for (const Node& r : list.items()) rules.push_back(read_rule(r));
}

}  // namespace

Preset read_preset(const Node& n) {
  n.require_source();
  Preset p;
  p.id = n.at("id").nonempty();
  p.nominal_bits = static_cast<unsigned>(n.at("nominal_bits").in_range(1, 64));
  p.quality_rank = static_cast<int>(n.at("quality_rank").in_range(0, 1000000));
  p.default_type = n.at("default_type").nonempty();
  if (n.has("output_type")) p.output_type = n.at("output_type").nonempty();
  if (n.has("float_type")) p.float_type = n.at("float_type").nonempty();
  read_rules(n, p.rules);
  if (n.has("aliases")) {
    for (const Node& a : n.at("aliases").items()) p.aliases.push_back(a.nonempty());
  }
  return p;
}

// A publisher recipe: its own names and changes; the rest comes from its base preset (resolve_recipes).
Preset read_recipe(const Node& n) {
  n.require_source();
  Preset p;
  p.id = n.at("id").nonempty();
  p.base = n.at("base").nonempty();
  p.publisher = n.at("publisher").nonempty();
  if (n.has("aliases")) {
    for (const Node& a : n.at("aliases").items()) p.aliases.push_back(a.nonempty());
  }
  if (n.has("tensor_types")) {
    for (const Node& t : n.at("tensor_types").items())
      p.tensor_types.push_back({t.at("tensor").nonempty(), t.at("type").nonempty()});
  }
  read_rules(n, p.rules);
  if (n.has("kv_shared_layers_omit")) {
    for (const Node& t : n.at("kv_shared_layers_omit").items()) p.kv_shared_omitted.push_back(t.nonempty());
  }
  p.rules_exact = n.at("rules_exact").boolean();
  if (n.has("fitted_to")) {
    for (const Node& m : n.at("fitted_to").items()) p.fitted_to.push_back(m.nonempty());
  }
  if (n.has("default_type")) p.default_type = n.at("default_type").nonempty();  // a stock ftype's own main type
  if (n.has("nominal_bits")) p.nominal_bits = static_cast<unsigned>(n.at("nominal_bits").in_range(1, 64));
  if (n.has("published")) {
    for (const Node& f : n.at("published").items()) {
      f.require_source();
      p.published.push_back({f.at("model").nonempty(), f.at("file_bytes").in_range(1, std::uint64_t{1} << 50)});
    }
  }
  return p;
}

FilePrefix read_file_prefix(const Node& n) {
  n.require_source();
  FilePrefix f;
  f.prefix = n.at("prefix").nonempty();
  if (std::any_of(f.prefix.begin(), f.prefix.end(), [](unsigned char ch) { return std::isupper(ch); }))
    n.at("prefix").fail("a file prefix is matched in lower case; write it so");
  f.publisher = n.at("publisher").nonempty();
  return f;
}

void resolve_recipes(Catalog& c) {
  for (Preset& r : c.recipes) {
    const auto base = std::find_if(c.presets.begin(), c.presets.end(), [&](const Preset& p) { return p.id == r.base; });
    if (base == c.presets.end())
      throw Error(Errc::data, "invalid catalog " + c.source + ": recipe " + r.id + " names unknown base preset '" + r.base + "'");
    Preset merged = *base;
    merged.id = r.id;
    merged.base = r.base;
    merged.publisher = r.publisher;
    merged.aliases = r.aliases;
    merged.tensor_types = r.tensor_types;
    merged.rules.insert(merged.rules.begin(), r.rules.begin(), r.rules.end());  // the recipe's rules come first
    merged.kv_shared_omitted = r.kv_shared_omitted;
    merged.rules_exact = r.rules_exact;
    merged.fitted_to = r.fitted_to;
    merged.published = r.published;
    if (!r.default_type.empty()) merged.default_type = r.default_type;
    if (r.nominal_bits != 0) merged.nominal_bits = r.nominal_bits;
    r = std::move(merged);
  }
}

std::uint64_t Drafter::bytes_at(std::uint64_t context) const {
  const std::uint64_t compute = checked_mul(context, context_bytes, "draft compute");
  return checked_add(checked_add(file_bytes, base_bytes, "drafter"), compute, "drafter");
}

const PublishedFile* Preset::published_for(std::string_view model) const {
  for (const PublishedFile& f : published) {
    if (f.model == model) return &f;
  }
  return nullptr;
}

KvType read_kv_type(const Node& n) {
  n.require_source();
  KvType k;
  k.id = n.at("id").nonempty();
  k.block_type = n.at("block_type").nonempty();
  if (n.has("quantized")) k.quantized = n.at("quantized").boolean();
  if (n.has("fork")) k.fork = n.at("fork").nonempty();
  return k;
}

}  // namespace fitcheck

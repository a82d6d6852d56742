#include "fitcheck/tensors.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <string_view>

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

// Builds a model's tensor list from its architecture's templates (data/architectures.json).
class TensorListBuilder {
 public:
  explicit TensorListBuilder(const Model& model) : m_model(model), m_arch(*model.architecture) {}

  std::vector<Tensor> build() {
    for (const TensorTemplate& t : m_arch.globals) add(t, -1);
    for (std::uint64_t il = 0; il < m_model.num_layers(); ++il) {
      for (const TensorTemplate& t : m_arch.layer) add(t, static_cast<int>(il));
    }
    return std::move(m_tensors);
  }

 private:
  void add(const TensorTemplate& t, int layer) {
    for (const Condition c : t.when) {
      if (!holds(c, layer)) return;
    }
    Tensor out{layer < 0 ? t.name : "blk." + std::to_string(layer) + "." + t.name,
               t.group,
               t.category,
               layer,
               {1, 1, 1},
               t.quantize,
               t.host};
    // A tied token embedding is the output layer too, and quantized as one.
    if (t.category == TensorCategory::token_embd && m_model.tied_embeddings) out.category = TensorCategory::output;
    for (std::size_t i = 0; i < t.shape.size(); ++i) out.ne[i] = std::max<std::uint64_t>(1, size_of(t.shape[i], layer));
    m_tensors.push_back(std::move(out));
  }

  bool holds(Condition c, int layer) const {
    switch (c) {
      case Condition::tied: return m_model.tied_embeddings;
      case Condition::untied: return !m_model.tied_embeddings;
      case Condition::per_layer_embedding: return m_model.per_layer_embedding_dim != 0;
      case Condition::moe: return m_model.is_moe();
      case Condition::rope_freqs: return m_model.rope_freqs != 0;
      case Condition::separate_v: {
        const bool full = layer >= 0 && m_model.layers[static_cast<std::size_t>(layer)] == LayerKind::full;
        return !(full && m_model.full_layers_k_eq_v);
      }
    }
    return false;
  }

  std::uint64_t size_of(const DimTerm& d, int layer) const {
    const std::uint64_t il = layer < 0 ? 0 : static_cast<std::uint64_t>(layer);
    const AttentionGeometry& g = m_model.geometry(il);
    switch (d.dim) {
      case Dim::one: return d.factor;
      case Dim::hidden: return d.factor * m_model.hidden_size;
      case Dim::vocab: return d.factor * m_model.vocab_size;
      case Dim::q_width: return d.factor * m_model.num_heads * g.head_dim;
      case Dim::kv_width: return d.factor * g.kv_width();
      case Dim::head_dim: return d.factor * g.head_dim;
      case Dim::ff: return d.factor * feed_forward_width(il);
      case Dim::ple: return d.factor * m_model.per_layer_embedding_dim;
      case Dim::ple_total: return d.factor * m_model.per_layer_embedding_dim * m_model.num_layers();
      case Dim::rope_freqs: return d.factor * m_model.rope_freqs;
      case Dim::experts: return d.factor * m_model.expert_count;
      case Dim::expert_ff: return d.factor * m_model.expert_intermediate_size;
    }
    return 1;
  }

  std::uint64_t feed_forward_width(std::uint64_t il) const {
    const bool doubled = m_model.double_wide_on_kv_shared_layers && !m_model.owns_kv(il);
    return doubled ? 2 * m_model.intermediate_size : m_model.intermediate_size;
  }

  const Model& m_model;
  const Architecture& m_arch;
  std::vector<Tensor> m_tensors;
};

// llama.cpp's use_more_bits(i_layer, n_layers).
bool use_more_bits(std::uint64_t i, std::uint64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i >= n / 8 && (i - n / 8) % 3 == 2);
}

// Expert down projections count as ffn_down for the preset rules, as in llama.cpp (name contains "ffn_down").
bool rule_matches_category(TensorCategory rule, const Tensor& t) {
  if (rule == t.category) return true;
  return rule == TensorCategory::ffn_down && t.category == TensorCategory::expert && t.name.find("ffn_down") != std::string::npos;
}

bool rule_selects(const PresetRule& rule, std::uint64_t index, std::uint64_t count) {
  switch (rule.select) {
    case PresetRule::Select::all: return true;
    case PresetRule::Select::more_bits: return use_more_bits(index, count);
    case PresetRule::Select::first_n: return index < rule.n;
    case PresetRule::Select::first_fraction: return index < count / rule.denominator;
  }
  return false;
}

class TypeAssigner {
 public:
  TypeAssigner(const Catalog& catalog, const Model& model, const Preset& preset, const std::vector<Tensor>& tensors)
      : m_catalog(catalog),
        m_model(model),
        m_preset(preset),
        m_f32(&catalog.block_type("F32")),
        m_float(&catalog.block_type(preset.float_type)),
        m_default(&catalog.block_type(preset.default_type)),
        m_output(preset.has_output_type() ? &catalog.block_type(preset.output_type) : m_default),
        m_q8_0(&catalog.block_type("Q8_0")) {
    for (const PresetRule& rule : preset.rules) m_rule_types.push_back(&catalog.block_type(rule.type));
    for (const Tensor& t : tensors) {
      if (t.category == TensorCategory::attn_v) ++m_attn_v_count;
    }
  }

  const BlockType& type_of(const Tensor& t) {
    // Never quantized: 1-D tensors and the router stay F32, other 2-D tensors keep the file's float type.
    if (!t.quantizable || t.ne[1] == 1) {
      // A publisher's quantizer may quantize a 2-D tensor llama-quantize leaves alone (Ollama's: per_layer_model_proj).
      const BlockType* publisher = t.ne[1] == 1 ? nullptr : override_type(t);
      if (publisher) return with_fallback(t, *publisher);
      return t.ne[1] == 1 || t.group == TensorGroup::experts ? *m_f32 : *m_float;
    }
    if (!m_preset.has_output_type()) return *m_default;
    const BlockType& chosen = chosen_type(t);  // counts the tensor for the rules' layer selection either way
    const BlockType* publisher = override_type(t);
    return with_fallback(t, publisher ? *publisher : chosen);
  }

 private:
  // A recipe's own type for this tensor, by its name without the "blk.N." prefix.
  const BlockType* override_type(const Tensor& t) const {
    if (m_preset.tensor_types.empty()) return nullptr;
    std::string_view role = t.name;
    if (t.layer >= 0 && role.rfind("blk.", 0) == 0) role.remove_prefix(std::min(role.size(), role.find('.', 4) + 1));
    for (const TensorTypeOverride& o : m_preset.tensor_types) {
      if (o.tensor == role) return &m_catalog.block_type(o.type);
    }
    return nullptr;
  }

  const BlockType& chosen_type(const Tensor& t) {
    if (t.category == TensorCategory::output) return output_type(t);
    // attn_v rules count attn_v tensors (llama.cpp's i_attention_wv); FFN rules count layers.
    std::uint64_t index = static_cast<std::uint64_t>(t.layer < 0 ? 0 : t.layer);
    std::uint64_t count = m_model.num_layers();
    if (t.category == TensorCategory::attn_v) {
      index = m_attn_v_seen++;
      count = m_attn_v_count;
    }
    const std::uint64_t gqa = m_model.num_heads / m_model.geometry(0).kv_heads;
    for (const PresetRule& rule : m_preset.rules) {
      if (!rule_matches_category(rule.category, t)) continue;
      if (rule.min_gqa != 0 && gqa < rule.min_gqa) continue;
      if (rule.min_experts != 0 && m_model.expert_count < rule.min_experts) continue;
      if (rule_selects(rule, index, count)) return *m_rule_types[static_cast<std::size_t>(&rule - m_preset.rules.data())];
    }
    return *m_default;
  }

  // Output layer (and a tied token embedding): llama.cpp picks Q8_0 when the row does not fit the
  // default block, else the preset's output type.
  const BlockType& output_type(const Tensor& t) const {
    if (t.ne[0] % m_default->block_elems != 0) return *m_q8_0;
    return *m_output;
  }

  const BlockType& with_fallback(const Tensor& t, const BlockType& b) const {
    if (t.ne[0] % b.block_elems == 0) return b;
    if (b.fallback.empty()) {
      throw Error(Errc::data, "preset " + m_preset.id + ": tensor " + t.name + " has rows of " + std::to_string(t.ne[0]) +
                                  " elements, not a multiple of " + b.name + "'s block, and " + b.name + " has no fallback");
    }
    const BlockType& fb = m_catalog.block_type(b.fallback);
    return t.ne[0] % fb.block_elems == 0 ? fb : m_catalog.block_type("F16");
  }

  const Catalog& m_catalog;
  const Model& m_model;
  const Preset& m_preset;
  const BlockType* m_f32;
  const BlockType* m_float;
  const BlockType* m_default;
  const BlockType* m_output;
  const BlockType* m_q8_0;
  std::vector<const BlockType*> m_rule_types;  // parallel to m_preset.rules
  std::uint64_t m_attn_v_count = 0;
  std::uint64_t m_attn_v_seen = 0;
};

}  // namespace

std::vector<Tensor> model_tensors(const Model& model) { return TensorListBuilder(model).build(); }

std::vector<Tensor> tensors_in_file(const Model& model, const Preset& preset, const std::vector<Tensor>& tensors) {
  const auto omitted = [&](const Tensor& t) {
    if (t.layer < 0 || model.owns_kv(static_cast<std::uint64_t>(t.layer))) return false;
    const std::string_view role = std::string_view(t.name).substr(t.name.find('.', 4) + 1);  // "blk.17.attn_k.weight"
    const auto& names = preset.kv_shared_omitted;
    return std::find(names.begin(), names.end(), role) != names.end();
  };
  std::vector<Tensor> kept;
  kept.reserve(tensors.size());
  std::copy_if(tensors.begin(), tensors.end(), std::back_inserter(kept), [&](const Tensor& t) { return !omitted(t); });
  return kept;
}

std::vector<TypedTensor> assign_types(const Catalog& catalog, const Model& model, const Preset& preset,
                                      const std::vector<Tensor>& tensors, std::uint64_t alignment) {
  TypeAssigner assigner(catalog, model, preset, tensors);
  std::vector<TypedTensor> out;
  out.reserve(tensors.size());
  for (const Tensor& t : tensors) {
    const BlockType& b = assigner.type_of(t);
    const std::uint64_t rows = checked_mul(t.ne[1], t.ne[2], "tensor size");
    const std::uint64_t bytes = checked_mul(rows, b.row_bytes(t.ne[0]), "tensor size");
    out.push_back({&t, &b, round_up(bytes, alignment)});
  }
  return out;
}

namespace {

// The layer of a "blk.N." name (N below `layers`), else -1.
int layer_of(std::string_view name, std::uint64_t layers) {
  if (name.rfind("blk.", 0) != 0) return -1;
  std::uint64_t n = 0;
  std::size_t i = 4;
  for (; i < name.size() && i < 10 && name[i] >= '0' && name[i] <= '9'; ++i)
    n = n * 10 + static_cast<std::uint64_t>(name[i] - '0');
  return i > 4 && i < name.size() && name[i] == '.' && n < layers ? static_cast<int>(n) : -1;
}

std::array<std::uint64_t, 3> shape_of(const StatedTensor& s) {
  if (s.ne.empty() || s.ne.size() > 4) {
    throw Error(Errc::data, "tensor " + s.name + " has " + std::to_string(s.ne.size()) + " dimensions (expected 1 to 4)");
  }
  std::array<std::uint64_t, 3> ne{1, 1, 1};
  for (std::size_t i = 0; i < s.ne.size(); ++i) {
    if (s.ne[i] == 0) throw Error(Errc::data, "tensor " + s.name + " has a dimension of 0 (expected 1 or more)");
    ne[std::min<std::size_t>(i, 2)] = i < 3 ? s.ne[i] : checked_mul(ne[2], s.ne[i], "tensor size");
  }
  return ne;
}

}  // namespace

std::vector<Tensor> stated_tensors(const Model& model, const std::vector<StatedTensor>& stated) {
  const std::vector<Tensor> known = model_tensors(model);
  std::map<std::string_view, const Tensor*> by_name;
  for (const Tensor& t : known) by_name.emplace(t.name, &t);
  std::vector<Tensor> out;
  out.reserve(stated.size());
  for (const StatedTensor& s : stated) {
    const auto it = by_name.find(s.name);
    Tensor t =
        it != by_name.end() ? *it->second : Tensor{s.name, TensorGroup::other, TensorCategory::other, -1, {}, false, false};
    if (it == by_name.end()) t.layer = layer_of(s.name, model.num_layers());
    t.ne = shape_of(s);
    checked_mul(checked_mul(t.ne[0], t.ne[1], "tensor size"), t.ne[2], "tensor size");  // elements() may not overflow
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<TypedTensor> assign_types(const Catalog& catalog, const TypeMap& types, const std::vector<Tensor>& tensors,
                                      std::uint64_t alignment) {
  std::vector<TypedTensor> out;
  out.reserve(tensors.size());
  for (const Tensor& t : tensors) {
    const auto it = types.find(t.name);
    if (it == types.end()) throw Error(Errc::data, "no type for tensor " + t.name + " (expected one for every tensor)");
    const BlockType* b = catalog.find_block_type(it->second);
    if (!b) throw Error(Errc::data, "tensor " + t.name + " has type " + it->second + ", which the catalog lacks");
    if (t.ne[0] % b->block_elems != 0) {
      throw Error(Errc::data, "tensor " + t.name + " has rows of " + std::to_string(t.ne[0]) +
                                  " weights (expected a multiple of " + b->name + "'s block of " +
                                  std::to_string(b->block_elems) + ")");
    }
    const std::uint64_t rows = checked_mul(t.ne[1], t.ne[2], "tensor size");
    out.push_back({&t, b, round_up(checked_mul(rows, b->row_bytes(t.ne[0]), "tensor size"), alignment)});
  }
  return out;
}

std::uint64_t ParamCounts::text_total() const {
  return embedding + per_layer_embedding + attention + ffn + experts + norms + other;
}

ParamCounts count_params(const Model& model) { return count_params(model, model_tensors(model)); }

ParamCounts count_params(const Model& model, const std::vector<Tensor>& tensors) {
  ParamCounts c;
  for (const Tensor& t : tensors) {
    const std::uint64_t n = t.elements();
    switch (t.group) {
      case TensorGroup::embedding: c.embedding += n; break;
      case TensorGroup::per_layer_embedding: c.per_layer_embedding += n; break;
      case TensorGroup::attention: c.attention += n; break;
      case TensorGroup::ffn: c.ffn += n; break;
      case TensorGroup::experts: c.experts += n; break;
      case TensorGroup::norms: c.norms += n; break;
      case TensorGroup::other: c.other += n; break;
    }
  }
  c.active = c.text_total();
  if (model.is_moe()) {
    // Each idle expert: gate+up (2 x H x ff) and down (ff x H) in every layer.
    const std::uint64_t per_expert = 3 * model.hidden_size * model.expert_intermediate_size;
    c.active -= model.num_layers() * (model.expert_count - model.experts_active) * per_expert;
  }
  return c;
}

const char* group_name(TensorGroup group) { return name_of(k_group_names, group); }

}  // namespace fitcheck

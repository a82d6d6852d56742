// data/architectures.json: a model family's tensor layout, read into TensorTemplates.
#include <string>
#include <utility>

#include "core/catalog_read.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

constexpr EnumName<Dim> k_dims[] = {
    {"one", Dim::one},
    {"hidden", Dim::hidden},
    {"vocab", Dim::vocab},
    {"q_width", Dim::q_width},
    {"kv_width", Dim::kv_width},
    {"head_dim", Dim::head_dim},
    {"ff", Dim::ff},
    {"ple", Dim::ple},
    {"ple_total", Dim::ple_total},
    {"rope_freqs", Dim::rope_freqs},
    {"experts", Dim::experts},
    {"expert_ff", Dim::expert_ff},
};

constexpr EnumName<Condition> k_conditions[] = {
    {"tied", Condition::tied}, {"untied", Condition::untied},         {"per_layer_embedding", Condition::per_layer_embedding},
    {"moe", Condition::moe},   {"rope_freqs", Condition::rope_freqs}, {"separate_v", Condition::separate_v},
};

// "hidden" or "2*expert_ff".
DimTerm read_dim(const Node& n) {
  const std::string s = n.nonempty();
  const std::size_t star = s.find('*');
  if (star == std::string::npos) return {n.named(k_dims, "dimension"), 1};
  const std::optional<std::uint64_t> factor = parse_count(std::string_view(s).substr(0, star));
  if (!factor || *factor == 0 || *factor > 64) n.fail("expected a factor from 1 to 64 before '*', e.g. 2*expert_ff");
  if (const std::optional<Dim> dim = value_named(k_dims, std::string_view(s).substr(star + 1))) return {*dim, *factor};
  n.fail("unknown dimension '" + s.substr(star + 1) + "' after '*'");
}

TensorTemplate read_template(const Node& n, bool in_layer) {
  TensorTemplate t;
  t.name = n.at("name").nonempty();
  t.group = n.at("group").named(k_group_names, "tensor group");
  if (n.has("category")) t.category = n.at("category").named(k_category_names, "tensor category");
  for (const Node& d : n.at("shape").items()) t.shape.push_back(read_dim(d));
  if (t.shape.empty() || t.shape.size() > 3) n.at("shape").fail("expected 1 to 3 dimensions");
  if (n.has("when")) {
    for (const Node& c : n.at("when").items()) t.when.push_back(c.named(k_conditions, "condition"));
  }
  if (n.has("quantize")) t.quantize = n.at("quantize").boolean();
  if (n.has("host")) t.host = n.at("host").boolean();
  for (const DimTerm& d : t.shape) {
    const bool per_layer = d.dim == Dim::q_width || d.dim == Dim::kv_width || d.dim == Dim::head_dim || d.dim == Dim::ff;
    if (per_layer && !in_layer) n.at("shape").fail("a layer's dimension in a global tensor");
  }
  return t;
}

std::vector<TensorTemplate> read_templates(const Node& n, bool in_layer) {
  std::vector<TensorTemplate> out;
  for (const Node& item : n.items()) out.push_back(read_template(item, in_layer));
  return out;
}

}  // namespace

Architecture read_architecture(const Node& n) {
  n.require_source();
  Architecture a;
  a.id = n.at("id").nonempty();
  a.globals = read_templates(n.at("globals"), false);
  a.layer = read_templates(n.at("layer"), true);
  if (a.layer.empty()) n.at("layer").fail("expected the tensors of a decoder block");
  if (n.has("gguf_header_bytes")) {  // optional: without it, a file's size estimates the weights as all tensor data
    a.gguf_header_bytes = n.at("gguf_header_bytes").in_range(1, std::uint64_t{1} << 32);
    n.at("gguf_header_source").nonempty();
  }
  return a;
}

}  // namespace fitcheck

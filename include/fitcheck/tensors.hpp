#pragma once
// The text model's tensors, as llama.cpp's GGUF holds them, and the type a weight preset gives each.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fitcheck/catalog.hpp"

namespace fitcheck {

struct Tensor {
  std::string name;
  TensorGroup group = TensorGroup::other;
  TensorCategory category = TensorCategory::other;
  int layer = -1;                     // -1: not in a decoder block
  std::array<std::uint64_t, 3> ne{};  // ggml order: ne[0] is the row length
  bool quantizable = false;           // llama.cpp may change its type
  bool host_resident = false;         // an input-layer tensor llama.cpp keeps in host memory
  std::uint64_t elements() const { return ne[0] * ne[1] * ne[2]; }
};

// Every tensor of the model's text GGUF, in file order (globals first, then blocks).
std::vector<Tensor> model_tensors(const Model& model);

// The tensors a file made with `preset` holds, in order: all of `tensors` but those the recipe leaves out on the
// model's KV-shared layers (Preset::kv_shared_omitted).
std::vector<Tensor> tensors_in_file(const Model& model, const Preset& preset, const std::vector<Tensor>& tensors);

struct TypedTensor {
  const Tensor* tensor = nullptr;
  const BlockType* type = nullptr;
  std::uint64_t bytes = 0;  // tensor data, padded to the runtime's tensor alignment
};

// Applies the preset's rules (llama.cpp's llama_tensor_get_type plus the block-size fallback).
std::vector<TypedTensor> assign_types(const Catalog& catalog, const Model& model, const Preset& preset,
                                      const std::vector<Tensor>& tensors, std::uint64_t alignment);

// A tensor as a file's header or a registry states it: its name, its shape in ggml order (ne[0] is the row; 1 to 4
// dimensions, none 0) and its block type's name.
struct StatedTensor {
  std::string name;
  std::vector<std::uint64_t> ne;
  std::string type;
};
// Block types by tensor name ("blk.3.attn_v.weight" -> "Q6_K"): a recipe whose per-tensor types are known.
using TypeMap = std::map<std::string, std::string, std::less<>>;

// The stated tensors, in their order, as tensors of `model`: a name model_tensors(model) has keeps its roles (group,
// category, host residence); any other is counted by its bytes alone (group other, the layer of a "blk.N." name).
// Dimensions past the third fold into the third. Throws Error(Errc::data) for a shape it cannot take.
std::vector<Tensor> stated_tensors(const Model& model, const std::vector<StatedTensor>& stated);
// Every tensor at the type `types` gives its name (no rules): Error(Errc::data) for a tensor the map lacks, a type
// the catalog lacks, or a row that is not a whole number of the type's blocks.
std::vector<TypedTensor> assign_types(const Catalog& catalog, const TypeMap& types, const std::vector<Tensor>& tensors,
                                      std::uint64_t alignment);

struct ParamCounts {
  std::uint64_t embedding = 0;
  std::uint64_t per_layer_embedding = 0;
  std::uint64_t attention = 0;
  std::uint64_t ffn = 0;
  std::uint64_t experts = 0;
  std::uint64_t norms = 0;
  std::uint64_t other = 0;
  std::uint64_t text_total() const;
  std::uint64_t active = 0;  // per token: text_total less the experts not routed to
};
ParamCounts count_params(const Model& model);
ParamCounts count_params(const Model& model, const std::vector<Tensor>& tensors);

const char* group_name(TensorGroup group);

}  // namespace fitcheck

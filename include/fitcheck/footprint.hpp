#pragma once
// Memory footprint of one deployment: weights + KV cache + compute buffers + overhead,
// each split into device (VRAM / GPU working set) and host (system RAM) bytes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fitcheck/catalog.hpp"
#include "fitcheck/settings.hpp"
#include "fitcheck/tensors.hpp"

namespace fitcheck {

// Settings with the runtime's defaults.
Settings default_settings(const Runtime& runtime);

struct Split {
  std::uint64_t device = 0;
  std::uint64_t host = 0;
  std::uint64_t total() const;
};

struct KvDetail {
  std::uint64_t context_cells = 0;  // padded n_ctx
  std::uint64_t full_cells = 0;     // per stream, full-attention layers
  std::uint64_t sliding_cells = 0;  // per stream, sliding-window layers
  std::uint64_t streams = 1;
  std::uint64_t full_layers = 0;
  std::uint64_t sliding_layers = 0;
  std::uint64_t full_bytes = 0;
  std::uint64_t sliding_bytes = 0;
};

// Where a plan's per-tensor bytes come from (JSON footprint.weights_source).
enum class WeightsSource { preset_rules, registry, header, estimated_from_size };
inline constexpr EnumName<WeightsSource> k_weights_source_names[] = {{"preset_rules", WeightsSource::preset_rules},
                                                                     {"registry", WeightsSource::registry},
                                                                     {"header", WeightsSource::header},
                                                                     {"estimated_from_size", WeightsSource::estimated_from_size}};

// Where a footprint's compute buffers come from (JSON footprint.compute_basis): a GPU backend's graph rule whose
// figures public load logs measured, or derived from the graph rules; the CPU backend's fit to CPU measurements.
enum class ComputeBasis { measured, derived, cpu_fit };
inline constexpr EnumName<ComputeBasis> k_compute_basis_names[] = {
    {"measured", ComputeBasis::measured}, {"derived", ComputeBasis::derived}, {"cpu_fit", ComputeBasis::cpu_fit}};

struct Footprint {
  std::string model;
  std::string quant;
  Settings settings;
  Split weights;  // the GGUF's tensor data; host part = token and per-layer embeddings on a GPU
  Split kv_cache;
  Split compute;  // graph scratch buffers: the device's and the host's (the CPU backend's alone on the CPU)
  ComputeBasis compute_basis = ComputeBasis::cpu_fit;
  Split overhead;                   // the tied output layer's copy on the device, the host output buffer
  Split repack;                     // CPU backend: the interleaved copy of Q4_K-class weights (x86 AVX)
  Split projector;                  // the multimodal projector (mmproj) with --vision / --audio: its weights and compute buffers
  Split draft;                      // an MTP drafter: its weights and its draft context's compute buffer
  std::uint64_t weights_bytes = 0;  // all text-model weights as the GGUF holds them
  std::uint64_t file_bytes = 0;     // the GGUF file(s): weights_bytes and the header (metadata, vocabulary)
  WeightsSource weights_source = WeightsSource::preset_rules;
  std::uint64_t projector_weights_bytes = 0;
  std::uint64_t projector_compute_bytes = 0;
  KvDetail kv;
  // Embedding tables llama.cpp memory-maps and only looks up, a row a token: the part that need not stay in
  // RAM (the OS pages it from the file), beyond the rows the context's tokens touch.
  std::uint64_t host_paged_bytes = 0;
  std::uint64_t device_bytes() const;
  std::uint64_t host_bytes() const;
  std::uint64_t total_bytes() const;
  std::uint64_t host_resident_bytes() const;  // host_bytes() less host_paged_bytes: what RAM must hold
  // The same for a placement's host bytes (layers moved to the CPU are resident; the tables stay paged).
  std::uint64_t resident(std::uint64_t host) const;
};

// Lookup tables (token and per-layer embeddings read with GET_ROWS): their bytes and one token's rows.
struct LookupTables {
  std::uint64_t bytes = 0;
  std::uint64_t row_bytes = 0;
};

// Weights of (model, preset): per-tensor types and bytes. Independent of context; cache it.
struct WeightPlan {
  std::shared_ptr<const std::vector<Tensor>> tensors;  // shared by every preset of a model
  std::vector<TypedTensor> typed;
  Split split;  // device/host on a GPU
  std::uint64_t file_bytes = 0;
  std::uint64_t output_copy_bytes = 0;  // tied output layer duplicated onto the device
  std::uint64_t repack_bytes = 0;       // weights the CPU backend repacks (block types with cpu_repack)
  LookupTables lookup_gpu;              // GPU backends: every host-resident table (the output is copied)
  LookupTables lookup_cpu;              // CPU backend: the same less the tied output, which is read whole
  WeightsSource source = WeightsSource::preset_rules;
  std::uint64_t header_bytes = 0;                // the file beyond tensor data: file size = file_bytes + header_bytes
  std::optional<std::uint64_t> projector_bytes;  // the mmproj's weights when a file or a registry states them
};
WeightPlan plan_weights(const Catalog& catalog, const Model& model, const Preset& preset, const Runtime& runtime);
// The same from a tensor list built once per model (model_tensors).
WeightPlan plan_weights(const Catalog& catalog, const Model& model, std::shared_ptr<const std::vector<Tensor>> tensors,
                        const Preset& preset, const Runtime& runtime);

// Weights whose tensors are stated (a GGUF header's shapes and types, or a registry's): no preset rules; `source`
// says where they come from. Throws Error(Errc::data) as stated_tensors and assign_types do.
WeightPlan plan_weights(const Catalog& catalog, const Model& model, const std::vector<StatedTensor>& stated,
                        const Runtime& runtime, WeightsSource source);
// The model's own tensors (model_tensors) at the types `types` gives each by name; a name the model lacks is an error.
WeightPlan plan_weights(const Catalog& catalog, const Model& model, const TypeMap& types, const Runtime& runtime,
                        WeightsSource source);

// The weights grouped by tensor role (the name without its "blk.N." prefix) and type, in file order.
struct RoleBytes {
  std::string role;
  std::string type;
  std::uint64_t count = 0;
  std::uint64_t bytes = 0;
};
std::vector<RoleBytes> weights_by_role(const WeightPlan& weights);

// Weights of the model's mmproj file (vision and audio encoders) at `type`; 0 without encoders.
std::uint64_t projector_bytes(const Catalog& catalog, const Model& model, const std::string& type);
// Whether the model can take the modalities the settings ask for.
bool supports_modalities(const Model& model, const Settings& settings);

// The checks a request passes once, when it is resolved (Errc::usage): a context of 1 to the model's
// maximum; settings the model and runtime can run (footprint() itself validates nothing).
void require_context(const Model& model, std::uint64_t context);
void validate_settings(const Catalog& catalog, const Model& model, const Settings& settings);

// K + V bytes of one cell of layer `layer`'s cache (V padded to the widest layer without flash attention).
std::uint64_t kv_bytes_per_cell(const Catalog& catalog, const Model& model, std::uint64_t layer, const Settings& settings);
// Bytes of the f16 copy flash attention makes of one cell of the cache `layer` reads, to decode one token
// (data/runtimes.json gpu_graph flash_attn_kv_copy): the copy is written and then read by the kernel, once per
// token per layer; 0 where the vector kernel reads the cache as it is (heads up to vector_max_head_dim) or the
// backend, type or release copies nothing.
std::uint64_t decode_copy_per_cell(const Catalog& catalog, const Model& model, std::uint64_t layer, const Settings& settings);
KvDetail kv_cache(const Catalog& catalog, const Model& model, const Runtime& runtime, const Settings& settings);
// The CPU backend's compute buffer (a fit to CPU measurements).
std::uint64_t compute_buffer_bytes(const Model& model, const KvDetail& kv, const Settings& settings);
std::uint64_t output_buffer_bytes(const Model& model, const Settings& settings);

// A GPU backend's compute buffers as llama.cpp's scheduler reserves them (README "How fitcheck counts memory"):
// the device buffer (CUDA0, ROCm0, Vulkan0, MTL0) and the host buffer of the inputs (CUDA_Host, CPU).
struct GpuCompute {
  std::uint64_t device = 0;
  std::uint64_t host = 0;
  ComputeBasis basis = ComputeBasis::derived;
};
GpuCompute gpu_compute_buffers(const Model& model, const KvDetail& kv, const Settings& settings, const GpuGraph& graph);
// One encoder's compute buffer at llama.cpp mtmd's warmup input; the sum over the model's encoders.
std::uint64_t encoder_compute_bytes(const EncoderGraph& graph, bool flash_attn);
std::uint64_t projector_compute_bytes(const Model& model, const Settings& settings);

Footprint footprint(const Catalog& catalog, const Model& model, const Preset& preset, const WeightPlan& weights,
                    const Runtime& runtime, const Settings& settings);
// Convenience: plans the weights, then the footprint.
Footprint footprint(const Catalog& catalog, const Model& model, const Preset& preset, const Runtime& runtime,
                    const Settings& settings);

}  // namespace fitcheck

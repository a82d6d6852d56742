#pragma once
// The catalog: models, block types, weight presets, KV cache types, hardware, runtime rules.
// Loaded from JSON fragments (the built-in data/ files, or one --catalog file) and validated.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fitcheck/enum_names.hpp"
#include "fitcheck/runtime_versions.hpp"
#include "fitcheck/settings.hpp"

namespace fitcheck {

struct BlockType {
  std::string name;
  std::uint64_t block_elems = 1;
  std::uint64_t block_bytes = 0;
  std::string fallback;     // type used when a row is not a multiple of block_elems; empty: none
  bool cpu_repack = false;  // the CPU backend keeps a second, interleaved copy of such weights
  int ggml_type = -1;       // ggml's enum ggml_type id, as a GGUF tensor info stores it; -1: none given
  // Bytes of one row of `row_elems` elements (whole blocks: row_elems must be a multiple of block_elems).
  std::uint64_t row_bytes(std::uint64_t row_elems) const;
};

enum class TensorCategory { token_embd, output, attn_q, attn_k, attn_v, attn_output, ffn_up, ffn_gate, ffn_down, expert, other };
inline constexpr EnumName<TensorCategory> k_category_names[] = {{"token_embd", TensorCategory::token_embd},
                                                                {"output", TensorCategory::output},
                                                                {"attn_q", TensorCategory::attn_q},
                                                                {"attn_k", TensorCategory::attn_k},
                                                                {"attn_v", TensorCategory::attn_v},
                                                                {"attn_output", TensorCategory::attn_output},
                                                                {"ffn_up", TensorCategory::ffn_up},
                                                                {"ffn_gate", TensorCategory::ffn_gate},
                                                                {"ffn_down", TensorCategory::ffn_down},
                                                                {"expert", TensorCategory::expert},
                                                                {"other", TensorCategory::other}};
enum class TensorGroup { embedding, per_layer_embedding, attention, ffn, experts, norms, other };
inline constexpr EnumName<TensorGroup> k_group_names[] = {
    {"embedding", TensorGroup::embedding}, {"per_layer_embedding", TensorGroup::per_layer_embedding},
    {"attention", TensorGroup::attention}, {"ffn", TensorGroup::ffn},
    {"experts", TensorGroup::experts},     {"norms", TensorGroup::norms},
    {"other", TensorGroup::other}};

// The quantities a tensor's shape is made of: the model's, or the layer's where layers differ.
enum class Dim { one, hidden, vocab, q_width, kv_width, head_dim, ff, ple, ple_total, rope_freqs, experts, expert_ff };
struct DimTerm {
  Dim dim = Dim::one;
  std::uint64_t factor = 1;  // "2*expert_ff"
};
// When a tensor exists: model traits, and (for layer tensors) the layer's.
enum class Condition { tied, untied, per_layer_embedding, moe, rope_freqs, separate_v };

// One tensor of an architecture's GGUF, as llama.cpp's converter writes it. Layer tensors are named
// "blk.<layer>.<name>".
struct TensorTemplate {
  std::string name;
  TensorGroup group = TensorGroup::other;
  TensorCategory category = TensorCategory::other;  // token_embd doubles as the output layer when tied
  std::vector<DimTerm> shape;                       // ggml order, 1 to 3 dimensions: shape[0] is the row
  std::vector<Condition> when;                      // all must hold
  bool quantize = true;                             // false: llama.cpp never changes its type
  bool host = false;                                // an input-layer tensor llama.cpp keeps in host memory
};

// A model family's tensor layout (data/architectures.json): the knowledge that makes a model's GGUF.
struct Architecture {
  std::string id;
  std::vector<TensorTemplate> globals;  // before the blocks, in file order
  std::vector<TensorTemplate> layer;    // each decoder block, in file order
  std::uint64_t gguf_header_bytes = 0;  // a published GGUF's bytes beyond its tensor data (metadata, vocabulary)
};

// One rule of a preset: tensors of `category` (and, with `select`, only some of them) get `type`.
struct PresetRule {
  enum class Select { all, more_bits, first_n, first_fraction };
  TensorCategory category = TensorCategory::other;
  Select select = Select::all;
  std::uint64_t n = 0;            // first_n
  std::uint64_t denominator = 1;  // first_fraction: index < count / denominator
  std::uint64_t min_gqa = 0;      // rule applies only when n_head / n_head_kv(layer 0) >= min_gqa
  std::uint64_t min_experts = 0;  // rule applies only to a mixture of experts with at least this many
  std::string type;
};

inline constexpr EnumName<PresetRule::Select> k_select_names[] = {{"all", PresetRule::Select::all},
                                                                  {"more_bits", PresetRule::Select::more_bits},
                                                                  {"first_n", PresetRule::Select::first_n},
                                                                  {"first_fraction", PresetRule::Select::first_fraction}};

// A publisher's change to the preset's choice for one tensor (as llama-quantize --tensor-type): `tensor` is the
// name without its "blk.N." prefix ("token_embd.weight", "ffn_down_exps.weight").
struct TensorTypeOverride {
  std::string tensor;
  std::string type;
};

// The size of a recipe's published file of one model (header included).
struct PublishedFile {
  std::string model;
  std::uint64_t file_bytes = 0;
};

// A publisher that names its files with a prefix of its own ("google_gemma-4-26B-A4B-it-Q4_K_M.gguf": bartowski).
struct FilePrefix {
  std::string prefix;  // lower case
  std::string publisher;
};

struct Preset {
  std::string id;
  unsigned nominal_bits = 0;
  int quality_rank = 0;
  std::string default_type;
  std::string output_type;         // empty: the output layer keeps default_type (the float presets)
  std::string float_type = "F16";  // type of 2-D tensors llama.cpp never quantizes
  std::vector<PresetRule> rules;
  // Publisher recipes (data/recipes.json): a stock preset's rules ("base") with the publisher's changes.
  std::string publisher;             // empty: llama-quantize's stock preset
  std::string base;                  // the stock preset whose rules a recipe starts from
  std::vector<std::string> aliases;  // other names of the recipe in file names and -hf tags
  std::vector<TensorTypeOverride> tensor_types;
  // Tensors (names without the "blk.N." prefix) the files leave out on a model's KV-shared layers, which read an
  // earlier layer's cache and never use them (Google's QAT checkpoints ship none).
  std::vector<std::string> kv_shared_omitted;
  bool rules_exact = true;  // false: the publisher's per-tensor types are not known (base rules used)
  // Models whose published file the recipe's per-tensor types were inferred from (by its size or census): that file
  // checks nothing the recipe was not fitted to.
  std::vector<std::string> fitted_to;
  std::vector<PublishedFile> published;
  bool has_output_type() const { return !output_type.empty(); }
  bool is_recipe() const { return !publisher.empty(); }
  // The published file of `model`, or null.
  const PublishedFile* published_for(std::string_view model) const;
};

struct KvType {
  std::string id;
  std::string block_type;
  bool quantized = false;
  std::string fork;  // a fork's type (its repository), not mainline llama.cpp's; empty: mainline
};

enum class LayerKind { sliding, full };

struct AttentionGeometry {
  std::uint64_t kv_heads = 0;
  std::uint64_t head_dim = 0;
  std::uint64_t kv_width() const { return kv_heads * head_dim; }
};

// One encoder of the mmproj file (vision or audio) as llama.cpp's mtmd reserves its compute buffer:
// at a warmup input of `positions` tokens (see footprint.cpp encoder_compute_bytes).
struct EncoderGraph {
  std::string name;
  std::uint64_t positions = 0;
  std::uint64_t hidden = 0;
  std::uint64_t ff = 0;
  std::uint64_t heads = 0;
  std::uint64_t attention_span = 0;  // cells each position attends to
  std::uint64_t frontend_bytes = 0;  // input stage before the first layer (audio convolutions)
};

// A model's MTP drafter as llama.cpp loads it (--spec-type draft-mtp): its published file, and its draft context's
// compute buffer, which grows with the draft context; it reads the target's KV cache (no KV of its own).
struct Drafter {
  std::uint64_t file_bytes = 0;
  std::uint64_t context_bytes = 0;  // compute bytes per draft context token
  std::uint64_t base_bytes = 0;
  std::uint64_t checkpoint_bytes = 0;  // the assistant checkpoint's weights in 16 bits, as vLLM holds them (0: unknown)
  // The chance that the target accepts a drafted token whose predecessors it accepted (per position), as
  // published measurements range (0: none published).
  double acceptance_low = 0;
  double acceptance_high = 0;
  // Device bytes the drafter adds at a draft context.
  std::uint64_t bytes_at(std::uint64_t context) const;
};

struct Model {
  std::string id;
  std::string architecture_id;
  std::shared_ptr<const Architecture> architecture;  // resolved when the catalog is loaded
  std::vector<std::string> aliases;
  std::string name;
  std::uint64_t vocab_size = 0;
  std::uint64_t hidden_size = 0;
  std::vector<LayerKind> layers;  // one entry per decoder layer
  std::uint64_t max_context = 0;
  bool tied_embeddings = true;
  std::uint64_t rope_freqs = 0;
  std::uint64_t num_heads = 0;
  AttentionGeometry sliding;
  AttentionGeometry full;
  bool full_layers_k_eq_v = false;
  std::uint64_t sliding_window = 0;
  std::uint64_t kv_shared_layers = 0;
  std::uint64_t intermediate_size = 0;
  bool double_wide_on_kv_shared_layers = false;
  std::uint64_t expert_count = 0;
  std::uint64_t experts_active = 0;
  std::uint64_t expert_intermediate_size = 0;
  std::uint64_t per_layer_embedding_dim = 0;
  std::vector<std::string> modalities;
  std::optional<Drafter> drafter;
  std::uint64_t vision_params = 0;
  std::uint64_t audio_params = 0;
  std::uint64_t encoder_f32_params = 0;  // kept in F32 in the mmproj file whatever its type
  std::vector<EncoderGraph> encoder_graphs;
  bool has_modality(std::string_view modality) const;
  double official_total_params_billions = 0;
  double official_active_params_billions = 0;  // 0: dense
  bool official_counts_encoders = false;
  // Compute-buffer model (see footprint.cpp and README "How fitcheck counts memory").
  std::uint64_t activation_bytes_per_ubatch_token = 0;
  std::uint64_t bytes_per_hidden_per_ubatch_token = 0;
  bool mask_grows_with_context = false;
  // GPU backends (see footprint.cpp gpu_compute_buffers): the graph's live activations per ubatch token while
  // the layers run, and whether public load logs measured it (else derived from the graph rules).
  std::uint64_t gpu_activation_bytes_per_ubatch_token = 0;
  bool gpu_activation_measured = false;

  std::uint64_t num_layers() const { return layers.size(); }
  std::uint64_t first_kv_shared_layer() const { return num_layers() - kv_shared_layers; }
  bool owns_kv(std::uint64_t layer) const { return layer < first_kv_shared_layer(); }
  const AttentionGeometry& geometry(std::uint64_t layer) const { return layers[layer] == LayerKind::full ? full : sliding; }
  bool is_moe() const { return expert_count > 1; }
};

enum class MemoryKind { vram, unified };
inline constexpr EnumName<MemoryKind> k_memory_kind_names[] = {{"vram", MemoryKind::vram}, {"unified", MemoryKind::unified}};

struct Hardware {
  std::string id;
  std::string name;
  std::string vendor;
  MemoryKind memory_kind = MemoryKind::vram;
  std::uint64_t memory_bytes = 0;
  std::uint64_t gpu_working_set_bytes = 0;  // measured Metal working set; 0: unknown
  std::uint64_t cuda_reported_bytes = 0;    // measured total torch.cuda.mem_get_info reports (vLLM's total); 0: unknown
  double bandwidth_gbs = 0;
  std::string bus;
  double pcie_gbs = 0;     // host link, from `bus` ("PCIe 4.0 x16") and the lane rates; 0 for a SoC
  double fp16_tflops = 0;  // dense FP16 tensor throughput; 0 = unknown
  // The shader ALUs' FP16 rate (packed FMAs issued once a clock, no matrix units) where it is below fp16_tflops;
  // 0: the same rate.
  double vector_fp16_tflops = 0;
  // On a device without matrix units: the int8 dot-product rate (dp4a, v_dot4) llama.cpp's quantized mat-muls run
  // at; 0: they run at fp16_tflops.
  double int8_dot_tops = 0;
  // Its compute units (NVIDIA's SMs) and their boost clock: the one-token kernels' rate where they, not the
  // memory, bound decoding (BackendSpeed::unit_read_gbs, overhead_clock_mhz); 0: unknown.
  std::uint64_t compute_units = 0;
  double boost_clock_mhz = 0;
  // Public llama.cpp decode on this device as a share of fitcheck's figure, lowest and highest over the measured
  // models (README "Where the decode model is known to be wrong"): set where decode is bound by more than the
  // bandwidth the model charges; shown beside the figure, which stays the model's.
  struct MeasuredShare {
    double low = 0;
    double high = 0;
    std::string rows_on;  // the profile whose rows it is measured on: this one, or one with the same chip ("as")
  };
  std::optional<MeasuredShare> decode_measured_share;
};

// Which units a backend's flash attention runs on for Gemma 4's head sizes: the matrix units fp16_tflops counts,
// or the shader ALUs (Hardware::vector_fp16_tflops).
enum class AttentionUnits { matrix, vector };
inline constexpr EnumName<AttentionUnits> k_attention_units_names[] = {{"matrix", AttentionUnits::matrix},
                                                                       {"vector", AttentionUnits::vector}};

// Speed model parameters of one llama.cpp backend ("cpu" is the host side of every plan).
struct BackendSpeed {
  std::string id;
  double bandwidth_efficiency = 1;  // share of the spec bandwidth decoding reaches
  double layer_overhead_us = 0;     // fixed time per layer per token
  double compute_efficiency = 1;    // share of FP16 throughput prefill reaches
  // An MoE layer's extra fixed time per token on the device, beyond layer_overhead_us (router, top-k, the
  // expert mat-muls' dispatch and their weighted sum), paid by each layer whose experts are on the device.
  double moe_layer_overhead_us = 0;
  double moe_compute_efficiency = 1;     // share of FP16 throughput the routed experts' prefill FLOPs reach
  double prefill_layer_overhead_us = 0;  // fixed time per layer per prefill ubatch (launches, synchronisation)
  double attention_efficiency = 1;       // share of its units' FP16 throughput prefill's attention FLOPs reach
  double float_efficiency = 1;           // the same for dense weights stored unquantized (F16, BF16, F32)
  // The widest tile of token columns the backend's quantized expert mat-mul computes per expert (0: none modelled):
  // each expert a ubatch routes tokens to computes whole tiles, min(ubatch, this) columns wide.
  std::uint64_t expert_tile_tokens = 0;
  double tile_efficiency = 1;  // share of FP16 throughput the tiles' empty columns run at
  AttentionUnits attention_units = AttentionUnits::matrix;
  // Decode reads at most this many GB/s per compute unit per GHz of its boost clock (Hardware::compute_units): on a
  // device with many bytes a second per unit (HBM) the one-token kernels, not the memory, bound the read; 0: no cap.
  double unit_read_gbs = 0;
  // The clock at which layer_overhead_us holds: on a profile with a boost clock it scales by this over it (a
  // layer's small kernels run at the device's clock; moe_layer_overhead_us does not scale); 0: not scaled.
  double overhead_clock_mhz = 0;
  // Prefill's quantized mat-muls and flash attention run at most this many GFLOPS per compute unit per GHz of its
  // boost clock: the backend's kernels use one generation of matrix instructions on every device, so a device whose
  // FP16 figure counts newer units (a data-center card's) prefills no faster per unit than this; 0: no cap.
  double unit_matrix_gflops = 0;
};

// How llama.cpp's scheduler sizes a GPU backend's compute buffers (data/runtimes.json "gpu_graph"; the rule is
// footprint.cpp gpu_compute_buffers): the element sizes and counts of the graph's inputs, and per backend the
// constant its device buffer holds beyond the graph's tensors.
struct GpuGraphBackend {
  std::string id;  // cuda, rocm, metal, vulkan
  std::uint64_t constant_bytes = 0;
  bool measured = false;  // fitted to public load logs of that backend (else derived)
};

// The f16 copy some backends' flash attention makes of a K or V cache of another type: one layer's whole cache
// (every stream's cells), allocated with the attention output in the compute buffer (llama.cpp b9489 on).
struct FlashAttnKvCopy {
  std::uint64_t element_bytes = 2;        // bytes of a copied element (f16)
  std::uint64_t vector_max_head_dim = 0;  // the vector kernel, which reads the cache as it is, takes heads up to this
  std::uint64_t vector_max_tokens = 0;    // ... and ubatches up to this many tokens
  std::vector<std::string> backends;      // the backends that copy ("cuda", "rocm")
  std::vector<std::string> types;         // the KV types copied (mainline's, but f16)
};

struct GpuGraph {
  std::uint64_t mask_bytes_flash_attn = 2;        // bytes of a KQ mask element with flash attention (f16)
  std::uint64_t mask_bytes_no_flash_attn = 4;     // without it (f32)
  std::uint64_t outputs_per_sequence = 1;         // logits rows reserved per sequence (llama-server's n_outputs_max)
  std::uint64_t host_hidden_copies = 2;           // f32 hidden-size rows a ubatch token holds in the host buffer
  std::uint64_t host_bytes_per_ubatch_token = 0;  // the small inputs: token ids, positions, output ids
  FlashAttnKvCopy kv_copy;
  std::vector<GpuGraphBackend> backends;
  // The entry of a GPU backend ("cuda"...); check_catalog guarantees one for each, so a miss is Errc::internal.
  const GpuGraphBackend& backend(std::string_view id) const;
};

// The host a discrete GPU sits in, when the user does not say (--ram, --ram-bw).
struct HostProfile {
  std::uint64_t ram_bytes = 0;
  double ram_bandwidth_gbs = 0;
  double pcie_efficiency = 1;
};

// MTP decoding's step (data/runtimes.json speed.mtp): each token verified beyond the first costs this share of a
// plain token; drafts run up to max_draft_tokens a step (llama-server --spec-draft-n-max).
struct MtpRules {
  double verify_token_share = 0;
  unsigned max_draft_tokens = 1;
};

struct PcieLane {
  std::string version;  // "4.0"
  double gbs = 0;       // per lane, per direction
};

struct Runtime {
  std::string id;
  std::string version;
  Settings defaults;  // context: -c when a command line gives none
  std::uint64_t kv_cell_pad = 256;
  std::uint64_t tensor_alignment = 32;
};

// What a hardware vendor's GPUs run by default, and how their unified memory is shared.
struct VendorRules {
  std::string vendor;               // as hardware profiles name it: "NVIDIA", "AMD", "Apple"
  std::string backend;              // llama.cpp backend: cuda, rocm, metal, vulkan
  bool wired_memory_limit = false;  // unified memory: the GPU may wire only a share of RAM (Apple)
};

// fitcheck's own defaults for the questions it answers (data/runtimes.json "policy").
struct Policy {
  unsigned min_bits = 4;              // quality floor of a recommendation
  std::uint64_t min_context = 8192;   // context a recommendation must hold; the context of a model curve
  std::uint64_t fill = 1024;          // tokens in the context when decode speed is quoted
  double offload_min_tps = 5;         // decode floor when offload is allowed
  std::uint64_t headroom_bytes = 0;   // device memory a plan leaves free (recommend, footprint, curve)
  std::uint64_t target_context = 0;   // balanced: a context met before memory goes to a better preset
  std::string quality_ceiling;        // a preset: those ranked above buy no measured quality
  std::string community_default;      // a preset: the one people run
  std::string kv_fallback;            // a KV type proposed when f16 misses the answer
  std::string kv_fallback_cost;       // what it costs, in words, for the output
  std::string custom_vram_vendor;     // the vendor of a --vram target
  std::string custom_unified_vendor;  // the vendor of a --unified target
};

struct Platform {
  std::string id;  // cuda, rocm, metal
  std::uint64_t reserve_bytes = 0;
};

struct Fraction {
  std::uint64_t numerator = 1;
  std::uint64_t denominator = 1;
};

struct UnifiedMemoryRules {
  std::uint64_t os_reserve_bytes = 0;
  std::uint64_t small_ram_limit_bytes = 0;
  Fraction small_ram_gpu_fraction;
  Fraction large_ram_gpu_fraction;
};

// How deployment configs name the models (fitcheck check): file and repository stems, Ollama tags.
struct ModelName {
  std::string model;
  std::vector<std::string> stems;        // "gemma-4-31B-it": <stem>-<preset>.gguf, <org>/<stem>-GGUF, google/<stem>
  std::vector<std::string> ollama_tags;  // "gemma4:31b", "gemma4:31b-it": <tag>[-<quant>] in Ollama's library
  std::string launch_repo;               // a GGUF repository with every stock preset, for -hf REPO:QUANT
};

struct OllamaContextTier {
  std::uint64_t min_vram_bytes = 0;
  std::uint64_t context = 0;
};

struct OllamaRules {
  std::string default_preset;           // what an untagged size ships
  std::vector<std::string> quant_tags;  // presets the library also ships as <last tag>-<quant>
  bool loads_projector = true;
  std::vector<OllamaContextTier> context_tiers;  // largest first (parallel, num_batch: runtime_versions)
};

struct VllmBatchDefault {
  std::uint64_t min_device_bytes = 0;
  std::uint64_t max_num_batched_tokens = 0;
  std::uint64_t max_num_seqs = 0;
  std::vector<std::string> except_names;  // GPUs (by name) that take the next tier
};

struct VllmKvDtype {
  std::string id;
  std::uint64_t bytes = 2;        // per element
  std::uint64_t scale_bytes = 0;  // per token and KV head: the K and V scales of per-token-head quantization
};

// What vLLM's budget holds besides weights, activations and KV blocks, and what it leaves outside (README "vLLM").
struct VllmMemoryRules {
  std::uint64_t driver_reserve_bytes = 0;              // NVIDIA: nvidia-smi's total less what CUDA reports, without a measurement
  std::uint64_t startup_bytes = 0;                     // in use when vLLM measures free memory at start (CUDA context, NCCL)
  std::vector<std::uint64_t> cudagraph_capture_sizes;  // the default candidates, ascending
  std::uint64_t cudagraph_max_capture_size = 0;        // the default cap on them
  std::uint64_t cudagraph_bytes_per_size_layer = 0;    // vLLM's graph estimate, per captured size and layer
  double drafter_profile_factor = 0;                   // an MTP drafter's profiled memory beyond its weights, x its weights
  std::uint64_t drafter_capture_bytes = 0;             // an MTP drafter's graph capture beyond vLLM's estimate
};

struct VllmRules {
  std::string version;
  double gpu_memory_utilization = 0.9;
  std::uint64_t block_size = 16;
  std::vector<VllmBatchDefault> batch_defaults;  // largest GPUs first
  std::vector<VllmKvDtype> kv_cache_dtypes;
  VllmMemoryRules memory;
};

struct DeploymentRules {
  std::vector<ModelName> names;
  std::string hf_default_preset;  // llama.cpp -hf repo without :QUANT
  OllamaRules ollama;
  VllmRules vllm;
  bool present() const { return !names.empty(); }
};

struct Catalog {
  std::string name;
  std::string version;
  std::string source;  // "builtin" or the --catalog path
  std::vector<Architecture> architectures;
  std::vector<Model> models;
  std::vector<BlockType> block_types;
  std::vector<Preset> presets;            // best quality first
  std::vector<Preset> recipes;            // publishers' mixes (unsloth UD-*, bartowski *_L): named in files, never recommended
  std::vector<FilePrefix> file_prefixes;  // publishers known by their files' names
  std::vector<KvType> kv_types;
  std::vector<Hardware> hardware;
  std::vector<Runtime> runtimes;
  std::vector<Platform> platforms;
  std::vector<VendorRules> vendors;
  Policy policy;
  UnifiedMemoryRules unified;
  std::vector<BackendSpeed> backend_speeds;
  HostProfile host;
  MtpRules mtp;
  std::vector<PcieLane> pcie_lanes;
  GpuGraph gpu_graph;
  DeploymentRules deployment;                     // optional: `fitcheck check` needs it
  std::vector<RuntimeVersions> runtime_versions;  // llama.cpp's and Ollama's defaults by release (with deployment)

  // Lookups by id (or model alias), case-insensitive. find_* throw Error(Errc::usage) with a
  // "did you mean" suggestion; block_type, backend_speed, vendor and platform look up names that
  // check_catalog guarantees (every name the code or the data uses), so a miss is Error(Errc::internal).
  const Model& find_model(std::string_view id) const;
  const Preset& find_preset(std::string_view id) const;
  // A stock preset or a publisher recipe by id or alias (case-insensitive); null when none.
  const Preset* weights_named(std::string_view name) const;
  const KvType& find_kv_type(std::string_view id) const;
  const Hardware& find_hardware(std::string_view id) const;
  // Hardware as people type it ("3060", "RTX 4090", "h100", "m3 max 36"; README "Finding the hardware"): the
  // exact id; else the profiles whose model name (in the id or the name) begins with the words, brand words such
  // as rtx, gtx, geforce optional, not followed by a variant word (Ti, SUPER, XT, Max, Laptop...), of the memory
  // size a "36" or "36gb" names; else those whose id, name or vendor holds the words. Empty when none.
  std::vector<const Hardware*> match_hardware(std::string_view query) const;
  // The one profile `query` names: Error(Errc::usage) "'3060' matches rtx3060-8g, rtx3060-12g: give one" when
  // several (at most 8 named), find_hardware's "did you mean" when none.
  const Hardware& lookup_hardware(std::string_view query) const;
  // `list gpus WORDS`: the looser filter alone (ids, names and vendors holding the words; a size word as above).
  std::vector<const Hardware*> filter_hardware(std::string_view words) const;
  const Runtime& default_runtime() const;
  const BlockType& block_type(std::string_view name) const;
  // The block type of that name, or of that ggml type id (a GGUF tensor's), or null: for names and ids that come
  // from an input file, which the catalog's checks do not cover.
  const BlockType* find_block_type(std::string_view name) const;
  const BlockType* block_type_of_ggml(std::uint64_t ggml_type) const;
  const BackendSpeed& backend_speed(std::string_view id) const;
  const Platform& platform(std::string_view id) const;
  const VendorRules& vendor(std::string_view name) const;  // validated at load for every hardware vendor
};

// Parses and validates fragments ({name, json text}); sections from all fragments are merged.
// Throws Error(Errc::data) with the fragment name and a JSON pointer on the first problem.
// What load_catalog checks of the text besides its values: for a --catalog file (all) every key is unique and every
// citation's "{name}" is defined; the built-in catalog's files are checked so by the tests (tested).
enum class CatalogChecks { all, tested };
Catalog load_catalog(const std::vector<std::pair<std::string, std::string>>& fragments, std::string source,
                     CatalogChecks checks = CatalogChecks::all);
// The data files compiled into the binary ({name, text}); without_citations replaces every "source" string's text
// with "-" (what builtin_catalog() reads).
std::vector<std::pair<std::string, std::string>> builtin_fragments(bool with_citations);
std::string without_citations(std::string_view text);
// The catalog compiled into the binary from data/.
const Catalog& builtin_catalog();

// The closest candidate by edit distance, or empty when nothing is close.
std::string closest_match(std::string_view input, const std::vector<std::string>& candidates);
// The one wording of a suggestion: "did you mean 'X'?" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view input, const std::vector<std::string>& candidates);

}  // namespace fitcheck

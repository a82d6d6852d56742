#include "fitcheck/footprint.hpp"

#include <algorithm>

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

std::uint64_t bytes_per_cell(const BlockType& k, const BlockType& v, const Model& model, std::uint64_t layer, const Settings& s,
                             std::uint64_t v_width_max) {
  const std::uint64_t k_width = model.geometry(layer).kv_width();
  // Flash attention off: llama.cpp stores V transposed, every row padded to the widest layer's V.
  const std::uint64_t v_width = s.flash_attn ? k_width : v_width_max;
  return k.row_bytes(k_width) + v.row_bytes(v_width);
}

std::uint64_t widest_kv(const Model& model) { return std::max(model.sliding.kv_width(), model.full.kv_width()); }

void add_table(LookupTables& tables, const TypedTensor& t) {
  tables.bytes = checked_add(tables.bytes, t.bytes, "weights");
  tables.row_bytes = checked_add(tables.row_bytes, t.bytes / t.tensor->ne[1], "weights");  // ne[1]: the vocabulary
}

// What of the mapped lookup tables need not stay in RAM: all but the rows of the context's tokens.
std::uint64_t paged_bytes(const LookupTables& tables, std::uint64_t tokens) {
  const std::uint64_t touched = std::min(tables.bytes, checked_mul(tables.row_bytes, tokens, "weights"));
  return tables.bytes - touched;
}

}  // namespace

Settings default_settings(const Runtime& runtime) { return runtime.defaults; }

const char* backend_name(Backend backend) { return name_of(k_backend_names, backend); }

Backend parse_backend(std::string_view text) {
  if (const std::optional<Backend> b = value_named(k_backend_names, text)) return *b;
  throw Error(Errc::usage, "unknown backend '" + std::string(text) + "': use " + names_of(k_backend_names));
}

std::uint64_t Split::total() const { return checked_add(device, host); }
std::uint64_t Footprint::device_bytes() const {
  return checked_add(checked_add(checked_add(weights.device, kv_cache.device), checked_add(compute.device, overhead.device)),
                     checked_add(checked_add(repack.device, projector.device), draft.device));
}
std::uint64_t Footprint::host_bytes() const {
  return checked_add(checked_add(checked_add(weights.host, kv_cache.host), checked_add(compute.host, overhead.host)),
                     checked_add(checked_add(repack.host, projector.host), draft.host));
}
std::uint64_t Footprint::total_bytes() const { return checked_add(device_bytes(), host_bytes()); }
std::uint64_t Footprint::host_resident_bytes() const { return resident(host_bytes()); }
std::uint64_t Footprint::resident(std::uint64_t host) const { return host - std::min(host, host_paged_bytes); }

void require_context(const Model& model, std::uint64_t context) {
  if (context == 0) throw Error(Errc::usage, "invalid context 0: the context must hold at least one token");
  if (context > model.max_context) {
    throw Error(Errc::usage, "context " + std::to_string(context) + " is above " + model.id + "'s maximum of " +
                                 std::to_string(model.max_context) + " tokens (use " + std::to_string(model.max_context) +
                                 " or less)");
  }
}

void validate_settings(const Catalog& catalog, const Model& model, const Settings& s) {
  if (s.parallel == 0 || s.parallel > k_max_parallel) {
    throw Error(Errc::usage, "invalid --parallel " + std::to_string(s.parallel) + ": use 1 to " + std::to_string(k_max_parallel));
  }
  if (s.ubatch == 0 || s.ubatch > k_max_ubatch || s.batch == 0 || s.batch > k_max_ubatch) {
    throw Error(Errc::usage, "invalid --ubatch " + std::to_string(s.ubatch) + ": use 1 to " + std::to_string(k_max_ubatch));
  }
  if (s.vision && !model.has_modality("image")) {
    throw Error(Errc::usage, model.id + " takes no images: drop --vision");
  }
  if (s.audio && !model.has_modality("audio")) {
    std::string takers;
    for (const Model& m : catalog.models) {
      if (m.has_modality("audio")) takers += (takers.empty() ? "" : ", ") + m.id;
    }
    throw Error(Errc::usage, model.id + " takes no audio (" + (takers.empty() ? "no model does" : "only " + takers + " do") +
                                 "): drop --audio");
  }
  if (s.draft_context != 0 && !model.drafter) {
    throw Error(Errc::usage, "no MTP drafter of " + model.id + " is known: drop the drafter");
  }
  if (s.projector_type != "F16" && s.projector_type != "BF16" && s.projector_type != "Q8_0") {
    throw Error(Errc::usage, "invalid --mmproj-type '" + s.projector_type + "': use F16, BF16 or Q8_0");
  }
  catalog.find_kv_type(s.kv_type_k);
  const KvType& v = catalog.find_kv_type(s.kv_type_v);
  if (v.quantized && !s.flash_attn) {
    throw Error(Errc::usage, "a quantized V cache (" + v.id + ") needs flash attention: use --flash-attn on or an f16 V cache");
  }
}

std::uint64_t kv_bytes_per_cell(const Catalog& catalog, const Model& model, std::uint64_t layer, const Settings& s) {
  const BlockType& k_type = catalog.block_type(catalog.find_kv_type(s.kv_type_k).block_type);
  const BlockType& v_type = catalog.block_type(catalog.find_kv_type(s.kv_type_v).block_type);
  return bytes_per_cell(k_type, v_type, model, layer, s, widest_kv(model));
}

namespace {

// Ollama's Go engine (kvcache/causal.go Init, before ollama#16031): one buffer for every sequence; each keeps
// max(memory, window + 1 with several sequences) cells, plus one batch, padded; the whole context when its
// share of the context is no larger.
std::uint64_t ollama_sliding_cells(const Model& model, const Settings& s, std::uint64_t context_cells, std::uint64_t pad) {
  const std::uint64_t memory = std::max(s.sliding_memory, model.sliding_window + (s.parallel > 1 ? 1 : 0));
  if (memory >= s.context / s.parallel) return context_cells;
  return std::min(context_cells, round_up(checked_add(checked_mul(memory, s.parallel, "KV cache"), s.batch, "KV cache"), pad));
}

// --no-kv-offload: the KV cache is a CPU buffer and llama.cpp runs the attention over it on the CPU
// (src/llama-graph.cpp build_attn_mha pins its output to backend_cpu). The host compute buffer then holds one
// layer's attention in f32: the ubatch's Q and the attention output (n_head x head_dim each), the new K and V
// rows copied in to be stored (kv_width each), and without flash attention the scores of the device rule, which
// leave the device. The widest layer counts (Gemma 4's full layers).
std::uint64_t cpu_attention_bytes(const Model& model, std::uint64_t n_tokens, std::uint64_t scores) {
  std::uint64_t widest = 0;
  for (const AttentionGeometry* g : {&model.sliding, &model.full}) {
    widest = std::max(widest, checked_add(checked_mul(2 * model.num_heads, g->head_dim), 2 * g->kv_width(), "compute buffer"));
  }
  return checked_add(checked_mul(checked_mul(4, widest), n_tokens, "compute buffer"), scores, "compute buffer");
}

bool listed(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// How many of K and V flash attention copies on this plan's backend (data/runtimes.json gpu_graph
// flash_attn_kv_copy): a cache of a type it copies, attention on the device, a release that copies.
std::uint64_t copied_caches(const Settings& s, const FlashAttnKvCopy& copy) {
  if (!listed(copy.backends, backend_name(s.backend)) || !s.flash_attn || !s.kv_offload || !s.flash_attn_kv_copy) return 0;
  return (listed(copy.types, s.kv_type_k) ? 1 : 0) + (listed(copy.types, s.kv_type_v) ? 1 : 0);
}

}  // namespace

std::uint64_t decode_copy_per_cell(const Catalog& catalog, const Model& model, std::uint64_t layer, const Settings& s) {
  const FlashAttnKvCopy& copy = catalog.gpu_graph.kv_copy;
  const std::uint64_t caches = copied_caches(s, copy);
  const AttentionGeometry& g = model.layers[layer] == LayerKind::full ? model.full : model.sliding;
  if (caches == 0 || (g.head_dim <= copy.vector_max_head_dim && copy.vector_max_tokens >= 1)) return 0;
  return checked_mul(g.kv_width(), caches * copy.element_bytes, "KV copy");
}

namespace {

// The device while one layer's flash attention runs on a backend that copies its K and V (llama.cpp PR #23907): the
// copies of one layer's whole cache (every stream's cells) are allocated with the attention output, beside the
// graph inputs and what is live at that op: the layer's input (hidden) and its Q and output (heads x head size
// each) in f32 per ubatch token, and the E models' per-layer inputs (two f32 rows of layers x per-layer width).
// The layer kind that needs the most counts; a kind the vector kernel serves (small heads, tiny ubatches) copies
// nothing. 0 where nothing is copied.
std::uint64_t attention_copy_peak(const Model& model, const KvDetail& kv, const Settings& s, const FlashAttnKvCopy& copy,
                                  std::uint64_t n_tokens, std::uint64_t inputs) {
  const std::uint64_t caches = copied_caches(s, copy);
  if (caches == 0) return 0;
  const std::uint64_t per_layer = checked_mul(8 * model.num_layers(), model.per_layer_embedding_dim, "compute buffer");
  std::uint64_t peak = 0;
  for (const LayerKind kind : {LayerKind::sliding, LayerKind::full}) {
    const AttentionGeometry& g = kind == LayerKind::full ? model.full : model.sliding;
    if (g.head_dim <= copy.vector_max_head_dim && n_tokens <= copy.vector_max_tokens) continue;
    const std::uint64_t cells = checked_mul(kind == LayerKind::full ? kv.full_cells : kv.sliding_cells, kv.streams);
    const std::uint64_t copies =
        checked_mul(checked_mul(cells, g.kv_width(), "compute buffer"), caches * copy.element_bytes, "compute buffer");
    const std::uint64_t row =
        checked_add(checked_mul(4, checked_add(model.hidden_size, checked_mul(2 * model.num_heads, g.head_dim))), per_layer,
                    "compute buffer");
    const std::uint64_t live = checked_add(inputs, checked_mul(row, n_tokens, "compute buffer"), "compute buffer");
    peak = std::max(peak, checked_add(live, copies, "compute buffer"));
  }
  return peak;
}

}  // namespace

KvDetail kv_cache(const Catalog& catalog, const Model& model, const Runtime& runtime, const Settings& s) {
  KvDetail kv;
  const std::uint64_t pad = runtime.kv_cell_pad;
  kv.context_cells = round_up(s.context, pad);
  const std::uint64_t n_ubatch = std::min({kv.context_cells, s.batch, s.ubatch});
  // Separate caches (llama-cli -np N): N streams of pad(n_ctx / N) cells. Unified: one stream.
  kv.streams = s.kv_unified ? 1 : s.parallel;
  const std::uint64_t cells_per_stream = s.kv_unified ? kv.context_cells : round_up(kv.context_cells / s.parallel, pad);
  kv.full_cells = cells_per_stream;
  const std::uint64_t window = checked_mul(model.sliding_window, s.kv_unified ? s.parallel : 1);
  kv.sliding_cells = s.swa_full ? cells_per_stream : std::min(cells_per_stream, round_up(window + n_ubatch, pad));
  if (s.sliding_memory && !s.swa_full) kv.sliding_cells = ollama_sliding_cells(model, s, kv.context_cells, pad);
  const std::uint64_t v_width_max = widest_kv(model);
  const BlockType& k_type = catalog.block_type(catalog.find_kv_type(s.kv_type_k).block_type);
  const BlockType& v_type = catalog.block_type(catalog.find_kv_type(s.kv_type_v).block_type);
  for (std::uint64_t il = 0; il < model.num_layers(); ++il) {
    if (!model.owns_kv(il)) continue;  // KV-shared layers read an earlier layer's cache
    const bool full = model.layers[il] == LayerKind::full;
    const std::uint64_t cells = full ? kv.full_cells : kv.sliding_cells;
    const std::uint64_t bytes = checked_mul(checked_mul(cells, kv.streams, "KV cache"),
                                            bytes_per_cell(k_type, v_type, model, il, s, v_width_max), "KV cache");
    (full ? kv.full_layers : kv.sliding_layers) += 1;
    (full ? kv.full_bytes : kv.sliding_bytes) = checked_add(full ? kv.full_bytes : kv.sliding_bytes, bytes, "KV cache");
  }
  return kv;
}

std::uint64_t compute_buffer_bytes(const Model& model, const KvDetail& kv, const Settings& s) {
  // The graph sees one stream's cells: the full layers' n_kv, and the sliding layers' window.
  const std::uint64_t n_ctx = kv.full_cells;
  const std::uint64_t n_ubatch = std::min({kv.context_cells, s.batch, s.ubatch});
  // f32 logits of the worst-case ubatch.
  const std::uint64_t logits = checked_mul(4 * model.vocab_size, n_ubatch, "compute buffer");
  // Activations: a measured floor, or hidden-size-proportional scratch plus the f16 masks [n_kv, n_ubatch]
  // of the full and the sliding layers.
  const std::uint64_t mask =
      model.mask_grows_with_context ? checked_mul(2 * (kv.full_cells + kv.sliding_cells), n_ubatch, "compute buffer") : 0;
  const std::uint64_t activations =
      std::max(checked_mul(model.activation_bytes_per_ubatch_token, n_ubatch, "compute buffer"),
               checked_mul(model.bytes_per_hidden_per_ubatch_token * model.hidden_size, n_ubatch, "compute buffer") + mask);
  if (s.flash_attn) return checked_add(logits, activations, "compute buffer");
  // Flash attention off: f32 attention scores of one full layer, n_ctx x n_ubatch x (n_head + 1), and the
  // sliding layers' f32 mask, n_kv x n_ubatch (large with --swa-full).
  const std::uint64_t scores =
      checked_mul(checked_mul(4 * n_ctx, n_ubatch, "compute buffer"), model.num_heads + 1, "compute buffer");
  const std::uint64_t sliding_mask = checked_mul(4 * kv.sliding_cells, n_ubatch, "compute buffer");
  return checked_add(checked_add(std::max(logits, scores), activations, "compute buffer"), sliding_mask, "compute buffer");
}

GpuCompute gpu_compute_buffers(const Model& model, const KvDetail& kv, const Settings& s, const GpuGraph& g) {
  const std::uint64_t n_tokens = std::min({kv.context_cells, s.batch, s.ubatch});
  const GpuGraphBackend& backend = g.backend(backend_name(s.backend));
  // The KQ masks of both caches, one stream's cells by the ubatch: graph inputs, which the scheduler allocates in
  // the host buffer and copies to the device.
  const std::uint64_t mask_bytes = s.flash_attn ? g.mask_bytes_flash_attn : g.mask_bytes_no_flash_attn;
  const std::uint64_t masks =
      checked_mul(checked_mul(mask_bytes, checked_add(kv.full_cells, kv.sliding_cells)), n_tokens, "compute buffer");
  // The device while the layers run: the masks, the layers' live activations, the backend's own constant; without
  // flash attention also one full layer's f32 scores and their softmax, n_ctx x n_tokens x (n_head + 1).
  const std::uint64_t inputs = checked_add(masks, backend.constant_bytes, "compute buffer");
  std::uint64_t layers =
      checked_add(inputs, checked_mul(model.gpu_activation_bytes_per_ubatch_token, n_tokens, "compute buffer"), "compute buffer");
  // Flash attention's f16 copies of one layer's K and V where the backend makes them: the larger of the two peaks.
  const std::uint64_t attention = attention_copy_peak(model, kv, s, g.kv_copy, n_tokens, inputs);
  layers = std::max(layers, attention);
  const std::uint64_t scores =
      s.flash_attn ? 0 : checked_mul(checked_mul(4 * kv.full_cells, n_tokens), model.num_heads + 1, "compute buffer");
  if (s.kv_offload) layers = checked_add(layers, scores, "compute buffer");
  // The device at the output layer: f32 logits of the outputs reserved (a few rows a sequence, never more than the
  // ubatch) and the ubatch's final f32 hidden state.
  const std::uint64_t outputs = std::min(n_tokens, checked_mul(s.parallel, g.outputs_per_sequence, "compute buffer"));
  const std::uint64_t output = checked_add(checked_mul(4 * model.vocab_size, outputs, "compute buffer"),
                                           checked_mul(4 * model.hidden_size, n_tokens, "compute buffer"), "compute buffer");
  // The host: the masks, the input layer's f32 rows (token embeddings, their scaled copy, the per-layer table's
  // rows) and the small inputs (token ids, positions), per ubatch token.
  const std::uint64_t per_layer_width = checked_mul(model.num_layers(), model.per_layer_embedding_dim, "compute buffer");
  const std::uint64_t row =
      checked_add(checked_add(checked_mul(4 * g.host_hidden_copies, model.hidden_size), checked_mul(4, per_layer_width)),
                  g.host_bytes_per_ubatch_token, "compute buffer");
  GpuCompute c;
  c.device = std::max(layers, output);
  c.host = checked_add(masks, checked_mul(row, n_tokens, "compute buffer"), "compute buffer");
  if (!s.kv_offload) c.host = checked_add(c.host, cpu_attention_bytes(model, n_tokens, scores), "compute buffer");
  // No public log measured the copies: a device figure they decide is derived.
  const bool copies_decide = attention > 0 && attention == c.device;
  c.basis = s.flash_attn && model.gpu_activation_measured && backend.measured && !copies_decide ? ComputeBasis::measured
                                                                                                : ComputeBasis::derived;
  return c;
}

std::uint64_t encoder_compute_bytes(const EncoderGraph& g, bool flash_attn) {
  // f32 activations of one layer at the warmup input: the two MLP-wide tensors and four hidden-wide ones.
  const std::uint64_t width = checked_add(checked_mul(2, g.ff), checked_mul(4, g.hidden));
  std::uint64_t bytes = checked_add(checked_mul(checked_mul(4, g.positions), width, "encoder compute"), g.frontend_bytes);
  // Without flash attention the f32 scores and their softmax, positions x span x heads each.
  if (!flash_attn) {
    bytes = checked_add(bytes, checked_mul(checked_mul(8 * g.positions, g.attention_span), g.heads, "encoder compute"));
  }
  return bytes;
}

std::uint64_t projector_compute_bytes(const Model& model, const Settings& s) {
  // mtmd loads every encoder the mmproj file holds, each with its own compute buffer.
  std::uint64_t bytes = 0;
  for (const EncoderGraph& g : model.encoder_graphs) bytes = checked_add(bytes, encoder_compute_bytes(g, s.flash_attn));
  return bytes;
}

std::uint64_t output_buffer_bytes(const Model& model, const Settings& s) {
  return checked_mul(4 * model.vocab_size, s.parallel, "output buffer");
}

namespace {

// A recipe whose per-tensor types are not known but whose file size is: every tensor takes its share of the
// published tensor bytes (the base preset's proportions), so the total is the file's.
__extension__ using Wide = unsigned __int128;  // a tensor's bytes times a file's: up to 2^80

void scale_to_file(std::vector<TypedTensor>& typed, std::uint64_t tensor_bytes) {
  Wide total = 0;
  for (const TypedTensor& t : typed) total += t.bytes;
  if (total == 0) return;
  for (TypedTensor& t : typed) t.bytes = static_cast<std::uint64_t>(Wide{t.bytes} * tensor_bytes / total);
}

// Bytes, the device/host split, the repacked and the looked-up weights of a plan whose tensors are typed.
void total_up(WeightPlan& plan) {
  for (const TypedTensor& t : plan.typed) {
    plan.file_bytes = checked_add(plan.file_bytes, t.bytes, "weights");
    std::uint64_t& side = t.tensor->host_resident ? plan.split.host : plan.split.device;
    side = checked_add(side, t.bytes, "weights");
    // Repacked for matrix multiplication; the input-layer tensors are only looked up (GET_ROWS), never repacked.
    if (t.type->cpu_repack && !t.tensor->host_resident) plan.repack_bytes = checked_add(plan.repack_bytes, t.bytes, "weights");
    // A tied output layer is the token embedding; llama.cpp copies it to the device that computes logits.
    const bool tied_output = t.tensor->category == TensorCategory::output && t.tensor->group == TensorGroup::embedding;
    if (tied_output && t.tensor->host_resident) plan.output_copy_bytes = t.bytes;
    if (t.tensor->host_resident) {
      add_table(plan.lookup_gpu, t);
      if (!tied_output) add_table(plan.lookup_cpu, t);
    }
  }
}

}  // namespace

WeightPlan plan_weights(const Catalog& catalog, const Model& model, const Preset& preset, const Runtime& runtime) {
  return plan_weights(catalog, model, std::make_shared<const std::vector<Tensor>>(model_tensors(model)), preset, runtime);
}

WeightPlan plan_weights(const Catalog& catalog, const Model& model, std::shared_ptr<const std::vector<Tensor>> tensors,
                        const Preset& preset, const Runtime& runtime) {
  WeightPlan plan;
  const bool omits = !preset.kv_shared_omitted.empty() && model.kv_shared_layers != 0;
  plan.tensors =
      omits ? std::make_shared<const std::vector<Tensor>>(tensors_in_file(model, preset, *tensors)) : std::move(tensors);
  plan.typed = assign_types(catalog, model, preset, *plan.tensors, runtime.tensor_alignment);
  plan.header_bytes = model.architecture->gguf_header_bytes;
  // A recipe whose per-tensor types are not published, with no file size for this model, is its base preset's rules.
  if (preset.is_recipe() && preset.rules_exact) plan.source = WeightsSource::registry;
  if (const PublishedFile* f = preset.rules_exact ? nullptr : preset.published_for(model.id)) {
    scale_to_file(plan.typed, f->file_bytes - std::min(f->file_bytes, model.architecture->gguf_header_bytes));
    plan.source = WeightsSource::estimated_from_size;
  }
  total_up(plan);
  return plan;
}

WeightPlan plan_weights(const Catalog& catalog, const Model& model, const std::vector<StatedTensor>& stated,
                        const Runtime& runtime, WeightsSource source) {
  WeightPlan plan;
  plan.tensors = std::make_shared<const std::vector<Tensor>>(stated_tensors(model, stated));
  TypeMap types;
  for (const StatedTensor& s : stated) {
    if (!types.emplace(s.name, s.type).second) throw Error(Errc::data, "tensor " + s.name + " is stated twice (expected once)");
  }
  plan.typed = assign_types(catalog, types, *plan.tensors, runtime.tensor_alignment);
  plan.header_bytes = model.architecture->gguf_header_bytes;
  plan.source = source;
  total_up(plan);
  return plan;
}

WeightPlan plan_weights(const Catalog& catalog, const Model& model, const TypeMap& types, const Runtime& runtime,
                        WeightsSource source) {
  std::vector<StatedTensor> stated;
  for (const Tensor& t : model_tensors(model)) {
    std::vector<std::uint64_t> ne(t.ne.begin(), t.ne.end());
    while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
    const auto it = types.find(t.name);
    stated.push_back({t.name, std::move(ne), it == types.end() ? std::string() : it->second});
  }
  for (const auto& entry : types) {
    const std::string& name = entry.first;
    const bool known = std::any_of(stated.begin(), stated.end(), [&](const StatedTensor& s) { return s.name == name; });
    if (!known) throw Error(Errc::data, "type map names tensor " + name + ", which " + model.id + " does not have");
  }
  for (const StatedTensor& s : stated) {
    if (s.type.empty()) throw Error(Errc::data, "type map has no type for " + model.id + "'s tensor " + s.name);
  }
  return plan_weights(catalog, model, stated, runtime, source);
}

std::uint64_t projector_bytes(const Catalog& catalog, const Model& model, const std::string& type) {
  const BlockType& b = catalog.block_type(type);
  const std::uint64_t quantized = model.vision_params + model.audio_params - model.encoder_f32_params;
  return checked_add(checked_mul(ceil_div(quantized, b.block_elems), b.block_bytes, "projector"),
                     checked_mul(model.encoder_f32_params, 4, "projector"), "projector");
}

bool supports_modalities(const Model& model, const Settings& s) {
  return (!s.vision || model.has_modality("image")) && (!s.audio || model.has_modality("audio"));
}

std::vector<RoleBytes> weights_by_role(const WeightPlan& weights) {
  std::vector<RoleBytes> out;
  for (const TypedTensor& t : weights.typed) {
    std::string role = t.tensor->name;
    if (t.tensor->layer >= 0) role.erase(0, role.find('.', 4) + 1);  // "blk.12.attn_q.weight" -> "attn_q.weight"
    auto it = std::find_if(out.begin(), out.end(), [&](const RoleBytes& r) { return r.role == role && r.type == t.type->name; });
    if (it == out.end()) it = out.insert(out.end(), RoleBytes{role, t.type->name, 0, 0});
    it->count += 1;
    it->bytes = checked_add(it->bytes, t.bytes, "weights");
  }
  // Keep each role's types together, roles in the order they first appear.
  std::vector<std::string> first_seen;
  for (const RoleBytes& r : out) {
    if (std::find(first_seen.begin(), first_seen.end(), r.role) == first_seen.end()) first_seen.push_back(r.role);
  }
  const auto rank = [&](const RoleBytes& r) {
    return std::find(first_seen.begin(), first_seen.end(), r.role) - first_seen.begin();
  };
  std::stable_sort(out.begin(), out.end(), [&](const RoleBytes& a, const RoleBytes& b) { return rank(a) < rank(b); });
  return out;
}

Footprint footprint(const Catalog& catalog, const Model& model, const Preset& preset, const WeightPlan& weights,
                    const Runtime& runtime, const Settings& s) {
  Footprint f;
  f.model = model.id;
  f.quant = preset.id;
  f.settings = s;
  f.weights_bytes = weights.file_bytes;
  f.file_bytes = checked_add(weights.file_bytes, weights.header_bytes, "weights");
  f.weights_source = weights.source;
  f.kv = kv_cache(catalog, model, runtime, s);
  const std::uint64_t kv_bytes = checked_add(f.kv.full_bytes, f.kv.sliding_bytes, "KV cache");
  f.overhead.host = output_buffer_bytes(model, s);
  if (s.wants_projector()) {
    f.projector_weights_bytes = weights.projector_bytes.value_or(projector_bytes(catalog, model, s.projector_type));
    f.projector_compute_bytes = projector_compute_bytes(model, s);
  }
  // llama.cpp's --no-mmproj-offload keeps the projector, and the encoder graph it runs, on the CPU.
  (s.on_gpu() && s.mmproj_offload ? f.projector.device : f.projector.host) =
      checked_add(f.projector_weights_bytes, f.projector_compute_bytes);
  if (s.draft_context != 0 && model.drafter)
    (s.on_gpu() ? f.draft.device : f.draft.host) = model.drafter->bytes_at(s.draft_context);
  if (s.on_gpu()) {
    f.weights = weights.split;
    (s.kv_offload ? f.kv_cache.device : f.kv_cache.host) = kv_bytes;
    const GpuCompute compute = gpu_compute_buffers(model, f.kv, s, catalog.gpu_graph);
    f.compute = {compute.device, compute.host};
    f.compute_basis = compute.basis;
    f.overhead.device = weights.output_copy_bytes;
    f.host_paged_bytes = s.mmap ? paged_bytes(weights.lookup_gpu, f.kv.context_cells) : 0;
  } else {
    // CPU only: the mapped file is the whole model; the tied output reads token_embd in place.
    f.weights.host = weights.file_bytes;
    f.kv_cache.host = kv_bytes;
    f.compute.host = compute_buffer_bytes(model, f.kv, s);
    f.compute_basis = ComputeBasis::cpu_fit;
    f.repack.host = s.cpu_repack ? weights.repack_bytes : 0;
    f.host_paged_bytes = s.mmap ? paged_bytes(weights.lookup_cpu, f.kv.context_cells) : 0;
  }
  return f;
}

Footprint footprint(const Catalog& catalog, const Model& model, const Preset& preset, const Runtime& runtime,
                    const Settings& settings) {
  return footprint(catalog, model, preset, plan_weights(catalog, model, preset, runtime), runtime, settings);
}

}  // namespace fitcheck

#include "fitcheck/vllm.hpp"

#include <algorithm>
#include <cmath>

#include "fitcheck/error.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

const VllmKvDtype& kv_dtype(const Catalog& catalog, const std::string& id) {
  std::vector<std::string> ids;
  for (const VllmKvDtype& d : catalog.deployment.vllm.kv_cache_dtypes) {
    if (d.id == id) return d;
    ids.push_back(d.id);
  }
  const std::string guess = did_you_mean(id, ids);
  throw Error(Errc::usage, "unknown vLLM kv_cache_dtype '" + id + "'" + (guess.empty() ? "" : " (" + guess + ")"));
}

// KV heads one GPU holds: split over the tensor-parallel ranks, replicated when there are fewer heads.
std::uint64_t heads_per_gpu(std::uint64_t heads, std::uint64_t tp) { return std::max<std::uint64_t>(1, ceil_div(heads, tp)); }

// The profiled forward pass: activations of max_num_batched_tokens tokens (hidden state, attention and
// FFN intermediates in BF16) and the sampler's FP32 logits and probabilities for up to max_num_seqs rows.
// With speculative decoding the warm-up also runs the rejection sampler on logits of one draft token and one
// bonus token a request (GPUModelRunner._dummy_sampler_run): twice the rows. A Gemma 4 drafter's own forward
// pass is narrower than its target's and runs after it, so it does not raise the peak.
std::uint64_t activation_bytes(const Model& m, const VllmSettings& s) {
  const std::uint64_t tokens = s.max_num_batched_tokens;
  const std::uint64_t ffn = checked_add(m.intermediate_size, checked_mul(m.experts_active, m.expert_intermediate_size));
  const std::uint64_t per_token = checked_add(checked_mul(4, m.hidden_size), checked_mul(3, ffn));
  const std::uint64_t forward = checked_mul(checked_mul(tokens, per_token), 2) / s.tensor_parallel_size;
  const std::uint64_t rows = checked_mul(std::min(s.max_num_seqs, tokens), s.speculative ? 2 : 1);
  const std::uint64_t sampler = checked_mul(checked_mul(rows, m.vocab_size), 4 * 2);
  return checked_add(forward, sampler);
}

// The MTP drafter's weights on one GPU: its assistant checkpoint (no KV cache: it reads the target's).
std::uint64_t drafter_bytes(const Catalog& catalog, const VllmSettings& s) {
  if (s.drafter_model.empty()) return 0;
  const Model& owner = catalog.find_model(s.drafter_model);
  if (!owner.drafter || owner.drafter->checkpoint_bytes == 0)
    throw Error(Errc::data, "the catalog has no vLLM drafter checkpoint for " + owner.id);
  return ceil_div(owner.drafter->checkpoint_bytes, s.tensor_parallel_size);
}

// One layer's KV paging. vLLM gives every layer the page of the largest (block_size tokens of it): a layer
// whose page divides that page holds proportionally more tokens per block; any other pads its page.
struct LayerPaging {
  std::uint64_t tokens_per_block = 0;
  std::uint64_t page_bytes = 0;
};

LayerPaging unified_paging(std::uint64_t own_token_bytes, std::uint64_t largest_token_bytes, std::uint64_t block) {
  const bool divides = largest_token_bytes % own_token_bytes == 0;
  return {divides ? block * (largest_token_bytes / own_token_bytes) : block, checked_mul(block, largest_token_bytes)};
}

// KV bytes one token takes in a layer on one GPU: K and V (K = V layers store both too), and with
// per-token-head quantization each head's K and V scales (AttentionSpec.page_size_bytes).
std::uint64_t layer_token_bytes(const Model& m, std::uint64_t il, const VllmKvDtype& dtype, std::uint64_t tp) {
  const AttentionGeometry& g = m.geometry(il);
  const std::uint64_t heads = heads_per_gpu(g.kv_heads, tp);
  const std::uint64_t head = checked_add(checked_mul(checked_mul(2, g.head_dim), dtype.bytes), dtype.scale_bytes);
  return checked_mul(heads, head);
}

}  // namespace

VllmSettings vllm_defaults(const Catalog& catalog, const Model& model, const Hardware& hw) {
  const VllmRules& rules = catalog.deployment.vllm;
  VllmSettings s;
  s.max_model_len = model.max_context;
  s.gpu_memory_utilization = rules.gpu_memory_utilization;
  for (const VllmBatchDefault& tier : rules.batch_defaults) {
    const bool excluded = std::any_of(tier.except_names.begin(), tier.except_names.end(),
                                      [&](const std::string& name) { return hw.name.find(name) != std::string::npos; });
    if (hw.memory_bytes >= tier.min_device_bytes && !excluded) {
      s.max_num_batched_tokens = tier.max_num_batched_tokens;
      s.max_num_seqs = tier.max_num_seqs;
      break;
    }
  }
  return s;
}

std::uint64_t vllm_sequence_kv_bytes(const Catalog& catalog, const Model& m, const VllmSettings& s, std::uint64_t tokens) {
  const std::uint64_t block = catalog.deployment.vllm.block_size;
  const VllmKvDtype& dtype = kv_dtype(catalog, s.kv_cache_dtype);
  std::uint64_t largest = 0;
  for (std::uint64_t il = 0; il < m.num_layers(); ++il) {
    if (m.owns_kv(il)) largest = std::max(largest, layer_token_bytes(m, il, dtype, s.tensor_parallel_size));
  }
  // Sliding layers keep the window plus one batch of new tokens, and one spare block.
  const std::uint64_t window = m.sliding_window > 0 ? m.sliding_window - 1 : 0;
  const std::uint64_t sliding_tokens = std::min(checked_add(window, s.max_num_batched_tokens), tokens);
  std::uint64_t total = 0;
  for (std::uint64_t il = 0; il < m.num_layers(); ++il) {
    if (!m.owns_kv(il)) continue;  // KV-shared layers read an earlier layer's blocks
    const LayerPaging paging = unified_paging(layer_token_bytes(m, il, dtype, s.tensor_parallel_size), largest, block);
    const std::uint64_t blocks = m.layers[il] == LayerKind::full ? ceil_div(tokens, paging.tokens_per_block)
                                                                 : ceil_div(sliding_tokens, paging.tokens_per_block) + 1;
    total = checked_add(total, checked_mul(blocks, paging.page_bytes, "KV cache"), "KV cache");
  }
  return total;
}

std::uint64_t vllm_reported_bytes(const Catalog& catalog, const Hardware& hw) {
  if (hw.cuda_reported_bytes != 0) return hw.cuda_reported_bytes;
  const std::uint64_t reserve = catalog.deployment.vllm.memory.driver_reserve_bytes;
  const bool nvidia_vram = hw.vendor == "NVIDIA" && hw.memory_kind == MemoryKind::vram;
  return nvidia_vram && hw.memory_bytes > reserve ? hw.memory_bytes - reserve : hw.memory_bytes;
}

std::uint64_t vllm_cudagraph_count(const Catalog& catalog, const VllmSettings& s) {
  if (!s.cuda_graphs) return 0;
  const VllmMemoryRules& rules = catalog.deployment.vllm.memory;
  // vllm/config/vllm.py _set_cudagraph_sizes: min(max_num_seqs x decode query x 2, 512, max_num_batched_tokens);
  // with speculative decoding each size is rounded up to a multiple of the decode query (one token and the drafts).
  const std::uint64_t decode_query = 1 + (s.speculative ? s.speculative_tokens : 0);
  const std::uint64_t decode_tokens = checked_mul(s.max_num_seqs, decode_query);
  const std::uint64_t largest =
      std::min({checked_mul(decode_tokens, 2), rules.cudagraph_max_capture_size, s.max_num_batched_tokens});
  std::uint64_t count = 0, previous = 0;
  for (const std::uint64_t size : rules.cudagraph_capture_sizes) {
    const std::uint64_t rounded = checked_mul(ceil_div(size, decode_query), decode_query);
    if (size > largest || rounded == previous) continue;
    count += rounded <= decode_tokens ? 2 : 1;  // PIECEWISE, and FULL for a uniform decode batch
    previous = rounded;
  }
  return count;
}

VllmPlan vllm_plan(const Catalog& catalog, const Model& model, const Hardware& hw, const VllmSettings& s) {
  VllmPlan p;
  const Runtime& runtime = catalog.default_runtime();
  const VllmMemoryRules& rules = catalog.deployment.vllm.memory;
  const Preset* named = catalog.weights_named(s.weights);
  const Preset& checkpoint = named ? *named : catalog.find_preset("BF16");
  const std::uint64_t weights =
      checked_add(plan_weights(catalog, model, checkpoint, runtime).file_bytes, projector_bytes(catalog, model, "BF16"));
  p.device_bytes = hw.memory_bytes;
  p.reported_bytes = vllm_reported_bytes(catalog, hw);
  p.usable_bytes = static_cast<std::uint64_t>(std::floor(static_cast<double>(p.reported_bytes) * s.gpu_memory_utilization));
  p.drafter_bytes = drafter_bytes(catalog, s);
  p.weights_bytes = checked_add(ceil_div(weights, s.tensor_parallel_size), p.drafter_bytes);
  p.drafter_profile_bytes =
      static_cast<std::uint64_t>(std::ceil(static_cast<double>(p.drafter_bytes) * rules.drafter_profile_factor));
  p.activation_bytes = checked_add(activation_bytes(model, s), p.drafter_profile_bytes);
  p.non_torch_bytes = catalog.platform("cuda").reserve_bytes;
  p.cudagraph_bytes =
      checked_mul(checked_mul(vllm_cudagraph_count(catalog, s), model.num_layers()), rules.cudagraph_bytes_per_size_layer);
  const std::uint64_t taken =
      checked_add(checked_add(checked_add(p.weights_bytes, p.activation_bytes), p.non_torch_bytes), p.cudagraph_bytes);
  p.kv_bytes = p.usable_bytes > taken ? p.usable_bytes - taken : 0;
  p.outside_bytes = p.reported_bytes - p.usable_bytes;
  p.outside_need_bytes = checked_add(rules.startup_bytes, p.drafter_bytes ? rules.drafter_capture_bytes : 0);
  p.starts = p.outside_bytes >= p.outside_need_bytes;
  p.sequence_kv_bytes = vllm_sequence_kv_bytes(catalog, model, s, s.max_model_len);
  p.sequences = p.sequence_kv_bytes == 0 ? 0 : p.kv_bytes / p.sequence_kv_bytes;
  p.fits = p.starts && p.sequences >= 1;
  // The longest single request the blocks hold (vLLM's estimate_max_model_len): a binary search.
  std::uint64_t lo = 0, hi = model.max_context;
  while (lo < hi) {  // hi - lo shrinks every step; mid in (lo, hi] without overflow at any hi
    const std::uint64_t mid = lo + (hi - lo) / 2 + 1;
    if (vllm_sequence_kv_bytes(catalog, model, s, mid) <= p.kv_bytes)
      lo = mid;
    else
      hi = mid - 1;
  }
  p.max_model_len_fit = lo;
  return p;
}

}  // namespace fitcheck

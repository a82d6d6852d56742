#pragma once
// vLLM's allocation rule: it takes gpu_memory_utilization x the memory the GPU reports, loads the weights,
// profiles one forward pass of max_num_batched_tokens, estimates its CUDA graphs and gives the rest to KV
// blocks. It starts when those blocks hold one request of max_model_len (how many such requests fit is its
// concurrency) and when what stays outside its share (the CUDA context it found at start, a drafter's late
// graph capture) fits in the rest.
#include <cstdint>
#include <string>

#include "fitcheck/catalog.hpp"

namespace fitcheck {

struct VllmSettings {
  std::uint64_t max_model_len = 0;
  double gpu_memory_utilization = 0.9;
  std::uint64_t max_num_seqs = 0;
  std::uint64_t max_num_batched_tokens = 0;
  std::uint64_t tensor_parallel_size = 1;
  std::string kv_cache_dtype = "auto";
  std::string weights = "BF16";  // the checkpoint's weights: BF16, or a quantized scheme (data/recipes.json)
  // Speculative decoding (--speculative-config): a Gemma 4 MTP drafter, or a proposer without weights (ngram).
  bool speculative = false;
  std::uint64_t speculative_tokens = 1;  // num_speculative_tokens (vLLM's decode query is one longer)
  std::string drafter_model;             // the catalog model whose assistant (MTP) checkpoint vLLM loads; empty: none
  bool cuda_graphs = true;               // off with --enforce-eager
};

// How many CUDA graphs vLLM captures: one a capture size in each of the FULL (uniform decode) and PIECEWISE
// modes (its default FULL_AND_PIECEWISE).
std::uint64_t vllm_cudagraph_count(const Catalog& catalog, const VllmSettings& settings);

// The catalog's defaults for this GPU (batch defaults depend on its memory and name); max_model_len is
// the model's maximum.
VllmSettings vllm_defaults(const Catalog& catalog, const Model& model, const Hardware& hardware);

struct VllmPlan {
  std::uint64_t device_bytes = 0;           // one GPU's memory
  std::uint64_t reported_bytes = 0;         // the total CUDA reports (torch.cuda.mem_get_info), vLLM's base
  std::uint64_t usable_bytes = 0;           // reported_bytes x gpu_memory_utilization
  std::uint64_t weights_bytes = 0;          // per GPU: text model, encoders and drafter, split over tensor_parallel_size
  std::uint64_t drafter_bytes = 0;          // of which the MTP drafter's
  std::uint64_t activation_bytes = 0;       // the profiled peak (derived, not measured), a drafter's share included
  std::uint64_t drafter_profile_bytes = 0;  // of which an MTP drafter's beyond its weights (fitted)
  std::uint64_t non_torch_bytes = 0;        // memory outside PyTorch's allocator (the platform reserve)
  std::uint64_t cudagraph_bytes = 0;        // vLLM's CUDA graph estimate (in its budget since v0.21)
  std::uint64_t kv_bytes = 0;               // what is left for KV blocks (0 when nothing is)
  std::uint64_t outside_bytes = 0;          // reported_bytes less usable_bytes: what the share leaves
  std::uint64_t outside_need_bytes = 0;     // what vLLM holds outside its share: startup context, a drafter's capture
  std::uint64_t sequence_kv_bytes = 0;      // the blocks of one max_model_len request, per GPU
  std::uint64_t sequences = 0;              // full-length requests the blocks hold
  std::uint64_t max_model_len_fit = 0;      // the longest request that fits alone (0: none)
  bool starts = false;                      // what stays outside the share fits in what it leaves
  bool fits = false;                        // it starts and one full-length request fits
};

// The total vLLM takes its share of: the measured CUDA total, else on an NVIDIA GPU the driver-reported memory
// less the driver's reservation, else the memory.
std::uint64_t vllm_reported_bytes(const Catalog& catalog, const Hardware& hardware);

// Bytes of KV blocks one request of `tokens` needs on one GPU.
std::uint64_t vllm_sequence_kv_bytes(const Catalog& catalog, const Model& model, const VllmSettings& settings,
                                     std::uint64_t tokens);
// Throws Error(Errc::usage) for an unknown kv_cache_dtype.
VllmPlan vllm_plan(const Catalog& catalog, const Model& model, const Hardware& hardware, const VllmSettings& settings);

}  // namespace fitcheck

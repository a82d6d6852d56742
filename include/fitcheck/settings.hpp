#pragma once
// How a deployment runs: the llama.cpp settings a footprint depends on. A runtime's defaults are a Settings
// value too (data/runtimes.json), so that every setting has one list of fields.
#include <cstdint>
#include <string>
#include <string_view>

#include "fitcheck/enum_names.hpp"

namespace fitcheck {

// The llama.cpp backend. Every GPU backend offloads every layer (-ngl all); cpu runs on the CPU alone.
enum class Backend { cpu, cuda, rocm, metal, vulkan };
inline constexpr EnumName<Backend> k_backend_names[] = {{"cpu", Backend::cpu},
                                                        {"cuda", Backend::cuda},
                                                        {"rocm", Backend::rocm},
                                                        {"metal", Backend::metal},
                                                        {"vulkan", Backend::vulkan}};
const char* backend_name(Backend backend);
// "cpu", "cuda", ... -> Backend; throws Error(Errc::usage) on anything else.
Backend parse_backend(std::string_view text);

// Bounds of the settings a runtime accepts here (llama.cpp takes more; no deployment needs more).
inline constexpr std::uint64_t k_max_parallel = 4096;
inline constexpr std::uint64_t k_max_ubatch = 1ULL << 16;

struct Settings {
  std::uint64_t context = 8192;  // tokens requested (-c); padded to the runtime's cell pad
  std::string kv_type_k = "f16";
  std::string kv_type_v = "f16";
  std::uint64_t ubatch = 512;
  std::uint64_t batch = 2048;
  std::uint64_t parallel = 1;
  bool flash_attn = true;
  bool swa_full = false;
  bool kv_unified = false;
  // llama.cpp --no-kv-offload (-nkvo) sets false: the KV cache lives in host RAM (a CPU buffer) and the attention
  // over it runs on the CPU (src/llama-kv-cache.cpp, src/llama-graph.cpp build_attn_mha, offload_kqv).
  bool kv_offload = true;
  bool mmproj_offload = true;  // false (--no-mmproj-offload): the projector's weights and its graph stay on the CPU
  // Ollama's own engine (before it ran llama-server): sliding layers keep this many cells a sequence in one
  // buffer for all sequences (data/runtime_versions.json); 0: llama.cpp's sliding cache.
  std::uint64_t sliding_memory = 0;
  // The runtime's flash attention copies a K/V cache not of the kernels' element type into the compute buffer on
  // the backends that do (llama.cpp from b9489, ggml-org/llama.cpp PR #23907; data/runtime_versions.json); before,
  // the copy came from the CUDA pool at run time.
  bool flash_attn_kv_copy = true;
  bool cpu_repack = true;  // llama.cpp's default; --no-repack turns it off
  // llama.cpp maps the weights file (its default): the lookup tables' rows not in use may stay on disk. false
  // (--no-mmap, --mlock, --load-mode none|dio, Ollama's use_mmap false and its Go engine): every page is read in.
  bool mmap = true;
  bool vision = false;                 // load the multimodal projector (mmproj) for images
  bool audio = false;                  // ... for audio (E2B/E4B: the same mmproj file holds both encoders)
  std::string projector_type = "F16";  // mmproj weights: F16, BF16 or Q8_0
  // An MTP drafter loaded beside the model (llama.cpp -md/-hfd with --spec-type draft-mtp) and its draft context
  // (-cd); 0: no drafter.
  std::uint64_t draft_context = 0;
  bool wants_projector() const { return vision || audio; }
  Backend backend = Backend::cuda;
  bool on_gpu() const { return backend != Backend::cpu; }
};

}  // namespace fitcheck

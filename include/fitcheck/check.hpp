#pragma once
// `fitcheck check`: one deployment as a config file states it (read by src/readers), and whether it fits
// a target with a headroom: llama.cpp's footprint (Ollama runs llama.cpp), or vLLM's allocation rule.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/speed.hpp"
#include "fitcheck/vllm.hpp"

namespace fitcheck {

enum class ConfigFormat { fitcheck, llama_cpp, ollama, vllm };
inline constexpr EnumName<ConfigFormat> k_format_names[] = {{"fitcheck", ConfigFormat::fitcheck},
                                                            {"llama.cpp", ConfigFormat::llama_cpp},
                                                            {"ollama", ConfigFormat::ollama},
                                                            {"vllm", ConfigFormat::vllm}};
const char* format_name(ConfigFormat format);

struct ConfigNote {
  std::size_t line = 0;  // 0: the file as a whole
  std::string message;
};

// Target hardware named in the file itself (fitcheck's own format): one of the three.
struct TargetSpec {
  std::string gpu;
  std::string vram;
  std::string unified;
  std::size_t line = 0;
  bool given() const { return !gpu.empty() || !vram.empty() || !unified.empty(); }
};

struct Deployment {
  std::string path;
  std::string name;  // within a file of several (a compose service, a llama-swap model); empty for a file of one
  ConfigFormat format = ConfigFormat::fitcheck;
  std::size_t line = 1;    // where the model is named: annotations point here
  std::string model_text;  // as the file says it
  const Model* model = nullptr;
  const Preset* preset = nullptr;             // the GGUF preset; BF16 for vLLM
  std::shared_ptr<const WeightPlan> weights;  // read from the model file's header (check reads -m files that exist)
  Settings settings;                          // context set when `context` is
  std::optional<std::uint64_t> context;
  std::size_t context_line = 0;
  bool fit_context = false;
  bool fit_layers = false;                        // --fit on and no -ngl / --n-cpu-moe: llama.cpp moves layers to the CPU to fit
  bool draft = false;                             // an MTP drafter (--spec-type draft-mtp, -md, -hfd)
  std::optional<std::uint64_t> draft_context;     // -cd; absent: the target's context
  bool fit_context_planned = false;               // the context is what --fit chose (the draft keeps the model's)
  std::optional<std::uint64_t> fit_min_context;   // --fit-ctx
  std::optional<std::uint64_t> fit_margin_bytes;  // --fit-target (MiB in the file)  // no -c under llama.cpp's --fit: the context
                                                  // is the largest that fits (check says which)
  std::optional<Backend> backend;
  std::optional<std::uint64_t> gpu_layers;  // -ngl N / num_gpu N; absent: all
  std::uint64_t cpu_moe_layers = 0;         // --n-cpu-moe N
  std::uint64_t extra_reserve_bytes = 0;    // OLLAMA_GPU_OVERHEAD
  std::uint64_t gpu_count = 1;              // GPUs it runs on (a container's reservation, tensor parallelism)
  VllmSettings vllm_settings;               // max_model_len 0 / max_num_seqs 0 ...: the defaults
  std::optional<double> gpu_memory_utilization;
  TargetSpec target;
  std::vector<ConfigNote> notes;       // how defaults were filled in, settings read from the environment
  std::vector<ConfigNote> warnings;    // options fitcheck does not know (ignored)
  std::vector<ConfigNote> unmodelled;  // options that change memory and that fitcheck does not model
  // vLLM's allocation rule instead of llama.cpp's footprint (Ollama runs llama-server).
  bool uses_vllm() const { return format == ConfigFormat::vllm; }
  // The server that runs it: "llama.cpp", "ollama" or "vllm" (JSON "runtime").
  const char* server_id() const {
    return format == ConfigFormat::vllm ? "vllm" : format == ConfigFormat::ollama ? "ollama" : "llama.cpp";
  }
  // The same, as people write it: llama.cpp, Ollama, vLLM.
  const char* server_name() const {
    return format == ConfigFormat::vllm ? "vLLM" : format == ConfigFormat::ollama ? "Ollama" : "llama.cpp";
  }
};

// Throws Error(Errc::usage) when the deployment's runtime cannot run on the hardware (vLLM on unified memory).
void require_supported_target(const Deployment& d, const Hardware& hardware);

// How much room the check keeps free: a share of the device budget, or a size.
struct Headroom {
  double share = 0;
  std::uint64_t bytes = 0;  // used when share is 0
  std::uint64_t of(std::uint64_t limit) const;
};

// What a deployment is checked against: the hardware, what stays free, the host, and the speed it must reach.
struct CheckTarget {
  const Hardware& hardware;
  std::optional<std::uint64_t> reserve;  // overrides the platform's runtime reserve
  std::uint64_t host_ram_bytes = 0;      // RAM a discrete GPU's host offers (less the OS); 0: not checked
  Headroom headroom;
  double host_bandwidth_gbs = 0;  // the host's RAM bandwidth; 0: the catalog's typical host
  std::optional<double> min_tps;  // a deployment that decodes slower (or at an unknown speed) does not pass
};

struct CheckResult {
  bool fits = false;
  bool too_slow = false;  // decodes below CheckTarget::min_tps, or at an unknown speed under it
  bool passes() const { return fits && !too_slow; }
  std::uint64_t context = 0;
  std::uint64_t device_bytes = 0;  // what the deployment puts on the device (vLLM: its used share)
  std::uint64_t limit_bytes = 0;   // the device budget (vLLM: memory x gpu_memory_utilization)
  std::uint64_t headroom_bytes = 0;
  std::int64_t margin_bytes = 0;  // limit - device (negative: over)
  std::uint64_t host_bytes = 0;   // host RAM the deployment uses (llama.cpp with layers on the CPU)
  std::uint64_t host_limit_bytes = 0;
  std::optional<Footprint> footprint;  // llama.cpp
  std::optional<VllmPlan> vllm;
  VllmSettings vllm_settings;
  Budget budget;
  std::string reason;  // why it does not fit, in words; empty when it fits
  // The placement llama.cpp's --fit chose (-ngl, --n-cpu-moe), when it moved layers to the CPU.
  std::optional<std::pair<std::optional<std::uint64_t>, std::uint64_t>> placement;
  std::uint64_t paged_bytes = 0;  // mapped weights beyond the host RAM budget: read from disk as tokens need them
  std::uint64_t draft_bytes = 0;  // an MTP drafter's weights and draft compute buffer (in device_bytes)
  std::string fitted;             // what llama.cpp's --fit chose (the context, the layers moved to the CPU); empty when nothing
  // Decoding and prefill for the placement the config states (or --fit chose), with the policy's fill in the
  // context; decode_tps 0 with the basis saying why when unknown (vLLM, several GPUs, a target without bandwidth);
  // with an MTP drafter loaded, its speed.mtp.
  Speed speed;
};

// Throws Error(Errc::usage) for a deployment the hardware cannot take at all.
CheckResult check_deployment(const Catalog& catalog, const Deployment& d, const CheckTarget& target);

// The context a deployment runs with: stated, or the runtime's default for this hardware.
std::uint64_t deployment_context(const Catalog& catalog, const Deployment& d, const Hardware& hardware);

}  // namespace fitcheck

#include "fitcheck/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "fitcheck/error.hpp"
#include "fitcheck/offload.hpp"
#include "fitcheck/setup.hpp"
#include "fitcheck/speed.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

std::string decimal_text(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::int64_t signed_difference(std::uint64_t a, std::uint64_t b) {
  return a >= b ? static_cast<std::int64_t>(a - b) : -static_cast<std::int64_t>(b - a);
}

std::string over_text(std::uint64_t used, std::uint64_t limit, std::uint64_t headroom, const char* what) {
  std::string text = "needs " + format_gib(used) + " of " + what + ", ";
  if (used > limit) return text + format_gib(used - limit) + " more than the " + format_gib(limit) + " budget";
  return text + "leaving " + format_gib(limit - used) + " of the " + format_gib(limit) + " budget, less than the " +
         format_gib(headroom) + " headroom";
}

// The placement a deployment states; nullopt for every layer on the device (or the CPU backend).
std::optional<Placement> stated_placement(const Footprint& f, const LayerTable& table, const Deployment& d) {
  if (f.settings.backend == Backend::cpu || (!d.gpu_layers && d.cpu_moe_layers == 0)) return std::nullopt;
  Placement p = all_on_gpu(table);
  if (d.gpu_layers) p.gpu_layers = std::min<std::uint64_t>(*d.gpu_layers, table.layers.size());
  p.cpu_moe_layers = std::min<std::uint64_t>(d.cpu_moe_layers, table.layers.size());
  return p;
}

// Where llama.cpp puts the layers: as stated (-ngl, --n-cpu-moe), else every layer on the device.
Split placed_bytes(const Footprint& f, const LayerTable& table, const Deployment& d) {
  const std::optional<Placement> p = stated_placement(f, table, d);
  return p ? placement_bytes(f, table, *p) : Split{f.device_bytes(), f.host_bytes()};
}

// Host bytes llama.cpp maps from the model file and may page from disk: the experts on the CPU, with mmap on.
std::uint64_t mapped_bytes(const Footprint& f, const LayerTable& table, const Deployment& d) {
  const std::optional<Placement> p = stated_placement(f, table, d);
  return d.settings.mmap && p ? placement_expert_bytes(table, *p) : 0;
}

// An MTP drafter's draft context; 0 without one. It is -cd, else the target's -c; with no -c it keeps the model's
// while --fit lowers the target's (llama.cpp#23398).
std::uint64_t draft_context(const Deployment& d, const Settings& s) {
  if (!d.draft || !d.model->drafter) return 0;
  return d.draft_context.value_or(d.fit_context_planned ? d.model->max_context : s.context);
}

// Decoding and prefill where the layers are placed, with the policy's fill (at most the context) in the cache.
Speed placed_speed(const Catalog& catalog, const ModelSetup& setup, const Footprint& f, const Deployment& d,
                   const CheckTarget& t) {
  const Settings& s = f.settings;
  const Placement p = stated_placement(f, setup.table, d).value_or(resident_placement(setup.table, s.backend));
  const double host_bw = t.host_bandwidth_gbs > 0 ? t.host_bandwidth_gbs : catalog.host.ram_bandwidth_gbs;
  const SpeedParams params = speed_params(catalog, t.hardware, s.backend, host_bw);
  Speed speed = estimate_speed(setup.table, p, params, catalog.policy.fill, s.context, s.ubatch);
  if (d.draft) speed.mtp = mtp_range(setup.table, p, params, speed.decode_tps);
  return speed;
}

CheckResult check_llama_at(const Catalog& catalog, const Deployment& d, const CheckTarget& t, std::uint64_t context) {
  const Hardware& hw = t.hardware;
  const std::optional<std::uint64_t>& reserve = t.reserve;
  const std::uint64_t host_ram = t.host_ram_bytes;
  const Headroom& headroom = t.headroom;
  CheckResult r;
  Settings s = d.settings;
  s.backend = d.backend.value_or(default_backend(catalog, hw));
  s.context = r.context = context;
  s.draft_context = draft_context(d, s);
  r.budget = make_budget(catalog, hw, s.backend, reserve);
  validate_settings(catalog, *d.model, s);
  const SetupOf of{catalog, *d.model, *d.preset, catalog.default_runtime()};
  const ModelSetup setup = d.weights ? make_setup(of, s, *d.weights) : make_setup(of, s);
  r.footprint = footprint_at(setup, s.context);
  r.speed = placed_speed(catalog, setup, *r.footprint, d, t);
  const Split placed = placed_bytes(*r.footprint, setup.table, d);
  r.draft_bytes = r.footprint->draft.device;
  const std::uint64_t extra = std::min(d.extra_reserve_bytes, r.budget.device_bytes);
  r.limit_bytes = r.budget.device_bytes - extra;
  r.device_bytes = placed.device;
  r.margin_bytes = signed_difference(r.limit_bytes, r.device_bytes);
  const bool unified = r.budget.memory_kind == MemoryKind::unified;
  // Host RAM held: the mapped lookup tables count only the rows in use.
  const std::uint64_t host = r.footprint->resident(placed.host);
  r.host_bytes = unified ? checked_add(placed.device, host) : host;
  r.host_limit_bytes = unified ? r.budget.ram_bytes : host_ram;
  // The CPU backend puts nothing on a device: the headroom is kept in RAM (llama.cpp's --fit, with no device,
  // fits host memory: common/fit.cpp).
  const bool cpu = s.backend == Backend::cpu;
  r.headroom_bytes = headroom.of(cpu ? r.host_limit_bytes : r.limit_bytes);
  const std::uint64_t host_headroom = cpu ? r.headroom_bytes : 0;
  const bool device_ok = cpu || (r.margin_bytes >= 0 && static_cast<std::uint64_t>(r.margin_bytes) >= r.headroom_bytes);
  // Mapped weights beyond RAM are paged from disk as tokens need them (slow, not a failed load).
  const std::uint64_t mapped = unified ? 0 : std::min(mapped_bytes(*r.footprint, setup.table, d), r.host_bytes);
  const bool host_ok =
      r.host_limit_bytes == 0 || checked_add(r.host_bytes - mapped, host_headroom, "host bytes") <= r.host_limit_bytes;
  if (host_ok && r.host_limit_bytes && r.host_bytes > r.host_limit_bytes) r.paged_bytes = r.host_bytes - r.host_limit_bytes;
  r.fits = device_ok && host_ok;
  if (!device_ok)
    r.reason = over_text(r.device_bytes, r.limit_bytes, r.headroom_bytes, "device memory");
  else if (!host_ok)
    r.reason = over_text(r.host_bytes, r.host_limit_bytes, host_headroom, unified ? "RAM" : "host RAM");
  return r;
}

// No -c under --fit: llama.cpp lowers the model's context until the plan leaves its margin free (at least the
// check's own headroom), down to its minimum; the check reports that context, or the minimum when even it does not fit.
// --fit's margin: --fit-target, else the release's default (a config the llama.cpp reader did not read: the
// newest release's), and never less than the check's own headroom.
CheckTarget with_fit_margin(const Catalog& catalog, const Deployment& d, CheckTarget t) {
  if (t.headroom.share == 0) {
    const std::uint64_t margin =
        d.fit_margin_bytes ? *d.fit_margin_bytes : llama_defaults(newest_release(catalog, "llama.cpp")).fit_margin_bytes;
    t.headroom.bytes = std::max(t.headroom.bytes, margin);
  }
  return t;
}

CheckResult check_fitted(const Catalog& catalog, const Deployment& d, const CheckTarget& target) {
  const CheckTarget t = with_fit_margin(catalog, d, target);
  const std::uint64_t least_default =
      d.fit_min_context ? *d.fit_min_context : llama_defaults(newest_release(catalog, "llama.cpp")).fit_min_context;
  const std::uint64_t least = std::min(least_default, d.model->max_context);
  CheckResult best = check_llama_at(catalog, d, t, d.model->max_context);
  if (best.fits) return best;
  best = check_llama_at(catalog, d, t, least);
  if (!best.fits) return best;
  constexpr std::uint64_t k_step = 256;                                      // llama.cpp pads the KV cache to 256 cells
  std::uint64_t low = least / k_step, high = d.model->max_context / k_step;  // low fits, high does not
  while (high - low > 1) {
    const std::uint64_t mid = low + (high - low) / 2;
    CheckResult r = check_llama_at(catalog, d, t, mid * k_step);
    if (r.fits) {
      low = mid;
      best = std::move(r);
    } else {
      high = mid;
    }
  }
  return best;
}

// --fit with the layers left to it: when the context does not fit on the device, llama.cpp keeps the fewest
// layers on the CPU that make it fit (for a MoE model first their experts, as --n-cpu-moe, then whole layers,
// as -ngl), host RAM permitting.
Deployment placed_step(const Deployment& d, std::uint64_t step) {
  const std::uint64_t layers = d.model->num_layers();
  Deployment moved = d;
  const std::uint64_t expert_steps = d.model->is_moe() ? layers : 0;
  moved.cpu_moe_layers = std::min(step, expert_steps);
  if (step > expert_steps) moved.gpu_layers = layers - (step - expert_steps);
  return moved;
}

std::string placement_text(const Deployment& moved) {
  std::string out;
  if (moved.cpu_moe_layers) out = "--n-cpu-moe " + std::to_string(moved.cpu_moe_layers);
  if (moved.gpu_layers) out += (out.empty() ? "" : " ") + std::string("-ngl ") + std::to_string(*moved.gpu_layers);
  return out;
}

CheckResult check_offloaded(const Catalog& catalog, const Deployment& d, const CheckTarget& target, const CheckResult& all) {
  const CheckTarget t = with_fit_margin(catalog, d, target);
  const std::uint64_t steps = d.model->num_layers() * (d.model->is_moe() ? 2 : 1);
  for (std::uint64_t step = 1; step <= steps; ++step) {
    const Deployment moved = placed_step(d, step);
    CheckResult r = check_llama_at(catalog, moved, t, all.context);
    const bool device_ok = r.margin_bytes >= 0 && static_cast<std::uint64_t>(r.margin_bytes) >= r.headroom_bytes;
    if (!device_ok) continue;
    r.fitted = "llama.cpp's --fit moves part of the model to the CPU (as " + placement_text(moved) + ")";
    r.placement = std::pair{moved.gpu_layers, moved.cpu_moe_layers};
    return r;
  }
  return all;
}

// llama.cpp's --fit plans without the MTP drafter (ggml-org/llama.cpp#23244): what it chooses is then checked
// with the drafter loaded.
CheckResult check_llama(const Catalog& catalog, const Deployment& d, const CheckTarget& t) {
  if (d.draft && (d.fit_context || d.fit_layers)) {
    Deployment planned = d;
    planned.draft = false;
    const CheckResult chosen = check_llama(catalog, planned, t);
    Deployment placed = d;
    placed.fit_context_planned = d.fit_context;
    placed.fit_context = placed.fit_layers = false;
    if (chosen.placement) std::tie(placed.gpu_layers, placed.cpu_moe_layers) = *chosen.placement;
    CheckResult r = check_llama_at(catalog, placed, t, chosen.context);
    r.fitted = chosen.fitted;
    return r;
  }
  CheckResult r =
      d.fit_context ? check_fitted(catalog, d, t) : check_llama_at(catalog, d, t, deployment_context(catalog, d, t.hardware));
  if (d.fit_context) r.fitted = "llama.cpp's --fit sets the context to " + std::to_string(r.context) + " tokens";
  if (r.fits || !d.fit_layers) return r;
  CheckResult offloaded = check_offloaded(catalog, d, t, r);
  if (d.fit_context && offloaded.fitted != r.fitted) offloaded.fitted = r.fitted + "; it " + offloaded.fitted.substr(18);
  return offloaded;
}

VllmSettings vllm_settings(const Catalog& catalog, const Deployment& d, const Hardware& hw) {
  VllmSettings v = vllm_defaults(catalog, *d.model, hw);
  const VllmSettings& said = d.vllm_settings;
  if (d.context) v.max_model_len = *d.context;
  if (d.gpu_memory_utilization) v.gpu_memory_utilization = *d.gpu_memory_utilization;
  if (said.max_num_seqs) v.max_num_seqs = said.max_num_seqs;
  if (said.max_num_batched_tokens) v.max_num_batched_tokens = said.max_num_batched_tokens;
  v.tensor_parallel_size = said.tensor_parallel_size;
  v.kv_cache_dtype = said.kv_cache_dtype;
  v.speculative = said.speculative;
  v.speculative_tokens = said.speculative_tokens;
  v.drafter_model = said.drafter_model;
  v.cuda_graphs = said.cuda_graphs;
  if (d.preset) v.weights = d.preset->id;
  return v;
}

CheckResult check_vllm(const Catalog& catalog, const Deployment& d, const CheckTarget& t) {
  const Hardware& hw = t.hardware;
  const Headroom& headroom = t.headroom;
  require_supported_target(d, hw);
  CheckResult r;
  r.speed.basis = "unknown: fitcheck models llama.cpp's decoding, not vLLM's";
  r.budget = make_budget(catalog, hw, Backend::cuda, t.reserve);
  r.vllm_settings = vllm_settings(catalog, d, hw);
  r.context = r.vllm_settings.max_model_len;
  const VllmPlan plan = vllm_plan(catalog, *d.model, hw, r.vllm_settings);
  r.vllm = plan;
  r.limit_bytes = plan.usable_bytes;
  r.device_bytes = checked_add(checked_add(checked_add(plan.weights_bytes, plan.activation_bytes), plan.non_torch_bytes),
                               checked_add(plan.cudagraph_bytes, plan.sequence_kv_bytes));
  r.headroom_bytes = headroom.of(r.limit_bytes);
  r.margin_bytes = signed_difference(r.limit_bytes, r.device_bytes);
  r.fits = plan.fits && r.margin_bytes >= 0 && static_cast<std::uint64_t>(r.margin_bytes) >= r.headroom_bytes;
  if (!plan.starts) {
    r.reason = "vLLM's share (" + decimal_text("%.2f", r.vllm_settings.gpu_memory_utilization) + " x " +
               format_gib(plan.reported_bytes) + ") leaves " + format_gib(plan.outside_bytes) + " outside it, and it holds " +
               format_gib(plan.outside_need_bytes) + " there: the CUDA context it finds at start" +
               (plan.drafter_bytes ? " and the MTP drafter's late CUDA-graph capture" : "");
  } else if (plan.kv_bytes == 0) {
    r.reason = "no memory is left for the KV cache: weights, activations, CUDA graphs and the CUDA context take more than " +
               format_gib(plan.usable_bytes) + " (gpu_memory_utilization x memory)";
  } else if (!plan.fits) {
    r.reason = "one " + std::to_string(r.context) + "-token request needs " + format_gib(plan.sequence_kv_bytes) +
               " of KV blocks and " + format_gib(plan.kv_bytes) + " are left; the longest that fits is " +
               std::to_string(plan.max_model_len_fit) + " tokens";
  } else if (!r.fits) {
    r.reason = over_text(r.device_bytes, r.limit_bytes, r.headroom_bytes, "the vLLM share");
  }
  return r;
}

}  // namespace

const char* format_name(ConfigFormat format) { return name_of(k_format_names, format); }

void require_supported_target(const Deployment& d, const Hardware& hw) {
  // vLLM on unified memory (DGX Spark, Jetson, vllm-metal on a Mac) takes its share of the whole memory:
  // gpu_memory_utilization x the memory the device reports, as on a discrete GPU.
  static_cast<void>(d);
  static_cast<void>(hw);
}

std::uint64_t Headroom::of(std::uint64_t limit) const {
  if (share > 0) return static_cast<std::uint64_t>(std::floor(static_cast<double>(limit) * share));
  return bytes;
}

namespace {

std::uint64_t sequence_context(const Catalog& catalog, const Deployment& d, const Hardware& hw) {
  if (d.context) return *d.context;
  if (d.uses_vllm()) return d.model->max_context;
  if (d.format == ConfigFormat::ollama) {  // no num_ctx or OLLAMA_CONTEXT_LENGTH: the VRAM-tier default
    for (const OllamaContextTier& tier : catalog.deployment.ollama.context_tiers) {
      if (hw.memory_bytes >= tier.min_vram_bytes) return std::min(tier.context, d.model->max_context);
    }
  }
  return d.settings.context;
}

}  // namespace

std::uint64_t deployment_context(const Catalog& catalog, const Deployment& d, const Hardware& hw) {
  const std::uint64_t context = sequence_context(catalog, d, hw);
  // Ollama gives each parallel sequence the whole context: llama-server runs with -c context x sequences.
  const bool per_sequence = d.format == ConfigFormat::ollama;
  return per_sequence ? checked_mul(context, d.settings.parallel, "context") : context;
}

namespace {

// Under --min-tps a deployment must decode at least that fast (with an MTP drafter, at the low end of its
// range); an unknown speed cannot show it does.
void require_speed(CheckResult& r, double min_tps) {
  const double tps = r.speed.mtp ? r.speed.mtp->low_tps : r.speed.decode_tps;
  const bool known = tps > 0;
  r.too_slow = !known || tps < min_tps;
  if (!r.too_slow || !r.fits) return;
  const std::string floor = "--min-tps " + decimal_text("%g", min_tps);
  r.reason = known ? "decodes at about " + decimal_text("%.1f", tps) + " tokens/s, below " + floor
                   : "its decoding speed is " + r.speed.basis + ", so " + floor + " cannot be shown";
}

}  // namespace

CheckResult check_deployment(const Catalog& catalog, const Deployment& d, const CheckTarget& t) {
  CheckResult r = d.uses_vllm() ? check_vllm(catalog, d, t) : check_llama(catalog, d, t);
  if (d.gpu_count > 1) {  // checked with --lenient: one GPU's figures, never a "fits"
    r.fits = false;
    r.reason = "runs on " + std::to_string(d.gpu_count) + " GPUs: several GPUs are not modelled yet (the figures are one GPU's)";
    r.speed = Speed{};
    r.speed.basis = "unknown: several GPUs are not modelled yet";
  }
  if (t.min_tps) require_speed(r, *t.min_tps);
  return r;
}

}  // namespace fitcheck

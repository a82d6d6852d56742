#include "cli/resolve.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <unistd.h>  // environ

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"
#include "readers/input_file.hpp"

namespace fitcheck::cli {
namespace {

// A whole-number option such as --ubatch; the value is shown as the user wrote it.
std::optional<std::uint64_t> count_option(const char* name, const std::string& text, std::uint64_t low, std::uint64_t high) {
  if (text.empty()) return std::nullopt;
  const std::optional<std::uint64_t> n = parse_count(text);
  if (!n || *n < low || *n > high) {
    throw Error(Errc::usage, std::string("invalid ") + name + " '" + text + "': use a whole number from " + std::to_string(low) +
                                 " to " + std::to_string(high));
  }
  return n;
}

// A decimal option such as --ram-bw; `range` says what it takes ("0.1 to 100000 GB/s").
std::optional<double> decimal_option(const char* name, const std::string& text, double low, double high, const char* range) {
  if (text.empty()) return std::nullopt;
  const std::optional<double> v = parse_decimal(text);
  if (!v || *v < low || *v > high) throw Error(Errc::usage, std::string("invalid ") + name + " '" + text + "': use " + range);
  return v;
}

std::optional<double> ram_bandwidth(const Request& r) {
  return decimal_option("--ram-bw", r.ram_bw, 0.1, 100000, "0.1 to 100000 GB/s, e.g. 51.2");
}

Backend resolve_backend(const Catalog& catalog, const Request& r, const std::optional<Hardware>& hw) {
  if (r.cpu_only && !r.backend.empty() && r.backend != "cpu") {
    throw Error(Errc::usage, "conflicting options: --cpu and --backend " + r.backend);
  }
  const Backend backend = r.cpu_only           ? Backend::cpu
                          : !r.backend.empty() ? parse_backend(r.backend)
                          : hw                 ? default_backend(catalog, *hw)
                                               : Backend::cpu;
  if (backend == Backend::cpu && hw && hw->memory_kind == MemoryKind::vram) {
    throw Error(Errc::usage, "the cpu backend puts nothing in VRAM: drop --gpu/--vram, or pick a GPU --backend");
  }
  return backend;
}

bool is_output_format(const std::string& f) { return f == "text" || f == "json" || f == "github"; }

Headroom resolve_headroom(const std::string& h) {
  Headroom headroom;
  if (h.empty()) return headroom;
  if (h.back() == '%') {
    const std::optional<double> pct = parse_decimal(std::string_view(h).substr(0, h.size() - 1));
    if (!pct || *pct < 0 || *pct >= 100)
      throw Error(Errc::usage, "invalid --headroom '" + h + "': give a share below 100%, e.g. 10%");
    headroom.share = *pct / 100;
  } else {
    headroom.bytes = parse_size_option(h, SizeUnits::decimal);
  }
  return headroom;
}

std::vector<readers::Entry> ollama_environment() {
  std::vector<readers::Entry> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry(*e);
    const std::size_t eq = entry.find('=');
    if (entry.rfind("OLLAMA_", 0) == 0 && eq != std::string::npos)
      env.push_back({entry.substr(0, eq), entry.substr(eq + 1), 0, true});
  }
  return env;
}

}  // namespace

std::optional<Hardware> resolve_hardware(const Catalog& catalog, const Request& r) {
  const int given = !r.gpu.empty() + !r.vram.empty() + !r.unified.empty();
  if (given > 1) throw Error(Errc::usage, "conflicting options: give only one of --gpu, --vram and --unified");
  if (given == 0) {
    if (!r.reserve.empty()) throw Error(Errc::usage, "--reserve needs a target: add --gpu ID, --vram SIZE or --unified SIZE");
    if (!r.bandwidth.empty()) throw Error(Errc::usage, "--bandwidth needs a custom target: add --vram SIZE or --unified SIZE");
    return std::nullopt;
  }
  Hardware hw;
  if (!r.gpu.empty()) {
    hw = catalog.lookup_hardware(r.gpu);
    if (!r.bandwidth.empty()) {
      throw Error(Errc::usage, "--bandwidth is for a custom target (--vram or --unified): " + hw.id + " has its own (" +
                                   fmt::format("{:g}", hw.bandwidth_gbs) + " GB/s)");
    }
  } else {
    const bool unified = !r.unified.empty();
    hw.id = "custom";
    hw.memory_bytes = parse_size_option(unified ? r.unified : r.vram, SizeUnits::label);
    if (hw.memory_bytes == 0) throw Error(Errc::usage, "invalid memory size 0: give the device's memory, e.g. 12GiB");
    hw.memory_kind = unified ? MemoryKind::unified : MemoryKind::vram;
    hw.vendor = !r.custom_vendor.empty() ? r.custom_vendor
                : unified                ? catalog.policy.custom_unified_vendor
                                         : catalog.policy.custom_vram_vendor;
    const std::string size = format_gib(hw.memory_bytes) + (unified ? "" : " VRAM");
    hw.name = !r.custom_name.empty() ? r.custom_name + " (" + size + ")"
              : unified              ? "custom unified-memory Mac (" + size + ")"
                                     : "custom GPU (" + size + ")";
    // No bandwidth, no speeds (they would come from the per-layer overheads alone).
    hw.bandwidth_gbs = decimal_option("--bandwidth", r.bandwidth, 1, 100000, "1 to 100000 GB/s, e.g. 360").value_or(0);
  }
  return hw;
}

Resolved resolve_target(const Catalog& catalog, const Request& r) {
  const std::optional<Hardware> hw = resolve_hardware(catalog, r);
  Resolved resolved{resolve_backend(catalog, r, hw), std::nullopt};
  if (!hw) return resolved;
  std::optional<std::uint64_t> reserve;
  if (!r.reserve.empty()) reserve = parse_size_option(r.reserve, SizeUnits::decimal);
  resolved.target = Target{*hw, make_budget(catalog, *hw, resolved.backend, reserve)};
  Budget& budget = resolved.target->budget;
  if (budget.memory_kind == MemoryKind::vram && budget.backend != Backend::cpu)
    budget.host_ram_bytes = resolve_host_ram(catalog, r);
  const Headroom h = r.headroom.empty() ? Headroom{0, catalog.policy.headroom_bytes} : resolve_headroom(r.headroom);
  apply_headroom(budget, h.of(budget.device_bytes));
  return resolved;
}

std::uint64_t resolve_host_ram(const Catalog& catalog, const Request& r) {
  const std::uint64_t ram = r.ram.empty() ? catalog.host.ram_bytes : parse_size_option(r.ram, SizeUnits::label);
  if (ram == 0) throw Error(Errc::usage, "invalid --ram 0: give the host's RAM, e.g. 64GiB");
  return ram > catalog.unified.os_reserve_bytes ? ram - catalog.unified.os_reserve_bytes : 0;
}

std::optional<SpeedSetup> resolve_speed(const Catalog& catalog, const Request& r, const std::optional<Target>& target,
                                        Backend backend) {
  const bool asked = r.allow_offload || !r.ram.empty() || !r.ram_bw.empty() || !r.fill.empty() || !r.min_tps.empty();
  if (!target) {
    if (asked)
      throw Error(Errc::usage, "speed options (--allow-offload, --ram, --ram-bw, --fill, --min-tps) need a target: add --gpu ID");
    return std::nullopt;
  }
  const Hardware& hw = target->hardware;
  if (hw.memory_kind == MemoryKind::unified && !r.ram.empty()) {
    throw Error(Errc::usage, "--ram is for a discrete GPU's host: a unified-memory machine's RAM is its --unified size");
  }
  if (hw.bandwidth_gbs <= 0 && (r.allow_offload || !r.min_tps.empty() || r.command == Command::curve)) {
    throw Error(
        Errc::usage,
        "no bandwidth for a custom target: add --bandwidth GBs (curve, --allow-offload and --min-tps rank plans by speed)");
  }
  SpeedSetup s;
  s.params = speed_params(catalog, hw, backend, ram_bandwidth(r).value_or(catalog.host.ram_bandwidth_gbs));
  s.limits.host_bytes = resolve_host_ram(catalog, r);
  s.limits.fill = count_option("--fill", r.fill, 1, 1ULL << 24).value_or(catalog.policy.fill);
  s.allow_offload = r.allow_offload;
  s.min_tps = decimal_option("--min-tps", r.min_tps, 0, 1e6, "0 to 1000000 tokens/s")
                  .value_or(r.allow_offload ? catalog.policy.offload_min_tps : 0);
  return s;
}

Runtime resolve_runtime(const Catalog& catalog, const Request& r) {
  Runtime runtime = catalog.default_runtime();
  if (r.runtimes.empty()) return runtime;
  if (r.runtimes.size() > 1) throw Error(Errc::usage, "give one --runtime (llama.cpp@bN): fitcheck plans one llama-server");
  const RuntimeRelease release = parse_runtime_choice(catalog, r.runtimes.front());
  if (release.runtime->runtime != runtime.id) {
    throw Error(Errc::usage, "--runtime " + r.runtimes.front() + ": footprint, recommend and curve plan llama-server (give " +
                                 runtime.id + "@bN; for an Ollama deployment, check its Modelfile with --runtime)");
  }
  const LlamaDefaults d = llama_defaults(release);
  runtime.version = release.runtime->text(release.version);
  runtime.defaults.flash_attn = d.flash_attn;
  runtime.defaults.flash_attn_kv_copy = d.flash_attn_kv_copy;
  return runtime;
}

Settings resolve_settings(const Catalog& catalog, const Runtime& runtime, const Request& r) {
  Settings s = default_settings(runtime);
  if (!r.kv_type.empty() && (!r.cache_type_k.empty() || !r.cache_type_v.empty())) {
    throw Error(Errc::usage, "conflicting options: --kv-type sets both caches; use it or --cache-type-k/--cache-type-v");
  }
  const auto kv_id = [&](const std::string& text) { return catalog.find_kv_type(text).id; };
  if (!r.kv_type.empty()) s.kv_type_k = s.kv_type_v = kv_id(r.kv_type);
  if (!r.cache_type_k.empty()) s.kv_type_k = kv_id(r.cache_type_k);
  if (!r.cache_type_v.empty()) s.kv_type_v = kv_id(r.cache_type_v);
  s.ubatch = count_option("--ubatch", r.ubatch, 1, k_max_ubatch).value_or(s.ubatch);
  s.parallel = count_option("--parallel", r.parallel, 1, k_max_parallel).value_or(s.parallel);
  if (!r.flash_attn.empty()) s.flash_attn = r.flash_attn == "on";
  s.swa_full = s.swa_full || r.swa_full;
  s.kv_unified = s.kv_unified || r.kv_unified;
  s.kv_offload = s.kv_offload && !r.no_kv_offload;
  s.cpu_repack = !r.no_repack;
  s.mmap = !r.no_mmap;
  s.vision = r.vision;
  s.audio = r.audio;
  if (!r.mmproj_type.empty()) {
    if (!s.wants_projector()) throw Error(Errc::usage, "--mmproj-type needs --vision or --audio");
    s.projector_type = r.mmproj_type;
  }
  return s;
}

void resolve_policy(const Catalog& catalog, const Request& r, Constraints& c) {
  const Policy& p = catalog.policy;
  if (!r.prefer.empty()) {
    const std::optional<Preference> prefer = value_named(k_preference_names, r.prefer);
    if (!prefer) throw Error(Errc::usage, "invalid --prefer '" + r.prefer + "': use " + names_of(k_preference_names));
    c.prefer = *prefer;
  }
  c.target_context = p.target_context;
  c.quality_ceiling = &catalog.find_preset(p.quality_ceiling);
  c.community_default = &catalog.find_preset(p.community_default);
  c.offload_min_tps = p.offload_min_tps;
  c.load_projector = !r.text_only;
  for (const std::string& need : r.needs) {
    if (need == "images" || need == "image")
      c.needs.push_back("image");
    else if (need == "audio")
      c.needs.push_back("audio");
    else
      throw Error(Errc::usage, "invalid --need '" + need + "': use images or audio");
  }
  if (r.text_only && !c.needs.empty()) throw Error(Errc::usage, "conflicting options: --text-only and --need");
  const bool kv_chosen = !r.kv_type.empty() || !r.cache_type_k.empty() || !r.cache_type_v.empty();
  const bool fallback_differs = p.kv_fallback != c.settings.kv_type_k || p.kv_fallback != c.settings.kv_type_v;
  const bool fallback_runs = c.settings.flash_attn || !catalog.find_kv_type(p.kv_fallback).quantized;
  if (!kv_chosen && fallback_differs && fallback_runs) c.kv_fallback = p.kv_fallback;
}

std::optional<unsigned> resolve_min_bits(const Request& r) {
  const std::optional<std::uint64_t> bits = count_option("--min-bits", r.min_bits, 1, 16);
  if (!bits) return std::nullopt;
  return static_cast<unsigned>(*bits);
}

std::string check_output(const Request& r) {
  const auto last = std::find_if(r.formats.rbegin(), r.formats.rend(), is_output_format);
  return last != r.formats.rend() ? *last : r.json ? "json" : "text";
}

CheckOptions resolve_check_options(const Catalog& catalog, const Request& r) {
  CheckOptions o;
  o.output = check_output(r);
  std::string kind_given;
  for (const std::string& f : r.formats) {
    if (is_output_format(f)) {
      if (f != o.output)
        throw Error(Errc::usage, "conflicting options: --format " + f + " and --format " + o.output + " (give one output)");
      continue;
    }
    const auto kind = readers::parse_format(f);
    if (!kind) {
      throw Error(Errc::usage, "unknown --format '" + f +
                                   "': use fitcheck, llama.cpp, ollama or vllm for the config, "
                                   "text, json or github for the output");
    }
    if (o.read.format && *o.read.format != *kind) {
      throw Error(Errc::usage, "conflicting options: --format " + kind_given + " and --format " + f + " (give one config kind)");
    }
    o.read.format = kind;
    kind_given = f;
  }
  if (r.json && o.output != "json") throw Error(Errc::usage, "conflicting options: --json and --format " + o.output);
  if (!r.env_file.empty()) {
    o.read.env = readers::env_lines(r.env_file, readers::read_input_file(r.env_file, readers::k_max_config_bytes, "an env file"));
    o.read.env_source = r.env_file;
  } else {
    o.read.env = ollama_environment();
    o.read.env_source = "the environment";
  }
  o.headroom = resolve_headroom(r.headroom);
  o.host_bandwidth_gbs = ram_bandwidth(r).value_or(0);
  o.min_tps = decimal_option("--min-tps", r.min_tps, 0, 1e6, "0 to 1000000 tokens/s");
  o.read.read_model_files = true;  // a -m GGUF that exists is read for its header
  if (!r.model.empty()) o.read.model = r.model;
  if (!r.gpu.empty()) {
    const std::optional<Hardware> hw = resolve_hardware(catalog, r);
    if (hw) o.read.target_gpu = hw->id;
  }
  for (const std::string& choice : r.runtimes) {
    const RuntimeRelease release = parse_runtime_choice(catalog, choice);
    for (const RuntimeRelease& other : o.read.runtimes) {
      if (other.runtime == release.runtime)
        throw Error(Errc::usage, "--runtime names " + release.runtime->runtime + " twice (" + other.text() + ", " +
                                     release.text() + "): give one release per runtime");
    }
    o.read.runtimes.push_back(release);
  }
  return o;
}

// check --cpu: a machine without a GPU. Its RAM (--ram, else the catalog's host) is unified memory the CPU backend
// runs in, so make_budget puts the whole footprint in it less the OS reserve; its bandwidth is the RAM's (--ram-bw).
Hardware cpu_machine(const Catalog& catalog, const Request& r) {
  if (!r.gpu.empty() || !r.vram.empty() || !r.unified.empty() || !r.bandwidth.empty()) {
    throw Error(Errc::usage,
                "conflicting options: --cpu is a machine without a GPU (give its RAM with --ram and its bandwidth with "
                "--ram-bw), not --gpu, --vram, --unified or --bandwidth");
  }
  Hardware hw;
  hw.id = "cpu";
  hw.memory_kind = MemoryKind::unified;
  hw.memory_bytes = r.ram.empty() ? catalog.host.ram_bytes : parse_size_option(r.ram, SizeUnits::label);
  if (hw.memory_bytes == 0) throw Error(Errc::usage, "invalid --ram 0: give the machine's RAM, e.g. 16GiB");
  hw.vendor = catalog.policy.custom_unified_vendor;
  hw.name = "CPU-only machine (" + format_gib(hw.memory_bytes) + " RAM)";
  hw.bandwidth_gbs = ram_bandwidth(r).value_or(catalog.host.ram_bandwidth_gbs);
  return hw;
}

Hardware deployment_hardware(const Catalog& catalog, const Request& r, const Deployment& d) {
  if (r.cpu_only) return cpu_machine(catalog, r);
  if (!r.gpu.empty() || !r.vram.empty() || !r.unified.empty()) return *resolve_hardware(catalog, r);
  if (!d.target.given()) {
    throw Error(Errc::usage, "check needs a target for " + d.path +
                                 ": add --gpu ID (see 'fitcheck list gpus'), --vram SIZE, --unified SIZE or --cpu");
  }
  Request from_file;
  from_file.gpu = d.target.gpu;
  from_file.vram = d.target.vram;
  from_file.unified = d.target.unified;
  return readers::at_line(d.path, d.target.line, [&] { return *resolve_hardware(catalog, from_file); });
}

}  // namespace fitcheck::cli

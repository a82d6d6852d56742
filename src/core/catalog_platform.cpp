#include <cstdlib>
#include <string>

#include "core/catalog_read.hpp"

namespace fitcheck {
namespace {

constexpr std::uint64_t k_max_memory = 1ULL << 50;  // 1 PiB: above any device or host
constexpr std::uint64_t k_max_tokens = 1ULL << 24;
constexpr std::uint64_t k_max_sequences = 1ULL << 16;

double read_fraction_number(const Node& n) {
  const double v = n.number();
  if (!(v > 0 && v <= 1)) n.fail("expected a number in (0, 1]");
  return v;
}

double read_nonnegative(const Node& n) {
  const double v = n.number();
  if (!(v >= 0 && v < 1e9)) n.fail("expected a non-negative number");
  return v;
}

// {low, high} measured on this profile, or {as: ID}: the share of a profile with the same chip (load_catalog
// copies it).
Hardware::MeasuredShare read_measured_share(const Node& n, const std::string& id) {
  if (n.has("as")) return {0, 0, n.at("as").nonempty()};
  Hardware::MeasuredShare s{read_nonnegative(n.at("low")), read_nonnegative(n.at("high")), id};
  if (!(s.low > 0 && s.low <= s.high && s.high <= 2))
    n.fail("expected 0 < low <= high <= 2 (shares of fitcheck's decode figure)");
  return s;
}

}  // namespace

Hardware read_hardware(const Node& n) {
  n.require_source();
  Hardware h;
  h.id = n.at("id").nonempty();
  h.name = n.at("name").nonempty();
  h.vendor = n.at("vendor").nonempty();
  h.memory_kind = n.at("memory_kind").named(k_memory_kind_names, "memory kind");
  h.memory_bytes = n.at("memory_bytes").in_range(1, k_max_memory);
  if (n.has("gpu_working_set_bytes")) h.gpu_working_set_bytes = n.at("gpu_working_set_bytes").in_range(1, h.memory_bytes);
  if (n.has("cuda_reported_bytes")) h.cuda_reported_bytes = n.at("cuda_reported_bytes").in_range(1, h.memory_bytes);
  h.bandwidth_gbs = read_nonnegative(n.at("bandwidth_gbs"));
  if (n.has("bus")) h.bus = n.at("bus").nonempty();
  if (n.has("fp16_tflops")) h.fp16_tflops = read_nonnegative(n.at("fp16_tflops"));
  if (n.has("vector_fp16_tflops")) {
    h.vector_fp16_tflops = read_nonnegative(n.at("vector_fp16_tflops"));
    if (!(h.vector_fp16_tflops > 0 && h.vector_fp16_tflops < h.fp16_tflops))
      n.at("vector_fp16_tflops").fail("expected a rate above 0 and below fp16_tflops (leave it out where they are equal)");
  }
  if (n.has("int8_dot_tops")) {
    h.int8_dot_tops = read_nonnegative(n.at("int8_dot_tops"));
    if (!(h.int8_dot_tops > 0))
      n.at("int8_dot_tops").fail("expected a rate above 0 (leave it out on a device with matrix units)");
  }
  if (n.has("compute_units") || n.has("boost_clock_mhz")) {
    h.compute_units = n.at("compute_units").in_range(1, 1ULL << 16);
    h.boost_clock_mhz = read_nonnegative(n.at("boost_clock_mhz"));
    if (!(h.boost_clock_mhz >= 100 && h.boost_clock_mhz <= 10000))
      n.at("boost_clock_mhz").fail("expected a clock of 100 to 10000 MHz");
  }
  if (n.has("decode_measured_share")) h.decode_measured_share = read_measured_share(n.at("decode_measured_share"), h.id);
  return h;
}

Runtime read_runtime(const Node& n) {
  n.require_source();
  Runtime r;
  r.id = n.at("id").nonempty();
  r.version = n.at("version").nonempty();
  const Node d = n.at("defaults");
  r.defaults.context = d.at("context").in_range(1, k_max_tokens);
  r.defaults.ubatch = d.at("ubatch").in_range(1, k_max_tokens);
  r.defaults.batch = d.at("batch").in_range(1, k_max_tokens);
  r.defaults.parallel = d.at("parallel").in_range(1, k_max_sequences);
  r.defaults.flash_attn = d.at("flash_attn").boolean();
  r.defaults.swa_full = d.at("swa_full").boolean();
  r.defaults.kv_unified = d.at("kv_unified").boolean();
  r.kv_cell_pad = n.at("kv_cell_pad").in_range(1, 1ULL << 16);
  r.tensor_alignment = n.at("tensor_alignment").in_range(1, 1ULL << 16);
  return r;
}

Platform read_platform(const Node& n) {
  n.require_source();
  return Platform{n.at("id").nonempty(), n.at("reserve_bytes").in_range(0, k_max_memory)};
}

VendorRules read_vendor(const Node& n) {
  n.require_source();
  VendorRules v{n.at("vendor").nonempty(), n.at("backend").nonempty(), false};
  if (n.has("wired_memory_limit")) v.wired_memory_limit = n.at("wired_memory_limit").boolean();
  return v;
}

Policy read_policy(const Node& n) {
  n.require_source();
  Policy p;
  p.min_bits = static_cast<unsigned>(n.at("min_bits").in_range(1, 64));
  p.min_context = n.at("min_context").in_range(1, k_max_tokens);
  p.fill = n.at("fill").in_range(1, k_max_tokens);
  p.offload_min_tps = read_nonnegative(n.at("offload_min_tps"));
  p.headroom_bytes = n.at("headroom_bytes").in_range(0, k_max_memory);
  p.target_context = n.at("target_context").in_range(0, k_max_tokens);
  p.quality_ceiling = n.at("quality_ceiling").nonempty();
  p.community_default = n.at("community_default").nonempty();
  p.kv_fallback = n.at("kv_fallback").nonempty();
  p.kv_fallback_cost = n.at("kv_fallback_cost").nonempty();
  p.custom_vram_vendor = n.at("custom_vram_vendor").nonempty();
  p.custom_unified_vendor = n.at("custom_unified_vendor").nonempty();
  return p;
}

namespace {

Fraction read_fraction(const Node& n) {
  Fraction f{n.at("numerator").in_range(1, 1ULL << 20), n.at("denominator").in_range(1, 1ULL << 20)};
  if (f.numerator > f.denominator) n.fail("a share of memory must not exceed 1");
  return f;
}

}  // namespace

UnifiedMemoryRules read_unified(const Node& n) {
  n.require_source();
  return {n.at("os_reserve_bytes").in_range(0, k_max_memory), n.at("small_ram_limit_bytes").in_range(0, k_max_memory),
          read_fraction(n.at("small_ram_gpu_fraction")), read_fraction(n.at("large_ram_gpu_fraction"))};
}

void read_speed(const Node& n, Catalog& c) {
  const Node host = n.at("host");
  host.require_source();
  c.host.ram_bytes = host.at("ram_bytes").in_range(1, k_max_memory);
  c.host.ram_bandwidth_gbs = read_nonnegative(host.at("ram_bandwidth_gbs"));
  c.host.pcie_efficiency = read_fraction_number(host.at("pcie_efficiency"));
  const Node mtp = n.at("mtp");
  mtp.require_source();
  c.mtp.verify_token_share = read_fraction_number(mtp.at("verify_token_share"));
  c.mtp.max_draft_tokens = static_cast<unsigned>(mtp.at("max_draft_tokens").in_range(1, 16));
  for (const Node& lane : n.at("pcie_lanes").items()) {
    lane.require_source();
    c.pcie_lanes.push_back({lane.at("version").nonempty(), read_nonnegative(lane.at("gbs"))});
  }
  for (const Node& b : n.at("backends").items()) {
    b.require_source();
    c.backend_speeds.push_back(
        {b.at("id").nonempty(), read_fraction_number(b.at("bandwidth_efficiency")), read_nonnegative(b.at("layer_overhead_us")),
         read_fraction_number(b.at("compute_efficiency")), read_nonnegative(b.at("moe_layer_overhead_us")),
         read_fraction_number(b.at("moe_compute_efficiency")), read_nonnegative(b.at("prefill_layer_overhead_us")),
         read_fraction_number(b.at("attention_efficiency")), read_fraction_number(b.at("float_efficiency")),
         b.at("expert_tile_tokens").in_range(0, 4096), read_nonnegative(b.at("tile_efficiency")),
         b.at("attention_units").named(k_attention_units_names, "attention units"), read_nonnegative(b.at("unit_read_gbs")),
         read_nonnegative(b.at("overhead_clock_mhz")), read_nonnegative(b.at("unit_matrix_gflops"))});
  }
}

GpuGraph read_gpu_graph(const Node& n) {
  n.require_source();
  GpuGraph g;
  const Node mask = n.at("mask_bytes");
  g.mask_bytes_flash_attn = mask.at("flash_attn").in_range(1, 8);
  g.mask_bytes_no_flash_attn = mask.at("no_flash_attn").in_range(1, 8);
  g.outputs_per_sequence = n.at("outputs_per_sequence").in_range(1, 1ULL << 16);
  g.host_hidden_copies = n.at("host_hidden_copies").in_range(0, 16);
  g.host_bytes_per_ubatch_token = n.at("host_bytes_per_ubatch_token").in_range(0, 1ULL << 16);
  const Node copy = n.at("flash_attn_kv_copy");
  copy.require_source();
  g.kv_copy = {copy.at("element_bytes").in_range(1, 8), copy.at("vector_max_head_dim").in_range(0, 1ULL << 16),
               copy.at("vector_max_tokens").in_range(0, k_max_ubatch), copy.at("backends").strings(), copy.at("types").strings()};
  for (const Node& b : n.at("backends").items()) {
    b.require_source();
    g.backends.push_back({b.at("id").nonempty(), b.at("constant_bytes").in_range(0, 1ULL << 34), read_measured(b.at("basis"))});
  }
  return g;
}

ModelName read_model_name(const Node& n) {
  n.require_source();
  ModelName name{n.at("model").nonempty(), n.at("stems").nonempty_strings(), n.at("ollama_tags").strings(), ""};
  if (n.has("launch_repo")) name.launch_repo = n.at("launch_repo").nonempty();
  return name;
}

namespace {

OllamaRules read_ollama(const Node& n) {
  n.require_source();
  OllamaRules o;
  o.default_preset = n.at("default_preset").nonempty();
  if (n.has("quant_tags")) o.quant_tags = n.at("quant_tags").strings();
  o.loads_projector = n.at("loads_projector").boolean();
  for (const Node& t : n.at("context_tiers").items()) {
    o.context_tiers.push_back({t.at("min_vram_bytes").in_range(0, k_max_memory), t.at("context").in_range(1, k_max_tokens)});
  }
  if (o.context_tiers.empty() || o.context_tiers.back().min_vram_bytes != 0) {
    n.at("context_tiers").fail("expected tiers ending with one for min_vram_bytes 0");
  }
  return o;
}

VllmMemoryRules read_vllm_memory(const Node& n) {
  n.require_source();
  VllmMemoryRules m;
  m.driver_reserve_bytes = n.at("driver_reserve_bytes").in_range(0, k_max_memory);
  m.startup_bytes = n.at("startup_bytes").in_range(0, k_max_memory);
  for (const Node& s : n.at("cudagraph_capture_sizes").items()) {
    const std::uint64_t size = s.in_range(1, k_max_tokens);
    if (!m.cudagraph_capture_sizes.empty() && size <= m.cudagraph_capture_sizes.back()) s.fail("expected ascending sizes");
    m.cudagraph_capture_sizes.push_back(size);
  }
  m.cudagraph_max_capture_size = n.at("cudagraph_max_capture_size").in_range(1, k_max_tokens);
  m.cudagraph_bytes_per_size_layer = n.at("cudagraph_bytes_per_size_layer").in_range(0, k_max_memory);
  m.drafter_profile_factor = read_nonnegative(n.at("drafter_profile_factor"));
  m.drafter_capture_bytes = n.at("drafter_capture_bytes").in_range(0, k_max_memory);
  return m;
}

VllmRules read_vllm(const Node& n) {
  n.require_source();
  VllmRules v;
  v.version = n.at("version").nonempty();
  v.gpu_memory_utilization = read_fraction_number(n.at("gpu_memory_utilization"));
  v.block_size = n.at("block_size").in_range(1, 1ULL << 16);
  for (const Node& b : n.at("batch_defaults").items()) {
    v.batch_defaults.push_back({b.at("min_device_bytes").in_range(0, k_max_memory),
                                b.at("max_num_batched_tokens").in_range(1, k_max_tokens),
                                b.at("max_num_seqs").in_range(1, k_max_sequences), b.at("except_names").strings()});
  }
  if (v.batch_defaults.empty() || v.batch_defaults.back().min_device_bytes != 0) {
    n.at("batch_defaults").fail("expected tiers ending with one for min_device_bytes 0");
  }
  for (const Node& k : n.at("kv_cache_dtypes").items()) {
    const std::uint64_t scales = k.has("scale_bytes") ? k.at("scale_bytes").in_range(1, 64) : 0;
    v.kv_cache_dtypes.push_back({k.at("id").nonempty(), k.at("bytes").in_range(1, 8), scales});
  }
  v.memory = read_vllm_memory(n.at("memory"));
  return v;
}

}  // namespace

void read_deployment_rules(const Node& n, DeploymentRules& d) {
  d.hf_default_preset = n.at("llama_cpp").at("hf_default_preset").nonempty();
  n.at("llama_cpp").require_source();
  d.ollama = read_ollama(n.at("ollama"));
  d.vllm = read_vllm(n.at("vllm"));
}

namespace {

Version read_version(const Node& n, VersionScheme scheme) {
  const std::string text = n.nonempty();
  const std::optional<Version> v = parse_version(scheme, text);
  if (!v) n.fail("'" + text + "' is not a " + name_of(k_version_scheme_names, scheme) + " version");
  return *v;
}

}  // namespace

RuntimeVersions read_runtime_versions(const Node& n) {
  n.require_source();
  RuntimeVersions r;
  r.runtime = n.at("runtime").nonempty();
  r.scheme = n.at("scheme").named(k_version_scheme_names, "version scheme");
  r.newest = read_version(n.at("newest"), r.scheme);
  r.gemma4_from = read_version(n.at("gemma4_from"), r.scheme);
  for (const Node& s : n.at("settings").items()) {
    s.require_source();
    VersionedSetting setting{s.at("setting").nonempty(), {}};
    for (const Node& step : s.at("steps").items()) {
      const Node value = step.at("value");
      const std::uint64_t v = value.json().is_boolean() ? (value.boolean() ? 1 : 0) : value.in_range(0, std::uint64_t{1} << 24);
      const Version from = read_version(step.at("from"), r.scheme);
      if (!setting.steps.empty() && from <= setting.steps.back().from) step.at("from").fail("expected steps oldest first");
      setting.steps.push_back({from, v});
    }
    if (setting.steps.empty() || r.gemma4_from < setting.steps.front().from) {
      s.at("steps").fail("expected a first step at or before gemma4_from");
    }
    r.settings.push_back(std::move(setting));
  }
  if (r.newest < r.gemma4_from) n.at("newest").fail("expected a release at or after gemma4_from");
  return r;
}

double pcie_bandwidth(const std::vector<PcieLane>& lanes, const std::string& bus) {
  const std::size_t at = bus.find("PCIe ");
  if (at == std::string::npos) return 0;
  const std::size_t x = bus.find(" x", at + 5);
  if (x == std::string::npos) return 0;
  const std::string version = bus.substr(at + 5, x - at - 5);
  const unsigned long lane_count = std::strtoul(bus.c_str() + x + 2, nullptr, 10);
  if (lane_count > 64) return 0;  // no PCIe link is wider than x32
  for (const PcieLane& lane : lanes) {
    if (lane.version == version) return lane.gbs * static_cast<double>(lane_count);
  }
  return 0;
}

}  // namespace fitcheck

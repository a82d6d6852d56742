#include "cli/cli.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>  // environ

#include "cli/report.hpp"
#include "cli/request.hpp"
#include "readers/readers.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

Catalog read_catalog_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(Errc::data, "cannot read catalog '" + path + "': it is a directory (give one JSON file holding every section)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::data, "cannot read catalog '" + path + "': no such file or not readable (check the --catalog path)");
  std::ostringstream text;
  text << in.rdbuf();
  return load_catalog({{path, text.str()}}, path);
}

struct Target {
  Hardware hardware;
  Budget budget;
};

std::optional<Hardware> resolve_hardware(const Catalog& catalog, const Request& r) {
  const int given = !r.gpu.empty() + !r.vram.empty() + !r.unified.empty();
  if (given > 1) throw Error(Errc::usage, "conflicting options: give only one of --gpu, --vram and --unified");
  if (given == 0) {
    if (!r.reserve.empty()) throw Error(Errc::usage, "--reserve needs a target: add --gpu ID, --vram SIZE or --unified SIZE");
    return std::nullopt;
  }
  Hardware hw;
  if (!r.gpu.empty()) {
    hw = catalog.find_hardware(r.gpu);
  } else {
    const bool unified = !r.unified.empty();
    hw.id = "custom";
    hw.memory_bytes = parse_size(unified ? r.unified : r.vram);
    if (hw.memory_bytes == 0) throw Error(Errc::usage, "invalid memory size 0: give the device's memory, e.g. 12GiB");
    hw.memory_kind = unified ? MemoryKind::unified : MemoryKind::vram;
    hw.vendor = unified ? "Apple" : "NVIDIA";
    hw.name = unified ? "custom unified-memory Mac (" + format_gib(hw.memory_bytes) + ")"
                      : "custom GPU (" + format_gib(hw.memory_bytes) + " VRAM)";
  }
  return hw;
}

Backend resolve_backend(const Request& r, const std::optional<Hardware>& hw) {
  if (r.cpu_only && !r.backend.empty() && r.backend != "cpu") {
    throw Error(Errc::usage, "conflicting options: --cpu and --backend " + r.backend);
  }
  const Backend backend = r.cpu_only ? Backend::cpu : !r.backend.empty() ? parse_backend(r.backend)
                                                    : hw ? default_backend(*hw) : Backend::cpu;
  if (backend == Backend::cpu && hw && hw->memory_kind == MemoryKind::vram) {
    throw Error(Errc::usage, "the cpu backend puts nothing in VRAM: drop --gpu/--vram, or pick a GPU --backend");
  }
  return backend;
}

struct Resolved {
  Backend backend = Backend::cpu;
  std::optional<Target> target;  // the hardware and its budget under the backend, when one was given
};

Resolved resolve_target(const Catalog& catalog, const Request& r) {
  const std::optional<Hardware> hw = resolve_hardware(catalog, r);
  Resolved resolved{resolve_backend(r, hw), std::nullopt};
  if (!hw) return resolved;
  std::optional<std::uint64_t> reserve;
  if (!r.reserve.empty()) reserve = parse_size(r.reserve);
  resolved.target = Target{*hw, make_budget(catalog, *hw, resolved.backend, reserve)};
  return resolved;
}

// Host RAM a discrete GPU's host offers (--ram, or the catalog's host), less what the OS keeps.
std::uint64_t host_ram_limit(const Catalog& catalog, std::uint64_t ram) {
  return ram > catalog.unified.os_reserve_bytes ? ram - catalog.unified.os_reserve_bytes : 0;
}

std::uint64_t requested_ram(const Catalog& catalog, const Request& r) {
  return r.ram.empty() ? catalog.host.ram_bytes : parse_size(r.ram);
}

constexpr std::uint64_t k_default_fill = 1024;
constexpr double k_offload_default_min_tps = 5;

// Speed parameters, host RAM and the offload switch; only with a target.
std::optional<SpeedSetup> resolve_speed(const Catalog& catalog, const Request& r, const std::optional<Target>& target,
                                        Backend backend) {
  const bool asked = r.allow_offload || !r.ram.empty() || r.ram_bw || r.fill || r.min_tps;
  if (!target) {
    if (asked) throw Error(Errc::usage, "speed options (--allow-offload, --ram, --ram-bw, --fill, --min-tps) need a target: add --gpu ID");
    return std::nullopt;
  }
  const Hardware& hw = target->hardware;
  if (hw.memory_kind == MemoryKind::unified && !r.ram.empty()) {
    throw Error(Errc::usage, "--ram is for a discrete GPU's host: a unified-memory machine's RAM is its --unified size");
  }
  SpeedSetup s;
  const double ram_bw = r.ram_bw.value_or(catalog.host.ram_bandwidth_gbs);
  if (!(ram_bw > 0 && ram_bw <= 100000)) throw Error(Errc::usage, "invalid --ram-bw: give the host RAM bandwidth in GB/s, e.g. 51.2");
  s.params = speed_params(catalog, hw, backend, ram_bw);
  const std::uint64_t ram = requested_ram(catalog, r);
  if (ram == 0) throw Error(Errc::usage, "invalid --ram 0: give the host's RAM, e.g. 64GiB");
  s.limits.host_bytes = host_ram_limit(catalog, ram);
  s.limits.device_bytes = target->budget.device_bytes;
  s.limits.fill = r.fill.value_or(k_default_fill);
  if (s.limits.fill == 0 || s.limits.fill > (1ULL << 24)) throw Error(Errc::usage, "invalid --fill: use 1 to 16777216 tokens");
  s.allow_offload = r.allow_offload;
  s.min_tps = r.min_tps.value_or(r.allow_offload ? k_offload_default_min_tps : 0);
  if (!(s.min_tps >= 0 && s.min_tps <= 1e6)) throw Error(Errc::usage, "invalid --min-tps: use 0 to 1000000 tokens/s");
  return s;
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
  if (r.ubatch) s.ubatch = *r.ubatch;
  if (r.parallel) s.parallel = *r.parallel;
  if (!r.flash_attn.empty()) s.flash_attn = r.flash_attn == "on";
  s.swa_full = s.swa_full || r.swa_full;
  s.kv_unified = s.kv_unified || r.kv_unified;
  s.cpu_repack = !r.no_repack;
  s.vision = r.vision;
  s.audio = r.audio;
  if (!r.mmproj_type.empty()) {
    if (!s.wants_projector()) throw Error(Errc::usage, "--mmproj-type needs --vision or --audio");
    s.projector_type = r.mmproj_type;
  }
  return s;
}

int run_footprint(const Catalog& catalog, const Request& r, std::string& out) {
  const Runtime& runtime = catalog.default_runtime();
  const Model& model = catalog.find_model(r.model);
  const Preset& preset = catalog.find_preset(r.quant);
  Settings s = resolve_settings(catalog, runtime, r);
  s.context = parse_context(r.ctx);
  const Resolved resolved = resolve_target(catalog, r);
  s.backend = resolved.backend;
  const std::optional<Target>& target = resolved.target;
  validate_settings(catalog, model, s);
  if (s.context > model.max_context) {
    throw Error(Errc::usage, "context " + std::to_string(s.context) + " is above " + model.id + "'s maximum of " +
                                 std::to_string(model.max_context) + " tokens (use --ctx " + format_context(model.max_context) +
                                 " or less)");
  }
  const WeightPlan weights = plan_weights(catalog, model, preset, runtime);
  const Footprint f = footprint(catalog, model, preset, weights, runtime, s);
  FootprintReport report{catalog, runtime, f, nullptr, std::nullopt, std::nullopt, {}, std::nullopt, std::nullopt};
  if ((r.explain && !r.json) || (r.tensors && r.json)) report.roles = weights_by_role(weights);
  if (target) {
    report.hardware = &target->hardware;
    report.budget = target->budget;
    report.fit = check_fit(target->budget, f);
    report.speed = resolve_speed(catalog, r, target, s.backend);
    report.verdict = judge(f, layer_table(catalog, model, weights, s), target->budget, report.speed);
  } else {
    resolve_speed(catalog, r, target, s.backend);  // rejects speed options without a target
  }
  out = r.json ? json_footprint(report) : text_footprint(report);
  return report.verdict && !report.verdict->fits ? 1 : 0;
}

int run_recommend(const Catalog& catalog, const Request& r, std::string& out) {
  const Runtime& runtime = catalog.default_runtime();
  const Resolved resolved = resolve_target(catalog, r);
  if (!resolved.target) throw Error(Errc::usage, "recommend needs a target: add --gpu ID (see 'fitcheck list gpus'), --vram SIZE or --unified SIZE");
  const Target& target = *resolved.target;
  Constraints c;
  c.settings = resolve_settings(catalog, runtime, r);
  c.settings.backend = resolved.backend;
  if (r.min_bits) {
    if (*r.min_bits == 0 || *r.min_bits > 16) throw Error(Errc::usage, "invalid --min-bits " + std::to_string(*r.min_bits) + ": use 2 to 16");
    c.min_bits = *r.min_bits;
  }
  const auto longest = std::max_element(catalog.models.begin(), catalog.models.end(),
                                        [](const Model& a, const Model& b) { return a.max_context < b.max_context; });
  // The default minimum never asks more than the catalog's longest model can hold; an explicit one is checked.
  c.min_context = r.min_ctx.empty() ? std::min(c.min_context, longest->max_context) : parse_context(r.min_ctx);
  if (c.min_context == 0 || c.min_context > longest->max_context) {
    throw Error(Errc::usage, "invalid --min-ctx " + std::to_string(c.min_context) + ": use 1 to " +
                                 std::to_string(longest->max_context) + " (" + longest->id + "'s maximum)");
  }
  c.settings.context = c.min_context;
  c.speed = resolve_speed(catalog, r, resolved.target, resolved.backend);
  for (const Model& m : catalog.models) {
    if (supports_modalities(m, c.settings)) validate_settings(catalog, m, c.settings);
  }
  const Plan plan = recommend(catalog, target.budget, runtime, c);
  const RecommendReport report{catalog, runtime, target.hardware, plan};
  out = r.json ? json_recommend(report) : text_recommend(report);
  return plan.chosen ? 0 : 1;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  if (!file || !(file << text) || !file.flush()) {
    throw Error(Errc::data, "cannot write '" + path + "': check that its folder exists and is writable");
  }
}

int run_curve(const Catalog& catalog, const Request& r, std::string& out) {
  const Runtime& runtime = catalog.default_runtime();
  const Resolved resolved = resolve_target(catalog, r);
  if (!resolved.target) throw Error(Errc::usage, "curve needs a target: add --gpu ID (see 'fitcheck list gpus'), --vram SIZE or --unified SIZE");
  const Target& target = *resolved.target;
  Settings s = resolve_settings(catalog, runtime, r);
  s.backend = resolved.backend;
  s.context = r.ctx.empty() ? 8192 : parse_context(r.ctx);
  const SpeedSetup speed = *resolve_speed(catalog, r, resolved.target, resolved.backend);
  Curve curve;
  std::string why;
  if (r.over == "models") {
    if (!r.model.empty() || !r.quant.empty()) throw Error(Errc::usage, "--over models sweeps every model and preset: drop --model/--quant");
    for (const Model& m : catalog.models) {
      if (supports_modalities(m, s) && s.context <= m.max_context) validate_settings(catalog, m, s);
    }
    curve = model_curve(catalog, runtime, s, target.budget, speed);
  } else {
    if (r.model.empty()) throw Error(Errc::usage, "curve needs --model ID (or --over models); see 'fitcheck list models'");
    if (!r.ctx.empty()) throw Error(Errc::usage, "--ctx sets the context of --over models; a context curve sweeps every context");
    const Model& model = catalog.find_model(r.model);
    validate_settings(catalog, model, s);
    const Preset& preset = r.quant.empty() ? curve_preset(catalog, model, runtime, s, target.budget, 4, why)
                                           : catalog.find_preset(r.quant);
    curve = context_curve(catalog, model, preset, runtime, s, target.budget, speed);
  }
  const CurveReport report{catalog, runtime, target.hardware, target.budget, curve, speed, s, why};
  if (!r.svg_path.empty()) write_file(r.svg_path, svg_curve(report));
  if (!r.csv_path.empty()) write_file(r.csv_path, csv_curve(report));
  out = r.json ? json_curve(report) : text_curve(report);
  return 0;
}

std::string read_config_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) readers::fail_at(path, 0, "is a directory (expected a config file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) readers::fail_at(path, 0, "no such file or not readable (check the path)");
  constexpr std::streamsize k_max_config = 4 << 20;
  std::string text(static_cast<std::size_t>(k_max_config) + 1, '\0');
  in.read(text.data(), k_max_config + 1);
  if (in.gcount() > k_max_config) readers::fail_at(path, 0, "larger than 4 MiB (expected a config file, not a model)");
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

struct CheckOptions {
  readers::ReadOptions read;
  std::string output = "text";  // text, json, github
  Headroom headroom;
};

bool is_output_format(const std::string& f) { return f == "text" || f == "json" || f == "github"; }

// The output `check` asked for: the last output kind given to --format, else json with --json, else text.
std::string check_output(const Request& r) {
  const auto last = std::find_if(r.formats.rbegin(), r.formats.rend(), is_output_format);
  return last != r.formats.rend() ? *last : r.json ? "json" : "text";
}

CheckOptions resolve_check_options(const Request& r) {
  CheckOptions o;
  o.output = check_output(r);
  for (const std::string& f : r.formats) {
    if (is_output_format(f)) continue;
    const auto kind = readers::parse_format(f);
    if (!kind) {
      throw Error(Errc::usage, "unknown --format '" + f + "': use fitcheck, llama.cpp, ollama or vllm for the config, "
                               "text, json or github for the output");
    }
    o.read.format = kind;
  }
  if (r.json && o.output != "json") throw Error(Errc::usage, "conflicting options: --json and --format " + o.output);
  if (!r.env_file.empty()) {
    o.read.env = readers::env_lines(r.env_file, read_config_file(r.env_file));
    o.read.env_source = r.env_file;
  } else {
    for (char** e = environ; e && *e; ++e) {
      const std::string entry(*e);
      const std::size_t eq = entry.find('=');
      if (entry.rfind("OLLAMA_", 0) == 0 && eq != std::string::npos) o.read.env.push_back({entry.substr(0, eq), entry.substr(eq + 1), 0, true});
    }
    o.read.env_source = "the environment";
  }
  if (!r.headroom.empty()) {
    const std::string& h = r.headroom;
    if (h.back() == '%') {
      const std::optional<double> pct = readers::parse_decimal(std::string_view(h).substr(0, h.size() - 1));
      if (!pct || *pct < 0 || *pct >= 100) throw Error(Errc::usage, "invalid --headroom '" + h + "': give a share below 100%, e.g. 10%");
      o.headroom.share = *pct / 100;
    } else {
      o.headroom.bytes = parse_size(h);
    }
  }
  return o;
}

// The hardware of one deployment: the command line's target, else the file's own.
Hardware deployment_hardware(const Catalog& catalog, const Request& r, const Deployment& d) {
  if (!r.gpu.empty() || !r.vram.empty() || !r.unified.empty()) return *resolve_hardware(catalog, r);
  if (!d.target.given()) {
    throw Error(Errc::usage, "check needs a target for " + d.path + ": add --gpu ID (see 'fitcheck list gpus'), --vram SIZE or --unified SIZE");
  }
  Request from_file;
  from_file.gpu = d.target.gpu;
  from_file.vram = d.target.vram;
  from_file.unified = d.target.unified;
  return readers::at_line(d.path, d.target.line, [&] { return *resolve_hardware(catalog, from_file); });
}

void reject_unmodelled(Deployment& d, bool lenient) {
  if (d.unmodelled.empty()) return;
  if (!lenient) {
    const ConfigNote& n = d.unmodelled.front();
    readers::fail_at(d.path, n.line, n.message + ", which fitcheck does not model (remove it, or check with --lenient)");
  }
  for (const ConfigNote& n : d.unmodelled) d.warnings.push_back({n.line, n.message + ": not modelled (--lenient)"});
}

int run_check(const Catalog& catalog, const Request& r, std::string& out) {
  const CheckOptions o = resolve_check_options(r);
  std::optional<std::uint64_t> reserve;
  if (!r.reserve.empty()) reserve = parse_size(r.reserve);
  const std::uint64_t host_ram = host_ram_limit(catalog, requested_ram(catalog, r));
  CheckReport report{catalog, {}, r.headroom, r.lenient};
  for (const std::string& path : r.files) {
    Deployment d = readers::read_deployment(catalog, path, read_config_file(path), o.read);
    reject_unmodelled(d, r.lenient);
    const Hardware hw = deployment_hardware(catalog, r, d);
    require_supported_target(d, hw);  // a usage error, before config errors take the file's line
    const CheckResult result = readers::at_line(d.path, d.line, [&] {
      return check_deployment(catalog, d, hw, reserve, host_ram, o.headroom);
    });
    report.items.push_back({std::move(d), hw, result});
  }
  if (!r.junit_path.empty()) write_file(r.junit_path, junit_check(report));
  out = o.output == "json" ? json_check(report) : o.output == "github" ? github_check(report) : text_check(report);
  return report.all_fit() ? 0 : 1;
}

int dispatch(const Request& r, std::string& out) {
  if (r.command == Command::help) {
    out = r.help_text;
    return 0;
  }
  if (r.command == Command::version) {
    out = std::string("fitcheck ") + FITCHECK_VERSION + "\n";
    return 0;
  }
  const Catalog owned = r.catalog_path.empty() ? Catalog{} : read_catalog_file(r.catalog_path);
  const Catalog& catalog = r.catalog_path.empty() ? builtin_catalog() : owned;
  switch (r.command) {
    case Command::footprint: return run_footprint(catalog, r, out);
    case Command::curve: return run_curve(catalog, r, out);
    case Command::check: return run_check(catalog, r, out);
    case Command::list:
      out = r.json ? json_list(catalog, r.list_what) : text_list(catalog, r.list_what);
      return 0;
    case Command::validate:
      out = r.json ? json_validate(catalog) : text_validate(catalog);
      return 0;
    default: return run_recommend(catalog, r, out);
  }
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool annotate = false;  // `check --format github`: errors become workflow annotations
  try {
    const Request request = parse_args(args);
    annotate = request.command == Command::check && check_output(request) == "github";
    std::string result;
    const int code = dispatch(request, result);
    out << result;  // written only once everything succeeded: never a partial document
    out.flush();
    return code;
  } catch (const Error& e) {
    if (annotate) err << github_error(e.file(), e.line(), e.reason());
    else err << "fitcheck: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    err << "fitcheck: error: internal error: " << e.what() << " (please report this as a bug)\n";
    return static_cast<int>(Errc::internal);
  }
}

}  // namespace fitcheck::cli

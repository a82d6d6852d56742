#include <cmath>
#include <nlohmann/json.hpp>

#include "fitcheck/launch.hpp"
#include "fitcheck/version.hpp"
#include "cli/json_parts.hpp"
#include "cli/report.hpp"

namespace fitcheck::cli {

namespace {
// Floats carry 4 significant digits: estimates (tokens/s, efficiencies) are not more precise than that, and
// 17-digit doubles would churn every golden file on the smallest change.
void round_floats(Json& j) {
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (v != 0 && std::isfinite(v)) {
      const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(v))));
      j = std::round(v * scale) / scale;
    }
  } else if (j.is_structured()) {
    for (Json& child : j) round_floats(child);
  }
}

}  // namespace
// The document as printed: floats rounded; strings that are not valid UTF-8 (a path or a config value as
// the file wrote it) have their bad bytes replaced by U+FFFD rather than failing the whole output.
std::string document(Json j) {
  round_floats(j);
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json header(const Catalog& catalog) {
  Json j;
  j["schema_version"] = 1;
  j["fitcheck_version"] = version();
  j["catalog"] = {{"source", catalog.source}, {"name", catalog.name}, {"version", catalog.version}};
  return j;
}

namespace {
Json split(const Split& s) { return {{"device_bytes", s.device}, {"host_bytes", s.host}}; }

}  // namespace
Json footprint_object(const Footprint& f) {
  Json j;
  j["model"] = f.model;
  j["quant"] = f.quant;
  j["context"] = f.settings.context;
  j["kv_type"] = kv_type_label(f.settings);
  j["kv_type_k"] = f.settings.kv_type_k;
  j["kv_type_v"] = f.settings.kv_type_v;
  j["weights_bytes"] = f.weights_bytes;
  j["file_bytes"] = f.file_bytes;
  j["weights_source"] = name_of(k_weights_source_names, f.weights_source);
  j["kv_cache_bytes"] = f.kv_cache.total();
  j["compute_bytes"] = f.compute.total();
  j["compute_device_bytes"] = f.compute.device;
  j["compute_host_bytes"] = f.compute.host;
  j["compute_basis"] = name_of(k_compute_basis_names, f.compute_basis);
  j["overhead_bytes"] = f.overhead.total();
  j["repack_bytes"] = f.repack.total();
  j["projector_bytes"] = f.projector.total();
  j["projector_weights_bytes"] = f.projector_weights_bytes;
  j["projector_compute_bytes"] = f.projector_compute_bytes;
  j["draft_bytes"] = f.draft.total();
  j["draft_context"] = f.settings.draft_context;
  j["total_bytes"] = f.total_bytes();
  j["device_bytes"] = f.device_bytes();
  j["host_bytes"] = f.host_bytes();
  j["host_resident_bytes"] = f.host_resident_bytes();
  j["host_paged_bytes"] = f.host_paged_bytes;
  j["weights"] = split(f.weights);
  j["kv_cache"] = split(f.kv_cache);
  j["compute"] = split(f.compute);
  j["overhead"] = split(f.overhead);
  j["repack"] = split(f.repack);
  j["projector"] = split(f.projector);
  j["draft"] = split(f.draft);
  j["kv"] = {{"context_cells", f.kv.context_cells}, {"streams", f.kv.streams},
             {"full_layers", f.kv.full_layers},     {"full_cells", f.kv.full_cells},
             {"full_bytes", f.kv.full_bytes},       {"sliding_layers", f.kv.sliding_layers},
             {"sliding_cells", f.kv.sliding_cells}, {"sliding_bytes", f.kv.sliding_bytes}};
  return j;
}

Json number_or_null(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }
Json tps_or_null(double tps) { return tps > 0 ? Json(tps) : Json(nullptr); }

Json mtp_range_or_null(const std::optional<MtpSpeed>& mtp) {
  return mtp ? Json{{"low", mtp->low_tps}, {"high", mtp->high_tps}} : Json(nullptr);
}

namespace {

Json speed_assumptions(const SpeedSetup& sp) {
  const SpeedParams& p = sp.params;
  return {{"fill", sp.limits.fill},
          {"device_bandwidth_gbs", p.device_bandwidth_gbs},
          {"device_bandwidth_efficiency", p.device_efficiency},
          {"device_read_cap_gbs", p.device_read_cap_gbs > 0 ? Json(p.device_read_cap_gbs) : Json(nullptr)},
          {"device_layer_overhead_us", p.layer_overhead_us},
          {"device_moe_layer_overhead_us", p.moe_layer_overhead_us},
          {"device_fp16_tflops", p.device_tflops > 0 ? Json(p.device_tflops) : Json(nullptr)},
          {"quantized_matmul_tflops", p.quantized_tflops > 0 ? Json(p.quantized_tflops) : Json(nullptr)},
          {"compute_efficiency", p.compute_efficiency},
          {"moe_compute_efficiency", p.moe_compute_efficiency},
          {"prefill_layer_overhead_us", p.prefill_layer_overhead_us},
          {"attention_fp16_tflops", p.attention_tflops > 0 ? Json(p.attention_tflops) : Json(nullptr)},
          {"attention_efficiency", p.attention_efficiency},
          {"tile_efficiency", p.tile_efficiency},
          {"float_efficiency", p.float_efficiency},
          {"host_bandwidth_gbs", p.host_bandwidth_gbs},
          {"host_bandwidth_efficiency", p.host_efficiency},
          {"host_layer_overhead_us", p.host_layer_overhead_us},
          {"host_ram_budget_bytes", sp.limits.host_bytes},
          {"pcie_gbs", p.pcie_gbs},
          {"pcie_efficiency", p.pcie_efficiency},
          {"allow_offload", sp.allow_offload},
          {"min_tps", sp.min_tps},
          {"basis",
           "decode: bytes read per token over bandwidth x efficiency, plus a fixed time per layer (more for a MoE "
           "layer whose experts are on the device); prefill per ubatch: 2 FLOPs per multiplied weight (not the "
           "lookup tables) over FP16 throughput x efficiency (unquantized weights', the routed experts' and the "
           "attention's over the cached cells at their own, and on CUDA the empty columns of the experts' tiles, "
           "min(ubatch, 128) wide, at theirs), plus the device weights the ubatch touches read once, host-RAM weights "
           "over PCIe, and a fixed time per layer; "
           "efficiencies calibrated on public measurements (data/runtimes.json cites them; README 'Speed')"}};
}

Json speed_object(const Speed& s, std::uint64_t fill) {
  return {{"fill", fill},
          {"decode_tps", tps_or_null(s.decode_tps)},
          {"decode_tps_full", tps_or_null(s.decode_tps_full)},
          {"prefill_tps", number_or_null(s.prefill_tps)},
          {"prefill_tps_full", number_or_null(s.prefill_tps_full)},
          {"basis", s.basis},
          {"prefill_basis", s.prefill_basis}};
}

Json offload_object(const std::optional<OffloadPlan>& plan) {
  if (!plan) return nullptr;
  return {{"gpu_layers", plan->placement.gpu_layers},
          {"n_cpu_moe", plan->placement.cpu_moe_layers},
          {"device_bytes", plan->device_bytes},
          {"host_bytes", plan->host_bytes},
          {"decode_tps", plan->speed.decode_tps},
          {"decode_tps_full", plan->speed.decode_tps_full},
          {"prefill_tps", number_or_null(plan->speed.prefill_tps)},
          {"prefill_tps_full", number_or_null(plan->speed.prefill_tps_full)},
          {"basis", plan->speed.basis},
          {"args", plan->args}};
}

Json assumptions(const Catalog& catalog, const Runtime& runtime, const Settings& s, const std::optional<SpeedSetup>& speed) {
  Json j;
  j["runtime"] = runtime.id + " " + runtime.version;
  j["backend"] = backend_name(s.backend);
  j["ubatch"] = s.ubatch;
  j["batch"] = s.batch;
  j["parallel"] = s.parallel;
  j["flash_attn"] = s.flash_attn;
  j["swa_full"] = s.swa_full;
  j["kv_unified"] = s.kv_unified;
  j["kv_offload"] = s.kv_offload;
  j["cpu_repack"] = s.cpu_repack;
  j["projector"] = s.wants_projector() ? Json(s.projector_type) : Json(nullptr);
  j["compute_basis"] = compute_basis(runtime, s.backend);
  j["projector_compute_basis"] = s.wants_projector() ? Json(projector_compute_basis(catalog)) : Json(nullptr);
  if (speed) j["speed"] = speed_assumptions(*speed);
  return j;
}

}  // namespace
Json hardware_object(const Hardware& hw, const Budget& b) {
  Json j;
  j["id"] = hw.id;
  j["name"] = hw.name;
  j["memory_kind"] = name_of(k_memory_kind_names, hw.memory_kind);
  j["memory_bytes"] = hw.memory_bytes;
  j["budget_bytes"] = b.device_bytes;
  j["budget_basis"] = b.device_basis;
  j["platform"] = backend_name(b.backend);
  j["reserve_bytes"] = b.reserve_bytes;
  j["headroom_bytes"] = b.headroom_bytes;
  j["ram_budget_bytes"] = b.ram_bytes == 0 ? Json(nullptr) : Json(b.ram_bytes);
  const std::optional<Hardware::MeasuredShare>& share = hw.decode_measured_share;
  j["decode_measured_share"] = share ? Json{{"low", share->low}, {"high", share->high}} : Json(nullptr);
  return j;
}

namespace {

Json launch_object(const Catalog& catalog, const Candidate& c) {
  const Launch launch = launch_of(catalog, c);
  return {{"llama_server", launch.llama_server.empty() ? Json(nullptr) : Json(launch.llama_server)},
          {"ollama", launch.ollama ? Json(*launch.ollama) : Json(nullptr)}};
}

Json mtp_object(const std::optional<MtpOption>& m) {
  if (!m) return nullptr;
  return {{"draft_bytes", m->draft_bytes},
          {"fits", m->fits},
          {"decode_tps_low", m->speed.low_tps},
          {"decode_tps_high", m->speed.high_tps}};
}

// One plan as the answer or an alternative gives it: what runs, how fast, what it leaves free, how to start it.
Json plan_object(const Catalog& catalog, const Candidate& c, const Budget& b) {
  const auto [device, host] = c.placed();
  const Speed* s = c.verdict.running_speed();
  return {{"model", c.model},
          {"quant", c.quant},
          {"context", c.max_context},
          {"kv_type", kv_type_label(c.footprint.settings)},
          {"decode_tps", tps_or_null(c.verdict.decode_tps())},
          {"decode_tps_full", s ? tps_or_null(s->decode_tps_full) : Json(nullptr)},
          {"prefill_tps", s ? number_or_null(s->prefill_tps) : Json(nullptr)},
          {"prefill_tps_full", s ? number_or_null(s->prefill_tps_full) : Json(nullptr)},
          {"device_bytes", device},
          {"host_bytes", host},
          {"spare_bytes", spare_bytes(b, c.footprint, c.placed())},
          {"launch", launch_object(catalog, c)},
          {"mtp", mtp_object(mtp_option(catalog, c, b))}};
}

Json fit_object(const FitResult& fit, bool runs) {
  return {{"fits", fit.fits}, {"runs", runs}, {"device_over_bytes", fit.device_over}, {"ram_over_bytes", fit.ram_over}};
}

}  // namespace
std::string json_footprint(const FootprintReport& r) {
  Json j = header(r.catalog);
  j["footprint"] = footprint_object(r.footprint);
  j["assumptions"] = assumptions(r.catalog, r.runtime, r.footprint.settings, r.speed);
  if (r.hardware && r.budget && r.verdict) {
    j["hardware"] = hardware_object(*r.hardware, *r.budget);
    j["fit"] = fit_object(r.verdict->fit, r.verdict->qualifies);
    j["speed"] = speed_object(*r.verdict->speed, r.speed->limits.fill);
    j["speed"]["decode_tps_mtp"] = mtp_range_or_null(r.verdict->speed->mtp);
    if (r.speed->allow_offload) j["offload"] = offload_object(r.verdict->offload);
  }
  if (!r.roles.empty()) {
    Json tensors = Json::array();
    for (const RoleBytes& role : r.roles) {
      tensors.push_back({{"role", role.role}, {"type", role.type}, {"count", role.count}, {"bytes", role.bytes}});
    }
    j["tensors"] = tensors;
  }
  return document(j);
}

std::string json_recommend(const RecommendReport& r) {
  const Plan& plan = r.plan;
  Json j = header(r.catalog);
  j["hardware"] = hardware_object(r.hardware, plan.budget);
  const bool offload = plan.constraints.speed && plan.constraints.speed->allow_offload;
  j["constraints"] = {{"min_bits", plan.constraints.min_bits},
                      {"min_context", plan.constraints.min_context},
                      {"min_tps", plan.constraints.speed ? plan.constraints.speed->min_tps : 0.0},
                      {"allow_offload", offload},
                      {"prefer", name_of(k_preference_names, plan.constraints.prefer)},
                      {"target_context", plan.constraints.target_context},
                      {"needs", plan.constraints.needs},
                      {"projector", plan.constraints.load_projector}};
  j["assumptions"] = assumptions(r.catalog, r.runtime, plan.constraints.settings, plan.constraints.speed);
  if (plan.chosen) {
    const Candidate& c = plan.candidates[*plan.chosen];
    j["recommendation"] = plan_object(r.catalog, c, plan.budget);
    j["recommendation"]["why"] = plan.why_preset;
    j["recommendation"]["kv_fallback"] = plan.kv_fallback_used;
    j["recommendation"]["footprint"] = footprint_object(c.footprint);
    if (offload) j["recommendation"]["offload"] = offload_object(c.verdict.offload);
  } else {
    j["recommendation"] = nullptr;
  }
  Json why = Json::array();
  for (std::size_t i : plan.next_bigger) {
    const Candidate& c = plan.candidates[i];
    why.push_back({{"model", c.model},
                   {"quant", c.quant},
                   {"context", c.footprint.settings.context},
                   {"device_bytes", c.footprint.device_bytes()},
                   {"device_over_bytes", c.verdict.fit.device_over},
                   {"ram_over_bytes", c.verdict.fit.ram_over},
                   {"reason", why_not_reason(c, plan.constraints)}});
  }
  j["next_bigger"] = why;
  Json alternatives = Json::array();
  for (const Alternative& a : plan.alternatives) {
    Json alt = plan_object(r.catalog, a.candidate, plan.budget);
    alt["kind"] = a.kind;
    alternatives.push_back(alt);
  }
  j["alternatives"] = alternatives;
  Json candidates = Json::array();
  for (const Candidate& c : plan.candidates) {
    Json cand = {{"model", c.model},
                 {"quant", c.quant},
                 {"above_floor", c.above_floor},
                 {"fits", c.qualifies()},
                 {"max_context", c.max_context},
                 {"context", c.footprint.settings.context},
                 {"device_bytes", c.footprint.device_bytes()},
                 {"host_bytes", c.footprint.host_bytes()},
                 {"total_bytes", c.footprint.total_bytes()},
                 {"decode_tps", tps_or_null(c.verdict.decode_tps())}};
    if (offload) cand["offload"] = offload_object(c.verdict.offload);
    candidates.push_back(cand);
  }
  j["candidates"] = candidates;
  return document(j);
}

std::string json_curve(const CurveReport& r) {
  Json j = header(r.catalog);
  j["hardware"] = hardware_object(r.hardware, r.budget);
  j["assumptions"] = assumptions(r.catalog, r.runtime, r.settings, r.speed);
  j["over"] = name_of(k_axis_names, r.curve.over);
  if (r.curve.over == CurveAxis::context && !r.curve.points.empty()) {
    j["model"] = r.curve.points.front().model;
    j["quant"] = r.curve.points.front().quant;
    j["quant_choice"] = r.preset_choice.empty() ? Json(nullptr) : Json(r.preset_choice);
  } else {
    j["context"] = r.settings.context;
  }
  j["spill_start"] = r.curve.spill_start ? Json(*r.curve.spill_start) : Json(nullptr);
  Json points = Json::array();
  for (const CurvePoint& p : r.curve.points) {
    Json point;
    if (r.curve.over == CurveAxis::context) {
      point["context"] = p.context;
    } else {
      point["model"] = p.model;
      point["quant"] = p.quant;
    }
    point["device_bytes"] = p.device_bytes;
    point["host_bytes"] = p.host_bytes;
    point["needed_device_bytes"] = p.needed_device_bytes;
    point["fits"] = p.resident;
    point["decode_tps"] = number_or_null(p.decode_tps);
    point["prefill_tps_full"] = number_or_null(p.prefill_tps_full);
    point["args"] = p.args.empty() ? Json(nullptr) : Json(p.args);
    points.push_back(point);
  }
  j["points"] = points;
  return document(j);
}

std::string json_validate(const Catalog& catalog) {
  Json j = header(catalog);
  j["valid"] = true;
  j["counts"] = {{"models", catalog.models.size()},     {"block_types", catalog.block_types.size()},
                 {"presets", catalog.presets.size()},   {"kv_types", catalog.kv_types.size()},
                 {"hardware", catalog.hardware.size()}, {"runtimes", catalog.runtimes.size()}};
  return document(j);
}

std::string json_list(const Catalog& catalog, const std::string& what, const std::vector<const Hardware*>& gpus) {
  Json j = header(catalog);
  Json items = Json::array();
  if (what == "models") {
    for (const Model& m : catalog.models) {
      const ParamCounts p = count_params(m);
      Json layers = {{"total", m.num_layers()}, {"kv_shared", m.kv_shared_layers}};
      std::uint64_t full = 0;
      for (LayerKind k : m.layers) full += k == LayerKind::full;
      layers["full"] = full;
      layers["sliding"] = m.num_layers() - full;
      items.push_back({{"id", m.id},
                       {"name", m.name},
                       {"aliases", m.aliases},
                       {"max_context", m.max_context},
                       {"modalities", m.modalities},
                       {"layers", layers},
                       {"sliding_window", m.sliding_window},
                       {"experts", m.expert_count},
                       {"params",
                        {{"text_total", p.text_total()},
                         {"active", p.active},
                         {"embedding", p.embedding},
                         {"per_layer_embedding", p.per_layer_embedding},
                         {"attention", p.attention},
                         {"ffn", p.ffn},
                         {"experts", p.experts},
                         {"norms", p.norms},
                         {"other", p.other},
                         {"vision", m.vision_params},
                         {"audio", m.audio_params}}}});
    }
  } else if (what == "quants") {
    for (const Preset& p : catalog.presets) {
      items.push_back({{"id", p.id}, {"nominal_bits", p.nominal_bits}, {"default_type", p.default_type}});
    }
  } else if (what == "kv-types") {
    for (const KvType& k : catalog.kv_types) {
      const BlockType& b = catalog.block_type(k.block_type);
      items.push_back({{"id", k.id},
                       {"block_elems", b.block_elems},
                       {"block_bytes", b.block_bytes},
                       {"quantized", k.quantized},
                       {"fork", k.fork.empty() ? Json(nullptr) : Json(k.fork)}});
    }
  } else {
    for (const Hardware* h : gpus) {
      items.push_back({{"id", h->id},
                       {"name", h->name},
                       {"vendor", h->vendor},
                       {"memory_kind", name_of(k_memory_kind_names, h->memory_kind)},
                       {"memory_bytes", h->memory_bytes},
                       {"bandwidth_gbs", h->bandwidth_gbs}});
    }
  }
  j[what == "kv-types" ? "kv_types" : what] = items;
  return document(j);
}

}  // namespace fitcheck::cli

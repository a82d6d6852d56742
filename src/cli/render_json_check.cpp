// check --json: one object a deployment (README "JSON output").
#include <algorithm>

#include "cli/json_parts.hpp"
#include "cli/report.hpp"

namespace fitcheck::cli {
namespace {

Json notes_array(const std::vector<ConfigNote>& notes) {
  Json a = Json::array();
  for (const ConfigNote& n : notes) a.push_back({{"line", n.line == 0 ? Json(nullptr) : Json(n.line)}, {"message", n.message}});
  return a;
}

Json vllm_object(const CheckResult& r) {
  if (!r.vllm) return nullptr;
  const VllmPlan& p = *r.vllm;
  const VllmSettings& s = r.vllm_settings;
  return {{"max_model_len", s.max_model_len},
          {"gpu_memory_utilization", s.gpu_memory_utilization},
          {"max_num_seqs", s.max_num_seqs},
          {"max_num_batched_tokens", s.max_num_batched_tokens},
          {"tensor_parallel_size", s.tensor_parallel_size},
          {"kv_cache_dtype", s.kv_cache_dtype},
          {"cuda_graphs", s.cuda_graphs},
          {"reported_bytes", p.reported_bytes},
          {"usable_bytes", p.usable_bytes},
          {"weights_bytes", p.weights_bytes},
          {"drafter_bytes", p.drafter_bytes},
          {"activation_bytes", p.activation_bytes},
          {"drafter_profile_bytes", p.drafter_profile_bytes},
          {"non_torch_bytes", p.non_torch_bytes},
          {"cudagraph_bytes", p.cudagraph_bytes},
          {"kv_bytes", p.kv_bytes},
          {"outside_bytes", p.outside_bytes},
          {"outside_need_bytes", p.outside_need_bytes},
          {"sequence_kv_bytes", p.sequence_kv_bytes},
          {"sequences", p.sequences},
          {"concurrent_sequences", std::min(p.sequences, s.max_num_seqs)},
          {"max_model_len_fit", p.max_model_len_fit},
          {"basis", vllm_basis()}};
}

Json check_item(const CheckItem& item) {
  const Deployment& d = item.deployment;
  const CheckResult& r = item.result;
  Json j;
  j["file"] = d.path;
  j["name"] = d.name.empty() ? Json(nullptr) : Json(d.name);
  j["format"] = format_name(d.format);
  j["line"] = d.line;
  j["model_text"] = d.model_text;
  j["model"] = d.model->id;
  j["quant"] = d.preset->id;
  j["runtime"] = d.server_id();
  j["fits"] = r.fits;
  j["context"] = r.context;
  j["device_bytes"] = r.device_bytes;
  j["limit_bytes"] = r.limit_bytes;
  j["headroom_bytes"] = r.headroom_bytes;
  j["margin_bytes"] = r.margin_bytes;
  j["host_bytes"] = r.host_bytes;
  j["host_limit_bytes"] = r.host_limit_bytes;
  j["too_slow"] = r.too_slow;
  j["decode_tps"] = tps_or_null(r.speed.decode_tps);
  j["decode_tps_full"] = tps_or_null(r.speed.decode_tps_full);
  j["prefill_tps"] = number_or_null(r.speed.prefill_tps);
  j["prefill_tps_full"] = number_or_null(r.speed.prefill_tps_full);
  j["speed_basis"] = r.speed.basis;
  j["prefill_basis"] = r.speed.prefill_basis.empty() ? Json(nullptr) : Json(r.speed.prefill_basis);
  j["decode_tps_mtp"] = mtp_range_or_null(r.speed.mtp);
  j["reason"] = r.reason.empty() ? Json(nullptr) : Json(r.reason);
  j["hardware"] = hardware_object(item.hardware, r.budget);
  j["footprint"] = r.footprint ? footprint_object(*r.footprint) : Json(nullptr);
  j["vllm"] = vllm_object(r);
  j["notes"] = notes_array(d.notes);
  j["warnings"] = notes_array(d.warnings);
  return j;
}

}  // namespace

std::string json_check(const CheckReport& r) {
  Json j = header(r.catalog);
  j["fits"] = r.all_fit();
  j["headroom"] = r.headroom.empty() ? Json(nullptr) : Json(r.headroom);
  j["lenient"] = r.lenient;
  j["min_tps"] = r.min_tps ? Json(*r.min_tps) : Json(nullptr);
  Json items = Json::array();
  for (const CheckItem& item : r.items) items.push_back(check_item(item));
  j["deployments"] = items;
  Json errors = Json::array();
  for (const Error& e : r.errors) {
    errors.push_back({{"file", e.file().empty() ? Json(nullptr) : Json(e.file())},
                      {"line", e.line() == 0 ? Json(nullptr) : Json(e.line())},
                      {"message", e.reason()},
                      {"exit_code", static_cast<int>(e.code())}});
  }
  j["errors"] = errors;
  return document(j);
}

}  // namespace fitcheck::cli

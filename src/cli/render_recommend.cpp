// `fitcheck --gpu ID` as people read it: the answer, its memory and speed, the launch lines, why nothing
// bigger, and the alternatives, in at most 30 lines of 100 columns; the full table with --all.
#include <fmt/format.h>

#include "cli/report.hpp"
#include "fitcheck/launch.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

std::string gib(std::uint64_t bytes) { return fmt::format("{:.1f}", static_cast<double>(bytes) / static_cast<double>(k_gib)); }

std::string headline(const Candidate& c) {
  const Settings& s = c.footprint.settings;
  return fmt::format("{} {}, {} context, {} KV cache{}", c.model, c.quant, format_context(c.max_context), kv_type_label(s),
                     s.wants_projector() ? ", multimodal projector loaded" : "");
}

void memory_lines(std::string& out, const Candidate& c, const Budget& b) {
  const Footprint& f = c.footprint;
  const Split where = c.placed();
  if (c.verdict.offload && !c.verdict.fit.fits) {
    out += fmt::format("  device {} GiB + host RAM {} GiB: part of it in host RAM (whole on the device: {} GiB)\n",
                       gib(where.device), gib(where.host), gib(f.device_bytes()));
    return;
  }
  out += fmt::format("  device {} GiB: weights {}, KV cache {}, compute {}, overhead {}{}\n", gib(where.device),
                     gib(f.weights.device), gib(f.kv_cache.device), gib(f.compute.device), gib(f.overhead.device),
                     f.projector.device ? ", projector " + gib(f.projector.device) : "");
  const std::string paged = f.host_paged_bytes ? " (+" + gib(f.host_paged_bytes) + " GiB of mapped tables paged)" : "";
  out += fmt::format("  host RAM {} GiB{}; {} GiB spare beyond {} GiB headroom\n", gib(f.resident(where.host)), paged,
                     gib(spare_bytes(b, f, where)), gib(b.headroom_bytes));
}

// "  MTP drafter: +0.5 GiB (fits), 31.4-35.4 tokens/s by its acceptance (--spec-type draft-mtp)".
void mtp_line(std::string& out, const Catalog& catalog, const Candidate& c, const Budget& b) {
  const std::optional<MtpOption> m = mtp_option(catalog, c, b);
  if (!m) return;
  out +=
      fmt::format("  MTP drafter: +{} GiB ({}), {}-{} tokens/s by its acceptance (--spec-type draft-mtp)\n", gib(m->draft_bytes),
                  m->fits ? "fits" : "does not fit", format_tps(m->speed.low_tps), format_tps(m->speed.high_tps));
}

void speed_lines(std::string& out, const Candidate& c, std::uint64_t fill) {
  if (!c.verdict.running_speed()) return;
  const Speed& s = *c.verdict.running_speed();
  if (s.decode_tps <= 0) {
    out += "  speed: unknown (no bandwidth for a custom target: add --bandwidth GBs)\n";
    return;
  }
  const std::string prefill =
      s.prefill_tps ? fmt::format("{} tokens/s, {} full", format_tps(*s.prefill_tps), format_tps(s.prefill_tps_full.value_or(0)))
                    : "unknown";
  out += fmt::format("  speed: {} tokens/s at {} tokens of context, {} full; prefill {}\n", format_tps(s.decode_tps), fill,
                     format_tps(s.decode_tps_full), prefill);
}

// A command on one line, or, past 100 columns, continued with a backslash before its flags (still pastes).
std::string command_lines(const std::string& command, const std::string& indent) {
  constexpr std::size_t k_columns = 100;
  std::size_t flags = command.find(" -ngl ");
  if (flags == std::string::npos) flags = command.find(" ollama run ");
  if (indent.size() + command.size() <= k_columns || flags == std::string::npos) return indent + command + "\n";
  return indent + command.substr(0, flags) + " \\\n" + indent + "  " + command.substr(flags + 1) + "\n";
}

void launch_lines(std::string& out, const Catalog& catalog, const Candidate& c, const std::string& indent) {
  const Launch launch = launch_of(catalog, c);
  if (!launch.llama_server.empty()) out += command_lines(launch.llama_server, indent);
  if (launch.ollama) out += command_lines(*launch.ollama, indent);
}

// Why a step up is not the answer, in words (why_not_reason says which).
std::string why_not(const Candidate& c, const Plan& plan) {
  const std::string name = "  " + c.model + " " + c.quant + ": ";
  const std::string reason = why_not_reason(c, plan.constraints);
  const double min_tps = plan.constraints.speed ? plan.constraints.speed->min_tps : 0;
  if (reason == "target_context") {
    return name + fmt::format("holds {} context, less than the {} target\n", format_context(c.max_context),
                              format_context(std::min(plan.constraints.target_context, c.model_max_context)));
  }
  if (reason == "min_context") {
    return name + fmt::format("holds at most {} tokens, less than the {} minimum\n", c.model_max_context,
                              format_context(plan.constraints.min_context));
  }
  if (reason == "speed") {
    return name + fmt::format("{} tokens/s{}, below the {} minimum\n", format_tps(c.verdict.decode_tps()),
                              c.verdict.fit.fits ? "" : " with part of it in host RAM", format_tps(min_tps));
  }
  return name + fmt::format("needs {} GiB of device memory at {} context, {} GiB over the budget\n",
                            gib(c.footprint.device_bytes()), format_context(c.footprint.settings.context),
                            gib(c.verdict.fit.device_over + c.verdict.fit.ram_over));
}

const char* alternative_label(const std::string& kind) {
  if (kind == "fastest") return "fastest";
  if (kind == "longest_context") return "longest context";
  if (kind == "best_quality") return "best quality";
  return "with host RAM";
}

void alternative_lines(std::string& out, const RecommendReport& r) {
  if (r.plan.alternatives.empty()) return;
  out += "Alternatives:\n";
  for (const Alternative& a : r.plan.alternatives) {
    const Candidate& c = a.candidate;
    const Split where = c.placed();
    out += fmt::format("  {:<16}{} {}, {}, {} tok/s, {} + {} GiB host\n", alternative_label(a.kind), c.model, c.quant,
                       format_context(c.max_context), c.verdict.decode_tps() > 0 ? format_tps(c.verdict.decode_tps()) : "?",
                       gib(where.device), gib(where.host));
    launch_lines(out, r.catalog, c, "    ");
  }
}

void table(std::string& out, const Plan& plan) {
  out += fmt::format("\nAll options (quality floor {}-bit, minimum context {}):\n", plan.constraints.min_bits,
                     format_context(plan.constraints.min_context));
  out +=
      fmt::format("  {:<17}{:<8}{:<6}{:>9}{:>12}{:>12}{:>9}\n", "model", "quant", "fits", "max ctx", "device", "host", "tok/s");
  for (const Candidate& c : plan.candidates) {
    const char* fits = !c.above_floor ? (c.qualifies() ? "(yes)" : "(no)") : c.qualifies() ? "yes" : "no";
    const bool spilled = c.verdict.offload && !c.verdict.fit.fits;
    const Split where = c.placed();
    const double tps = c.verdict.decode_tps();
    out += fmt::format("  {:<17}{:<8}{:<6}{:>9}{:>12}{:>12}{:>9}\n", c.model, c.quant, fits,
                       c.qualifies() ? format_context(c.max_context) : std::string("-"), format_gib(where.device),
                       format_gib(where.host), tps > 0 ? format_tps(tps) + (spilled ? "*" : "") : std::string("-"));
  }
  out += "  (in parentheses: below the quality floor; * part of it in host RAM)\n";
}

}  // namespace

std::string text_recommend(const RecommendReport& r) {
  const Plan& plan = r.plan;
  std::string out = fmt::format("{} ({})\n", r.hardware.name, r.hardware.id);
  out += budget_line(r.hardware, plan.budget);
  if (plan.chosen) {
    const Candidate& c = plan.candidates[*plan.chosen];
    out += "\nRecommended: " + headline(c) + "\n";
    out += "  why: " + plan.why_preset + "\n";
    if (plan.kv_fallback_used) {
      out += "  KV cache " + kv_type_label(c.footprint.settings) + ": f16 misses the target; it costs " +
             r.catalog.policy.kv_fallback_cost + "\n";
    }
    memory_lines(out, c, plan.budget);
    if (plan.constraints.speed) speed_lines(out, c, plan.constraints.speed->limits.fill);
    mtp_line(out, r.catalog, c, plan.budget);
    launch_lines(out, r.catalog, c, "  ");
  } else {
    out += fmt::format("\nNothing fits at {}-bit or better with {} context.\n", plan.constraints.min_bits,
                       format_context(plan.constraints.min_context));
  }
  if (!plan.next_bigger.empty()) {
    out += plan.chosen ? "Why not bigger:\n" : "Smallest option:\n";
    for (std::size_t i : plan.next_bigger) out += why_not(plan.candidates[i], plan);
  }
  alternative_lines(out, r);
  if (r.all)
    table(out, plan);
  else
    out += fmt::format("Every model and preset: add --all.\n");
  return out;
}

}  // namespace fitcheck::cli

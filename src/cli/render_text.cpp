#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/report.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

std::string assumptions_line(const Runtime& runtime, const Settings& s) {
  return fmt::format("Assumes {} {} ({} backend): {}, flash attention {}, ubatch {}, {} sequence{}{}{}{}.", runtime.id,
                     runtime.version, backend_name(s.backend),
                     s.on_gpu() ? "every layer on the GPU (-ngl 99), token and per-layer embeddings in host RAM"
                                : "CPU only, weights memory-mapped",
                     s.flash_attn ? "on" : "off", s.ubatch, s.parallel, s.parallel == 1 ? "" : "s",
                     s.kv_unified ? ", unified KV cache" : "", s.swa_full ? ", full-size SWA cache" : "",
                     s.on_gpu() && !s.kv_offload ? ", KV cache in host RAM (--no-kv-offload)" : "");
}

void breakdown(std::string& out, const Footprint& f) {
  const auto row = [&](const char* label, const Split& s) {
    out += fmt::format("  {:<17}{:>12}{:>12}\n", label, format_gib(s.device), format_gib(s.host));
  };
  out += fmt::format("  {:<17}{:>12}{:>12}\n", "", "device", "host");
  row("weights", f.weights);
  row("KV cache", f.kv_cache);
  row("compute buffers", f.compute);
  row("overhead", f.overhead);
  if (f.repack.total() != 0) row("CPU repack", f.repack);
  if (f.projector.total() != 0) row("mmproj", f.projector);
  if (f.draft.total() != 0) row("MTP drafter", f.draft);
  out += fmt::format("  {:<17}{:>12}{:>12}   ({} in all)\n", "total", format_gib(f.device_bytes()), format_gib(f.host_bytes()),
                     format_gib(f.total_bytes()));
  out += fmt::format("  KV cache: {} full-attention layers x {} cells, {} sliding-window layers x {} cells{}\n", f.kv.full_layers,
                     f.kv.full_cells, f.kv.sliding_layers, f.kv.sliding_cells,
                     f.kv.streams > 1 ? fmt::format(", x {} streams", f.kv.streams) : std::string());
  if (f.host_paged_bytes != 0) {
    out += fmt::format("  memory-mapped embedding tables: {} paged from the file; RAM holds the rows in use\n",
                       format_gib(f.host_paged_bytes));
  }
  if (f.projector.total() != 0) {
    out += fmt::format("  mmproj: {} weights ({}) + {} encoder compute buffers (derived)\n",
                       format_gib(f.projector_weights_bytes), f.settings.projector_type, format_gib(f.projector_compute_bytes));
  }
  if (f.draft.total() != 0) {
    out +=
        fmt::format("  MTP drafter: its weights and a {}-token draft context's compute buffer; it reads the model's KV cache\n",
                    f.settings.draft_context);
  }
}

}  // namespace

std::string measured_share_text(const Hardware& hw) {
  if (!hw.decode_measured_share) return "";
  const auto percent = [](double share) { return static_cast<int>(std::lround(share * 100)); };
  const int low = percent(hw.decode_measured_share->low);
  const int high = percent(hw.decode_measured_share->high);
  const std::string range = low == high ? fmt::format("{}", low) : fmt::format("{}-{}", low, high);
  return fmt::format("measured llama.cpp decode on this GPU is {}% of these figures (README: known to be wrong)", range);
}

std::string measured_share_line(const Hardware& hw) {
  return hw.decode_measured_share ? "Speed: " + measured_share_text(hw) + "\n" : "";
}

std::string budget_line(const Hardware& hw, const Budget& b) {
  const std::string share = measured_share_line(hw);
  const std::string headroom = b.headroom_bytes ? " - " + format_gib(b.headroom_bytes) + " headroom" : "";
  if (b.memory_kind == MemoryKind::vram) {
    return fmt::format("Budget: {} of device memory = {} VRAM - {} {} reserve{}\n", format_gib(b.device_bytes),
                       format_gib(hw.memory_bytes), format_gib(b.reserve_bytes), backend_name(b.backend), headroom) +
           share;
  }
  return fmt::format("Budget: {} for the GPU ({}{});\n  device + host within {} = {} RAM - {} OS reserve\n",
                     format_gib(b.device_bytes), b.device_basis, headroom, format_gib(b.ram_bytes), format_gib(hw.memory_bytes),
                     format_gib(b.os_reserve_bytes)) +
         share;
}

namespace {

std::string over_text(const FitResult& fit) {
  std::string text;
  if (fit.device_over) text = format_gib(fit.device_over) + " over the device budget";
  if (fit.ram_over) text += (text.empty() ? "" : ", ") + format_gib(fit.ram_over) + " over RAM";
  return text;
}

std::string spare_text(const Budget& b, const Footprint& f) {
  std::string text;
  if (b.device_bytes != 0) text = format_gib(b.device_bytes - f.device_bytes()) + " of device memory to spare";
  const std::uint64_t held = f.device_bytes() + f.host_resident_bytes();
  if (b.ram_bytes != 0)
    text += (text.empty() ? "" : ", ") + format_gib(b.ram_bytes - std::min(b.ram_bytes, held)) + " of RAM to spare";
  return text;
}

std::string speed_line(const Speed& s, std::uint64_t fill) {
  std::string line = s.decode_tps <= 0
                         ? "Speed: decoding " + s.basis
                         : fmt::format("Speed: {} tokens/s decoding with {} tokens in the context, {} with it full ({}-bound)",
                                       format_tps(s.decode_tps), fill, format_tps(s.decode_tps_full), s.basis);
  line += s.prefill_tps ? fmt::format("; prefill {} tokens/s ({}-bound), {} over a prompt that fills the context",
                                      format_tps(*s.prefill_tps), s.prefill_basis, format_tps(s.prefill_tps_full.value_or(0)))
                        : "; prefill: " + s.prefill_basis;
  return line + ".\n";
}

std::string offload_line(const OffloadPlan& plan) {
  return fmt::format("Offload plan: llama-server {}\n  {} on the GPU, {} in host RAM, about {} tokens/s decoding ({}-bound).\n",
                     plan.args, format_gib(plan.device_bytes), format_gib(plan.host_bytes), format_tps(plan.speed.decode_tps),
                     plan.speed.basis);
}

}  // namespace

std::string kv_type_label(const Settings& s) {
  return s.kv_type_k == s.kv_type_v ? s.kv_type_k : s.kv_type_k + "/" + s.kv_type_v;
}

std::string compute_basis(const Runtime& runtime, Backend backend) {
  const std::string fit =
      "fit to " + runtime.id + " " + runtime.version + " CPU-backend compute buffers (logits + activations + masks)";
  if (backend == Backend::cpu) return "measured: " + fit;
  return runtime.id + "'s graph rule for " + backend_name(backend) +
         ": device = the larger of (KQ masks + the layers' activations x ubatch + the backend's constant) and (logits of "
         "n_parallel rows + the final hidden state); host = the masks + the input layer's f32 rows x ubatch (data/runtimes.json "
         "gpu_graph; footprint.compute_basis says whether public load logs measured its figures)";
}

namespace {

// footprint --explain: the compute buffers and where their figures come from.
std::string compute_explain(const Footprint& f) {
  const char* backend = backend_name(f.settings.backend);
  std::string why;
  switch (f.compute_basis) {
    case ComputeBasis::measured:
      why = fmt::format("measured: llama.cpp's graph rule, its figures fitted to public {} load logs", backend);
      break;
    case ComputeBasis::derived:
      why = fmt::format("derived: llama.cpp's graph rule, not every figure measured on {} for this model{}", backend,
                        f.settings.flash_attn ? "" : " (flash attention off)");
      break;
    case ComputeBasis::cpu_fit: why = "cpu_fit: a fit to llama.cpp's CPU-backend compute buffers"; break;
  }
  return fmt::format("Compute buffers: {} on the device, {} in host RAM; {}.\n", format_mib(f.compute.device),
                     format_mib(f.compute.host), why);
}

}  // namespace

std::string format_tps(double tps) {
  return tps >= 100 ? fmt::format("{:.0f}", tps) : tps >= 10 ? fmt::format("{:.1f}", tps) : fmt::format("{:.2f}", tps);
}

std::string projector_compute_basis(const Catalog& catalog) {
  std::vector<std::string> inputs;  // "vision 2304 positions", one per encoder kind in the catalog
  for (const Model& m : catalog.models) {
    for (const EncoderGraph& g : m.encoder_graphs) {
      const std::string input = g.name + " " + std::to_string(g.positions) + " positions";
      if (std::find(inputs.begin(), inputs.end(), input) == inputs.end()) inputs.push_back(input);
    }
  }
  return "derived, not measured: one layer's f32 activations at llama.cpp mtmd's warmup input (" +
         fmt::format("{}", fmt::join(inputs, ", ")) + "), plus attention scores without flash attention";
}

std::string text_footprint(const FootprintReport& r) {
  const Footprint& f = r.footprint;
  std::string out = fmt::format("{} {}, context {} ({} cells), KV {}\n", f.model, f.quant, f.settings.context, f.kv.context_cells,
                                kv_type_label(f.settings));
  out += fmt::format("Weights in the GGUF: {}\n", format_gib(f.weights_bytes));
  breakdown(out, f);
  if (r.hardware && r.budget && r.verdict) {
    const FitResult& fit = r.verdict->fit;
    out += fmt::format("Target: {} ({})\n", r.hardware->name, r.hardware->id);
    out += budget_line(*r.hardware, *r.budget);
    out += fit.fits ? "Fits: " + spare_text(*r.budget, f) + ".\n" : fmt::format("Does not fit: {}.\n", over_text(fit));
    if (r.verdict && r.verdict->speed)
      out += (fit.fits ? "" : "If it fit in device memory: ") + speed_line(*r.verdict->speed, r.speed->limits.fill);
    if (const std::optional<MtpSpeed>& mtp = r.verdict->speed ? r.verdict->speed->mtp : std::nullopt)
      out += fmt::format("With the MTP drafter: {}-{} tokens/s, over its published acceptance.\n", format_tps(mtp->low_tps),
                         format_tps(mtp->high_tps));
    if (r.speed && r.speed->allow_offload) {
      if (r.verdict->offload && !fit.fits)
        out += offload_line(*r.verdict->offload);
      else if (!r.verdict->offload)
        out += "No offload plan fits the GPU and host RAM" + std::string(r.speed->min_tps > 0 ? " at the minimum speed" : "") +
               ".\n";
    }
    if (r.speed && r.speed->min_tps > 0 && r.verdict->qualifies) {
      out += fmt::format("Meets the minimum of {} tokens/s.\n", format_tps(r.speed->min_tps));
    } else if (r.speed && r.speed->min_tps > 0 && (fit.fits || r.verdict->offload)) {
      out += fmt::format("Below the minimum of {} tokens/s.\n", format_tps(r.speed->min_tps));
    }
  }
  if (!r.roles.empty()) {
    out += compute_explain(f);
    out += "Weights by tensor role:\n";
    out += fmt::format("  {:<30}{:<8}{:>7}{:>13}\n", "role", "type", "count", "bytes");
    for (const RoleBytes& role : r.roles) {
      out += fmt::format("  {:<30}{:<8}{:>7}{:>13}\n", role.role, role.type, role.count, format_mib(role.bytes));
    }
  }
  out += assumptions_line(r.runtime, f.settings) + "\n";
  return out;
}

std::string text_validate(const Catalog& catalog) {
  return fmt::format(
      "catalog {} {} ({}) is valid: {} models, {} presets, {} KV cache types, {} hardware profiles; every number has a source\n",
      catalog.name, catalog.version, catalog.source, catalog.models.size(), catalog.presets.size(), catalog.kv_types.size(),
      catalog.hardware.size());
}

std::string text_list(const Catalog& catalog, const std::string& what, const std::vector<const Hardware*>& gpus) {
  std::string out;
  if (what == "models") {
    out += fmt::format("{:<17}{:<18}{:>10}{:>10}{:>9}  {}\n", "id", "name", "params", "active", "max ctx", "aliases");
    for (const Model& m : catalog.models) {
      const ParamCounts p = count_params(m);
      std::string aliases;
      for (const std::string& a : m.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
      out += fmt::format("{:<17}{:<18}{:>9.2f}B{:>9.2f}B{:>9}  {}\n", m.id, m.name, static_cast<double>(p.text_total()) / 1e9,
                         static_cast<double>(p.active) / 1e9, format_context(m.max_context), aliases);
    }
  } else if (what == "quants") {
    out += fmt::format("{:<8}{:>6}  {}\n", "id", "bits", "default block type");
    for (const Preset& p : catalog.presets) out += fmt::format("{:<8}{:>6}  {}\n", p.id, p.nominal_bits, p.default_type);
  } else if (what == "kv-types") {
    out += fmt::format("{:<8}{:>14}\n", "id", "bytes/32 elem");
    for (const KvType& k : catalog.kv_types) {
      const BlockType& b = catalog.block_type(k.block_type);
      // Bytes of 32 elements: whole for ggml's 32-element blocks, fractional for larger blocks (a fork's 128).
      const double per_32 = 32.0 * static_cast<double>(b.block_bytes) / static_cast<double>(b.block_elems);
      out += fmt::format("{:<8}{:>14}{}\n", k.id, fmt::format("{:g}", per_32), k.fork.empty() ? "" : "  fork: " + k.fork);
    }
  } else {
    out += fmt::format("{:<20}{:<9}{:>12}{:>9}  {}\n", "id", "kind", "memory", "GB/s", "name");
    for (const Hardware* h : gpus) {
      out += fmt::format("{:<20}{:<9}{:>12}{:>9}  {}\n", h->id, name_of(k_memory_kind_names, h->memory_kind),
                         format_gib(h->memory_bytes), h->bandwidth_gbs, h->name);
    }
  }
  return out;
}

}  // namespace fitcheck::cli

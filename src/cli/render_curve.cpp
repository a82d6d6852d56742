// `fitcheck curve` as a terminal chart and CSV (the SVG: render_curve_svg.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/text.hpp"
#include "cli/report.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

std::string point_label(const Curve& curve, const CurvePoint& p) {
  return curve.over == CurveAxis::context ? format_context(p.context) : p.model + " " + p.quant;
}

// The widest point label, at least as wide as the column's heading.
std::size_t label_width(const Curve& c) {
  std::size_t w = 18;
  for (const CurvePoint& p : c.points) w = std::max(w, point_label(c, p).size() + 2);
  return w;
}

// Seconds to prefill a prompt that fills the point's context ("-" when unknown or it does not run).
std::string fill_seconds(const CurvePoint& p) {
  if (!p.decode_tps || !p.prefill_tps_full || *p.prefill_tps_full <= 0) return "-";
  const double s = static_cast<double>(p.context) / *p.prefill_tps_full;
  return s < 10 ? fmt::format("{:.1f}", s) : fmt::format("{:.0f}", s);
}

}  // namespace

std::string curve_title(const CurveReport& r) {
  const Curve& c = r.curve;
  if (c.over == CurveAxis::context && !c.points.empty()) {
    return fmt::format("{} {} on {}: decode speed and memory vs context", c.points.front().model, c.points.front().quant,
                       r.hardware.name);
  }
  return fmt::format("Every model and preset on {} at {} context", r.hardware.name, format_context(r.settings.context));
}

double max_decode_tps(const Curve& c) {
  double m = 0;
  for (const CurvePoint& p : c.points) m = std::max(m, p.decode_tps.value_or(0));
  return m;
}

std::string text_curve(const CurveReport& r) {
  const Curve& c = r.curve;
  std::string out = curve_title(r) + "\n";
  const std::size_t w = label_width(c);
  if (!r.preset_choice.empty()) out += "Preset: " + r.preset_choice + ".\n";
  out += fmt::format("Budget: {} of device memory. Past it, layers spill to host RAM ({} GB/s, {} usable) and decoding slows.\n",
                     format_gib(r.budget.device_bytes), r.speed.params.host_bandwidth_gbs, format_gib(r.speed.limits.host_bytes));
  out += measured_share_line(r.hardware);
  const double top = max_decode_tps(c);
  constexpr int k_bar = 36;
  out += fmt::format("  {:>{}}{:>12}{:>12}{:>9}{:>9}\n", c.over == CurveAxis::context ? "context" : "model quant", w, "device",
                     "host", "fill s", "tok/s");
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const CurvePoint& p = c.points[i];
    if (c.spill_start && *c.spill_start == i) out += "  ---- does not fit in device memory from here: spills to host RAM ----\n";
    const double tps = p.decode_tps.value_or(0);
    const int bar = top > 0 ? static_cast<int>(std::lround(tps / top * k_bar)) : 0;
    out += fmt::format("  {:>{}}{:>12}{:>12}{:>9}{:>9} {}\n", point_label(c, p), w, format_gib(p.device_bytes),
                       format_gib(p.host_bytes), fill_seconds(p), p.decode_tps ? format_tps(tps) : std::string("-"),
                       std::string(static_cast<std::size_t>(bar), '#'));
  }
  out += fmt::format("Decode speed with {} tokens in the context; '-': does not run (host RAM too small) or unknown.\n",
                     r.speed.limits.fill);
  out += "fill s: seconds to prefill a prompt as long as the context, the wait for its first token.\n";
  return out;
}

std::string csv_curve(const CurveReport& r) {
  std::string out = r.curve.over == CurveAxis::context ? "context" : "model,quant";
  out += ",device_bytes,host_bytes,needed_device_bytes,fits,decode_tps,prefill_tps_full\n";
  for (const CurvePoint& p : r.curve.points) {
    out += r.curve.over == CurveAxis::context ? std::to_string(p.context) : p.model + "," + p.quant;
    out += fmt::format(",{},{},{},{},{},{}\n", p.device_bytes, p.host_bytes, p.needed_device_bytes, p.resident ? "true" : "false",
                       p.decode_tps ? fmt::format("{:.3f}", *p.decode_tps) : std::string(),
                       p.prefill_tps_full ? fmt::format("{:.1f}", *p.prefill_tps_full) : std::string());
  }
  return out;
}

}  // namespace fitcheck::cli

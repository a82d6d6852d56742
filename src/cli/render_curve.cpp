// `fitcheck curve` as a terminal chart, a standalone SVG and CSV. The SVG is written by hand: a few
// dozen elements need no plotting library.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/text.hpp"
#include "cli/report.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

constexpr double k_gib = 1024.0 * 1024.0 * 1024.0;

std::string point_label(const Curve& curve, const CurvePoint& p) {
  return curve.over == CurveAxis::context ? format_context(p.context) : p.model + " " + p.quant;
}

std::string title(const CurveReport& r) {
  const Curve& c = r.curve;
  if (c.over == CurveAxis::context && !c.points.empty()) {
    return fmt::format("{} {} on {}: decode speed and memory vs context", c.points.front().model, c.points.front().quant,
                       r.hardware.name);
  }
  return fmt::format("Every model and preset on {} at {} context", r.hardware.name, format_context(r.settings.context));
}

double max_tps(const Curve& c) {
  double m = 0;
  for (const CurvePoint& p : c.points) m = std::max(m, p.decode_tps.value_or(0));
  return m;
}

using text::xml_escape;

// A round step for about `count` ticks up to `top`.
double nice_step(double top, int count) {
  const double raw = top / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

}  // namespace

std::string text_curve(const CurveReport& r) {
  const Curve& c = r.curve;
  std::string out = title(r) + "\n";
  if (!r.preset_choice.empty()) out += "Preset: " + r.preset_choice + ".\n";
  out += fmt::format("Budget: {} of device memory. Past it, layers spill to host RAM ({} GB/s, {} usable) and decoding slows.\n",
                     format_gib(r.budget.device_bytes), r.speed.params.host_bandwidth_gbs, format_gib(r.speed.limits.host_bytes));
  const double top = max_tps(c);
  constexpr int k_bar = 36;
  out += fmt::format("  {:>18}{:>12}{:>12}{:>9}\n", c.over == CurveAxis::context ? "context" : "model quant", "device", "host",
                     "tok/s");
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const CurvePoint& p = c.points[i];
    if (c.spill_start && *c.spill_start == i) out += "  ---- does not fit in device memory from here: spills to host RAM ----\n";
    const double tps = p.decode_tps.value_or(0);
    const int bar = top > 0 ? static_cast<int>(std::lround(tps / top * k_bar)) : 0;
    out += fmt::format("  {:>18}{:>12}{:>12}{:>9} {}\n", point_label(c, p), format_gib(p.device_bytes), format_gib(p.host_bytes),
                       p.decode_tps ? format_tps(tps) : std::string("-"), std::string(static_cast<std::size_t>(bar), '#'));
  }
  out +=
      fmt::format("Decode speed with {} tokens in the context; '-': does not run (host RAM too small).\n", r.speed.limits.fill);
  return out;
}

std::string csv_curve(const CurveReport& r) {
  std::string out = r.curve.over == CurveAxis::context ? "context" : "model,quant";
  out += ",device_bytes,host_bytes,needed_device_bytes,fits,decode_tps\n";
  for (const CurvePoint& p : r.curve.points) {
    out += r.curve.over == CurveAxis::context ? std::to_string(p.context) : p.model + "," + p.quant;
    out += fmt::format(",{},{},{},{},{}\n", p.device_bytes, p.host_bytes, p.needed_device_bytes, p.resident ? "true" : "false",
                       p.decode_tps ? fmt::format("{:.3f}", *p.decode_tps) : std::string());
  }
  return out;
}

std::string svg_curve(const CurveReport& r) {
  const Curve& c = r.curve;
  const bool by_context = c.over == CurveAxis::context;
  const double width = 900, height = by_context ? 520 : 600;
  const double left = 80, right = 820, top = 90, bottom = by_context ? 450 : 420;
  const std::size_t n = c.points.size();
  // x: log2 of the context, or the point's index.
  const auto x_of = [&](std::size_t i) {
    if (n < 2) return (left + right) / 2;
    if (!by_context) return left + (right - left) * static_cast<double>(i) / static_cast<double>(n - 1);
    const double a = std::log2(static_cast<double>(c.points.front().context));
    const double b = std::log2(static_cast<double>(c.points.back().context));
    return left + (right - left) * (std::log2(static_cast<double>(c.points[i].context)) - a) / (b > a ? b - a : 1);
  };
  const double tps_step = nice_step(std::max(max_tps(c), 1.0) * 1.05, 5);
  const double tps_top = std::ceil(std::max(max_tps(c), 1.0) * 1.05 / tps_step) * tps_step;
  double mem_max = static_cast<double>(r.budget.device_bytes);
  for (const CurvePoint& p : c.points) mem_max = std::max(mem_max, static_cast<double>(p.needed_device_bytes));
  const double mem_step = nice_step(mem_max / k_gib * 1.05, 5);
  const double mem_top = std::ceil(mem_max / k_gib * 1.05 / mem_step) * mem_step;
  const auto y_tps = [&](double v) { return bottom - (bottom - top) * v / tps_top; };
  const auto y_mem = [&](double gib) { return bottom - (bottom - top) * gib / mem_top; };

  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
      "  <rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "  <text id=\"title\" x=\"{2}\" y=\"30\" font-size=\"15\" font-weight=\"bold\">{3}</text>\n"
      "  <text id=\"subtitle\" x=\"{2}\" y=\"52\" fill=\"#555555\">fitcheck: predicted decode tokens/s ({4} tokens in the "
      "context) and device memory against the budget</text>\n",
      width, height, left, xml_escape(title(r)), r.speed.limits.fill);
  if (c.spill_start && n > 0) {
    const double x = *c.spill_start == 0 ? left : (x_of(*c.spill_start - 1) + x_of(*c.spill_start)) / 2;
    s += fmt::format(
        "  <g id=\"spill\"><rect x=\"{0:.1f}\" y=\"{1}\" width=\"{2:.1f}\" height=\"{3}\" fill=\"#d62728\" "
        "fill-opacity=\"0.07\"/>\n"
        "    <line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{4}\" stroke=\"#d62728\" stroke-dasharray=\"2,3\"/>\n"
        "    <text x=\"{5:.1f}\" y=\"{6}\" fill=\"#d62728\">spills to host RAM</text></g>\n",
        x, top, right - x, bottom - top, bottom, x + 6, top + 16);
  }
  // Axes, grid and tick labels.
  s += "  <g id=\"axes\" stroke=\"#333333\">\n";
  s += fmt::format(
      "    <line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n    <line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{1}\"/>\n"
      "    <line x1=\"{2}\" y1=\"{3}\" x2=\"{2}\" y2=\"{1}\"/>\n  </g>\n",
      left, bottom, right, top);
  s += "  <g id=\"ticks\" fill=\"#333333\">\n";
  for (double v = 0; v <= tps_top + 1e-9; v += tps_step) {
    s += fmt::format(
        "    <line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e5e5e5\"/>\n"
        "    <text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#1f77b4\">{5:g}</text>\n",
        left, y_tps(v), right, left - 8, y_tps(v) + 4, v);
  }
  for (double v = 0; v <= mem_top + 1e-9; v += mem_step) {
    s += fmt::format("    <text x=\"{0}\" y=\"{1:.1f}\" fill=\"#ff7f0e\">{2:g}</text>\n", right + 8, y_mem(v) + 4, v);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const bool label = by_context ? (i % 4 == 0 || i + 1 == n) : true;
    if (!label) continue;
    if (by_context) {
      s += fmt::format("    <text x=\"{0:.1f}\" y=\"{1}\" text-anchor=\"middle\">{2}</text>\n", x_of(i), bottom + 20,
                       format_context(c.points[i].context));
    } else {
      s += fmt::format(
          "    <text x=\"{0:.1f}\" y=\"{1}\" text-anchor=\"end\" font-size=\"10\" transform=\"rotate(-60 {0:.1f} "
          "{1})\">{2}</text>\n",
          x_of(i) + 3, bottom + 12, xml_escape(point_label(c, c.points[i])));
    }
  }
  s += "  </g>\n";
  s += fmt::format("  <text id=\"x-label\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2}</text>\n", (left + right) / 2,
                   by_context ? bottom + 45 : height - 12,
                   by_context ? "context (tokens, log scale)" : "model and preset, by device memory needed");
  s += fmt::format(
      "  <text id=\"y-label\" transform=\"rotate(-90)\" x=\"{0}\" y=\"24\" text-anchor=\"middle\" fill=\"#1f77b4\">decode "
      "tokens/s</text>\n",
      -(top + bottom) / 2);
  s += fmt::format(
      "  <text id=\"y2-label\" transform=\"rotate(90)\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" fill=\"#ff7f0e\">device "
      "memory needed (GiB)</text>\n",
      (top + bottom) / 2, -(width - 28));
  // Budget line on the memory axis.
  const double budget_gib = static_cast<double>(r.budget.device_bytes) / k_gib;
  s += fmt::format(
      "  <g id=\"budget\"><line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#d62728\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"8,5\"/>\n"
      "    <text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#d62728\">budget {5}</text></g>\n",
      left, y_mem(budget_gib), right, right - 6, y_mem(budget_gib) - 6, format_gib(r.budget.device_bytes));
  // Series: memory needed, and tokens/s (points that do not run are left out).
  std::string memory, speed, dots;
  for (std::size_t i = 0; i < n; ++i) {
    memory += fmt::format("{}{:.1f},{:.1f}", memory.empty() ? "" : " ", x_of(i),
                          y_mem(static_cast<double>(c.points[i].needed_device_bytes) / k_gib));
    if (!c.points[i].decode_tps) continue;
    speed += fmt::format("{}{:.1f},{:.1f}", speed.empty() ? "" : " ", x_of(i), y_tps(*c.points[i].decode_tps));
    dots += fmt::format("    <circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"/>\n", x_of(i), y_tps(*c.points[i].decode_tps));
  }
  s += fmt::format("  <polyline id=\"memory\" fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"2\" points=\"{}\"/>\n", memory);
  s +=
      fmt::format("  <polyline id=\"decode-tps\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2.5\" points=\"{}\"/>\n", speed);
  s += "  <g id=\"decode-tps-points\" fill=\"#1f77b4\">\n" + dots + "  </g>\n";
  // Legend.
  s += fmt::format(
      "  <g id=\"legend\" transform=\"translate({} {})\">\n"
      "    <line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"#1f77b4\" stroke-width=\"2.5\"/><text x=\"30\" y=\"4\">decode "
      "tokens/s</text>\n"
      "    <line x1=\"150\" y1=\"0\" x2=\"174\" y2=\"0\" stroke=\"#ff7f0e\" stroke-width=\"2\"/><text x=\"180\" y=\"4\">device "
      "memory needed</text>\n"
      "    <line x1=\"340\" y1=\"0\" x2=\"364\" y2=\"0\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"8,5\"/><text "
      "x=\"370\" y=\"4\">device budget</text>\n"
      "  </g>\n</svg>\n",
      left, top - 12);
  return s;
}

}  // namespace fitcheck::cli

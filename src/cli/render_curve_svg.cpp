// `fitcheck curve --svg`: a standalone SVG written by hand (a few hundred elements need no plotting library).
// Over context: one chart, context on a log axis. Over models: one panel a model, its presets side by side,
// every panel on the same scales. Every text is measured (svg::text_width) and placed inside the picture.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cli/report.hpp"
#include "cli/svg.hpp"
#include "core/text.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

using text::xml_escape;

constexpr double k_gib = 1024.0 * 1024.0 * 1024.0;
constexpr svg::Font k_body{13, false};
constexpr svg::Font k_small{11, false};
constexpr double k_margin = 20;  // free space at the picture's edges
const char* const k_blue = "#1f77b4";
const char* const k_orange = "#ff7f0e";
const char* const k_red = "#d62728";

// An axis from 0 to `top` in round steps, about `count` of them.
struct Scale {
  double top = 1;
  double step = 1;
};
Scale scale_for(double max, int count) {
  max = std::max(max, 1.0) * 1.05;
  const double raw = max / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * power;
  for (double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * power) {
      step = m * power;
      break;
    }
  }
  return {std::ceil(max / step) * step, step};
}
std::vector<std::string> tick_labels(Scale s) {
  std::vector<std::string> out;
  for (double v = 0; v <= s.top + 1e-9; v += s.step) out.push_back(fmt::format("{:g}", v));
  return out;
}
double widest(const std::vector<std::string>& labels, svg::Font font) {
  double w = 0;
  for (const std::string& l : labels) w = std::max(w, svg::text_width(l, font));
  return w;
}

// The two y axes: decode tokens/s on the left, device memory needed on the right, shared by every panel.
struct Axes {
  Scale tps;
  Scale mem;  // GiB
  double budget_gib = 0;
};
Axes axes_for(const CurveReport& r, int ticks) {
  double mem_max = static_cast<double>(r.budget.device_bytes);
  for (const CurvePoint& p : r.curve.points) mem_max = std::max(mem_max, static_cast<double>(p.needed_device_bytes));
  return {scale_for(max_decode_tps(r.curve), ticks), scale_for(mem_max / k_gib, ticks),
          static_cast<double>(r.budget.device_bytes) / k_gib};
}

// Where the plot area sits: x from `left` to `right`, y from `top` to `bottom`.
struct Box {
  double left, right, top, bottom;
  double y(double v, double top_value) const { return bottom - (bottom - top) * v / top_value; }
};

// Room left of the plot for the tick labels and the rotated axis label, and right of it for the same.
struct Margins {
  double left, right;
};
Margins margins_for(const Axes& a) {
  const double axis_label = 30;  // the rotated axis title: one 13 px line and its gap
  return {k_margin + axis_label + 8 + widest(tick_labels(a.tps), k_body),
          8 + widest(tick_labels(a.mem), k_body) + axis_label + k_margin};
}

// Grid lines, tick labels on both sides, the frame and the budget line of one plot area.
std::string frame(const Box& b, const Axes& a, bool budget_label, const std::string& budget_text) {
  std::string s = "  <g class=\"ticks\" fill=\"#333333\">\n";
  for (double v = 0; v <= a.tps.top + 1e-9; v += a.tps.step) {
    s += fmt::format(
        "    <line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#e5e5e5\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"{5}\">{6:g}</text>\n",
        b.left, b.y(v, a.tps.top), b.right, b.left - 8, b.y(v, a.tps.top) + 4, k_blue, v);
  }
  for (double v = 0; v <= a.mem.top + 1e-9; v += a.mem.step) {
    s += fmt::format("    <text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"{}\">{:g}</text>\n", b.right + 8, b.y(v, a.mem.top) + 4,
                     k_orange, v);
  }
  s += "  </g>\n";
  s += fmt::format(
      "  <g class=\"axes\" stroke=\"#333333\"><line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\"/>"
      "<line x1=\"{0:.1f}\" y1=\"{3:.1f}\" x2=\"{0:.1f}\" y2=\"{1:.1f}\"/><line x1=\"{2:.1f}\" y1=\"{3:.1f}\" x2=\"{2:.1f}\" "
      "y2=\"{1:.1f}\"/></g>\n",
      b.left, b.bottom, b.right, b.top);
  const double y = b.y(a.budget_gib, a.mem.top);
  s += fmt::format(
      "  <g class=\"budget\"><line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
      "stroke-width=\"1.5\" stroke-dasharray=\"8,5\"/>",
      b.left, y, b.right, k_red);
  if (budget_label) {
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"{}\">{}</text>", b.right - 6, y - 6, k_red,
                     xml_escape(budget_text));
  }
  return s + "</g>\n";
}

// The memory and speed series of points `idx` at x positions `xs` (points that do not run get no speed).
std::string series(const CurveReport& r, const std::vector<std::size_t>& idx, const std::vector<double>& xs, const Box& b,
                   const Axes& a) {
  std::string memory, speed, dots;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const CurvePoint& p = r.curve.points[idx[k]];
    memory += fmt::format("{}{:.1f},{:.1f}", memory.empty() ? "" : " ", xs[k],
                          b.y(static_cast<double>(p.needed_device_bytes) / k_gib, a.mem.top));
    if (!p.decode_tps) {
      const double y = b.bottom - 7;
      dots += fmt::format("    <path d=\"M{0:.1f},{1:.1f} l8,8 m0,-8 l-8,8\" stroke=\"#777777\" stroke-width=\"1.5\"/>\n",
                          xs[k] - 4, y - 4);
      continue;
    }
    speed += fmt::format("{}{:.1f},{:.1f}", speed.empty() ? "" : " ", xs[k], b.y(*p.decode_tps, a.tps.top));
    dots += fmt::format("    <circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", xs[k], b.y(*p.decode_tps, a.tps.top),
                        k_blue);
  }
  return fmt::format(
      "  <polyline class=\"memory\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n"
      "  <polyline class=\"decode-tps\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\" points=\"{}\"/>\n"
      "  <g class=\"decode-tps-points\">\n{}  </g>\n",
      k_orange, memory, k_blue, speed, dots);
}

std::vector<svg::LegendEntry> legend(const CurveReport& r, bool models) {
  std::vector<svg::LegendEntry> l = {
      {fmt::format("<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"{}\" stroke-width=\"2.5\"/>", k_blue), "decode tokens/s"},
      {fmt::format("<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"{}\" stroke-width=\"2\"/>", k_orange),
       "device memory needed"},
      {fmt::format("<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"8,5\"/>",
                   k_red),
       "device budget, " + format_gib(r.budget.device_bytes)}};
  if (models) {
    l.push_back({fmt::format("<rect x=\"0\" y=\"-6\" width=\"24\" height=\"12\" fill=\"{}\" fill-opacity=\"0.12\"/>", k_red),
                 "spills to host RAM"});
    l.push_back({"<path d=\"M8,-4 l8,8 m0,-8 l-8,8\" stroke=\"#777777\" stroke-width=\"1.5\"/>", "does not run"});
  }
  return l;
}

// The rotated titles of both y axes, centred on the plot areas from `top` to `bottom`.
std::string axis_titles(double width, double top, double bottom) {
  return fmt::format(
      "  <text id=\"y-label\" transform=\"rotate(-90)\" x=\"{0:.1f}\" y=\"{1:.1f}\" text-anchor=\"middle\" fill=\"{2}\">decode "
      "tokens/s</text>\n"
      "  <text id=\"y2-label\" transform=\"rotate(90)\" x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"middle\" fill=\"{5}\">device "
      "memory needed (GiB)</text>\n",
      -(top + bottom) / 2, k_margin + 14, k_blue, (top + bottom) / 2, -(width - k_margin - 10), k_orange);
}

std::string subtitle(const CurveReport& r) {
  return fmt::format("Predicted by fitcheck: decode tokens/s with {} tokens in the context, device memory needed",
                     r.speed.limits.fill);
}

// The x axis title under plot areas from `left` to `right`, wrapped to their width, from baseline `y`; `y`
// moves to its last baseline.
std::string x_label(const std::string& text, double left, double right, double& y) {
  const auto lines = svg::wrap(text, right - left, k_body);
  std::string s = svg::text_block(lines, (left + right) / 2, y, 17, "id=\"x-label\" text-anchor=\"middle\"");
  y += 17.0 * static_cast<double>(lines.size() - 1);
  return s;
}

// -- over context --------------------------------------------------------------------------------------------

std::string context_svg(const CurveReport& r) {
  const Curve& c = r.curve;
  const Axes a = axes_for(r, 5);
  const Margins m = margins_for(a);
  const double width = 900;
  const CurvePoint& first = c.points.front();
  const svg::Header h = svg::header({curve_title(r), subtitle(r), legend(r, false)}, m.left, width - k_margin);
  const Box b{m.left, width - m.right, h.bottom + 20, h.bottom + 380};
  const std::size_t n = c.points.size();
  const double lo = std::log2(static_cast<double>(first.context));
  const double hi = std::log2(static_cast<double>(c.points.back().context));
  std::vector<double> xs;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = hi > lo ? (std::log2(static_cast<double>(c.points[i].context)) - lo) / (hi - lo) : 0.5;
    xs.push_back(b.left + (b.right - b.left) * t);
    idx.push_back(i);
  }
  std::string s = h.svg;
  if (c.spill_start) {
    const double x = *c.spill_start == 0 ? b.left : (xs[*c.spill_start - 1] + xs[*c.spill_start]) / 2;
    const char* const label = "spills to host RAM";
    // The label sits right of the marker, or left of it where it would pass the plot's edge.
    const bool right = x + 6 + svg::text_width(label, k_body) <= b.right - 4;
    s += fmt::format(
        "  <g id=\"spill\"><rect x=\"{0:.1f}\" y=\"{1:.1f}\" width=\"{2:.1f}\" height=\"{3:.1f}\" fill=\"{4}\" "
        "fill-opacity=\"0.07\"/><line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{5:.1f}\" stroke=\"{4}\" "
        "stroke-dasharray=\"2,3\"/><text x=\"{6:.1f}\" y=\"{7:.1f}\" fill=\"{4}\" text-anchor=\"{8}\">{9}</text></g>\n",
        x, b.top, b.right - x, b.bottom - b.top, k_red, b.bottom, right ? x + 6 : x - 6, b.top + 16, right ? "start" : "end",
        label);
  }
  s += "  <g id=\"axes\">\n" + frame(b, a, true, "budget " + format_gib(r.budget.device_bytes)) + "  </g>\n";
  s += "  <g id=\"x-ticks\" fill=\"#333333\">\n";
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 4 != 0 && i + 1 != n) continue;
    s += fmt::format("    <text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", xs[i], b.bottom + 20,
                     format_context(c.points[i].context));
  }
  s += "  </g>\n  <g id=\"series\">\n" + series(r, idx, xs, b, a) + "  </g>\n";
  double label_y = b.bottom + 45;
  s += x_label("context (tokens, log scale)", b.left, b.right, label_y);
  s += axis_titles(width, b.top, b.bottom);
  return svg::document(width, label_y + 5 + k_margin, s);
}

// -- over models ---------------------------------------------------------------------------------------------

// The points of one model, in the curve's order (smallest device footprint first).
struct Group {
  std::string model;
  std::vector<std::size_t> idx;
};
std::vector<Group> groups_of(const Curve& c) {
  std::vector<Group> groups;
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.model == c.points[i].model; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{c.points[i].model, {}});
    g->idx.push_back(i);
  }
  return groups;
}

// "gemma-4-12b: 10 of 15 presets fit in device memory, the largest Q5_K_M at 18.8 tokens/s"
std::string panel_heading(const Curve& c, const Group& g) {
  std::size_t fit = 0;
  const CurvePoint* largest = nullptr;  // the points come smallest footprint first
  for (const std::size_t i : g.idx) {
    if (!c.points[i].resident) continue;
    ++fit;
    largest = &c.points[i];
  }
  if (largest == nullptr) return fmt::format("{}: none of {} presets fits in device memory", g.model, g.idx.size());
  std::string s =
      fmt::format("{}: {} of {} presets fit in device memory, the largest {}", g.model, fit, g.idx.size(), largest->quant);
  return largest->decode_tps ? s + fmt::format(" at {} tokens/s", format_tps(*largest->decode_tps)) : s;
}

// One panel from `y` down: heading, plot area with the spill shading, the series and the preset names under
// it; `y` moves below the panel.
struct Columns {
  double left;   // the plot area's left edge
  double slot;   // px a preset
  double width;  // the plot area's width
};
std::string panel(const CurveReport& r, const Group& g, const Columns& cols, double& y) {
  const double left = cols.left, slot = cols.slot;
  const auto lines = svg::wrap(panel_heading(r.curve, g), cols.width, {13, true});
  std::string s = fmt::format("  <g id=\"panel-{}\" class=\"panel\">\n", xml_escape(g.model));
  s += svg::text_block(lines, left, y, 17, "class=\"panel-title\" font-weight=\"bold\"");
  const double top = y + 17.0 * static_cast<double>(lines.size()) - 4;
  const Box b{left, left + cols.width, top, top + 110};
  y = b.bottom + 50;
  std::vector<double> xs;
  for (std::size_t k = 0; k < g.idx.size(); ++k) xs.push_back(b.left + slot * (static_cast<double>(k) + 0.5));
  // Shading behind the presets that spill, one rectangle per run of neighbours.
  for (std::size_t k = 0; k < g.idx.size();) {
    if (r.curve.points[g.idx[k]].resident) {
      ++k;
      continue;
    }
    std::size_t end = k;
    while (end < g.idx.size() && !r.curve.points[g.idx[end]].resident) ++end;
    s += fmt::format(
        "  <rect class=\"spill\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
        "fill-opacity=\"0.12\"/>\n",
        b.left + slot * static_cast<double>(k), b.top, slot * static_cast<double>(end - k), b.bottom - b.top, k_red);
    k = end;
  }
  const Axes a = axes_for(r, 3);
  s += frame(b, a, false, "") + series(r, g.idx, xs, b, a);
  s += "  <g class=\"x-ticks\" fill=\"#333333\" font-size=\"11\">";
  for (std::size_t k = 0; k < g.idx.size(); ++k) {
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", xs[k], b.bottom + 15,
                     xml_escape(r.curve.points[g.idx[k]].quant));
  }
  return s + "</g>\n  </g>\n";
}

std::string models_svg(const CurveReport& r) {
  const Curve& c = r.curve;
  const std::vector<Group> groups = groups_of(c);
  const Margins m = margins_for(axes_for(r, 3));
  // A slot per preset, wide enough for the widest preset name; the plot at least 600 px wide.
  double slot = 0;
  std::size_t most = 1;
  for (const CurvePoint& p : c.points) slot = std::max(slot, svg::text_width(p.quant, k_small) + 10);
  for (const Group& g : groups) most = std::max(most, g.idx.size());
  slot = std::max(slot, 600.0 / static_cast<double>(most));
  const double plot = slot * static_cast<double>(most);
  const double width = std::ceil(m.left + plot + m.right);
  const svg::Header h = svg::header({curve_title(r), subtitle(r), legend(r, true)}, m.left, width - k_margin);
  std::string s = h.svg;
  double y = h.bottom + 30;
  const double top = y;
  for (const Group& g : groups) s += panel(r, g, {m.left, slot, plot}, y);
  s += axis_titles(width, top, y - 50);
  y -= 10;
  s += x_label("weight preset, smallest device footprint first; one panel a model, all on the same scales", m.left, m.left + plot,
               y);
  return svg::document(width, y + k_margin, s);
}

}  // namespace

std::string svg_curve(const CurveReport& r) {
  if (r.curve.points.empty()) return svg::document(900, 100, "");
  return r.curve.over == CurveAxis::context ? context_svg(r) : models_svg(r);
}

}  // namespace fitcheck::cli

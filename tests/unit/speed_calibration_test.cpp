// The speed model against public measurements (tests/data/speed/measurements.csv, sources in its README), with
// the real catalog. tests/data/speed/catalog_map.csv names each row's catalog model, weights, hardware profile,
// KV type, ubatch, decode fill, prefill depth (cells cached before the timed prompt) and host RAM bandwidth, or
// why the row is left out.
//
// The split is fixed by the file's order: within each backend, full-GPU and partial-offload rows apart and dense
// and MoE models apart (so that each factor has rows to fit on), the 1st, 3rd, 5th... used row fits the factors
// and the 2nd, 4th... is held out. The fit (below) is a grid search that minimises the sum of squared log
// errors: per GPU backend e (bandwidth efficiency), c (us per layer) and c_moe (us more per MoE layer) on its
// full-GPU decode rows, with its read cap per compute unit where it has one (CUDA: GB/s per SM per GHz); then the host's e and c
// ("cpu") on the CPU and partial-offload decode rows with the device factors fixed; then per backend the compute efficiency of
// dense FLOPs and of routed-expert FLOPs together on its full-GPU prefill rows, then on the same rows one at a time with the rest
// fixed its expert-tile efficiency (CUDA), its efficiency for unquantized weights (CUDA, ROCm) and its attention efficiency; then
// PCIe efficiency on partial-offload prefill rows. The catalog holds the fixed point of these steps. data/runtimes.json must hold
// what the fit gives.
//
// FITCHECK_SPEED_TABLE=FILE writes the table of every row (README "Calibration") to FILE.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <iomanip>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "fitcheck/budget.hpp"
#include "fitcheck/speed.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

struct Point {
  std::string id;
  std::string backend;
  std::string skip;     // why the row is left out; empty when used
  bool mapped = false;  // used, or left out with a model, weights and a profile or host bandwidth (its prediction is shown)
  std::string source;   // the measurement's public source (its first URL)
  bool partial = false;
  bool moe = false;
  bool fit = false;  // fits the factors (else held out)
  bool use_prefill = false;
  double decode = 0;  // measured tokens/s; 0 when not measured
  double prefill = 0;
  LayerTable table;
  Placement placement;
  DecodeWork work;    // of one token at `fill`
  Hardware hardware;  // a host-only stand-in for the cpu backend
  double host_gbs = 0;
  std::uint64_t fill = 0;
  std::uint64_t context = 0;
  std::uint64_t ubatch = 0;         // -ub
  std::uint64_t prompt = 0;         // the prompt's tokens (one ubatch where the source does not say)
  std::uint64_t prefill_depth = 0;  // cells already cached when the prompt is timed (llama-bench -d)
};

double number(const std::string& text) { return text.empty() ? 0 : std::stod(text); }

Placement placement_of(const LayerTable& t, const test::CsvRow& m) {
  if (m.at("backend") == "cpu") return {0, 0};
  Placement p = all_on_gpu(t);
  const std::string& ngl = m.at("ngl");
  if (!ngl.empty() && ngl != "all") p.gpu_layers = std::min<std::uint64_t>(std::stoull(ngl), t.layers.size());
  if (!m.at("n_cpu_moe").empty()) p.cpu_moe_layers = std::stoull(m.at("n_cpu_moe"));
  return p;
}

void prepare(Point& p, const test::CsvRow& m, const test::CsvRow& map) {
  const Catalog& c = builtin_catalog();
  const Model& model = c.find_model(map.at("model"));
  const Preset* preset = c.weights_named(map.at("weights"));
  if (preset == nullptr) throw std::runtime_error(p.id + ": no weights " + map.at("weights"));
  Settings s = default_settings(c.default_runtime());
  s.kv_type_k = s.kv_type_v = map.at("kv");
  s.backend = parse_backend(p.backend);
  p.fill = static_cast<std::uint64_t>(number(map.at("fill")));
  s.context = std::min<std::uint64_t>(std::max<std::uint64_t>(4096, p.fill + 256), model.max_context);
  s.ubatch = static_cast<std::uint64_t>(number(map.at("ubatch")));
  p.context = s.context;
  p.ubatch = s.ubatch;
  p.prompt = m.at("prefill_tokens").empty() ? s.ubatch : std::stoull(m.at("prefill_tokens"));
  p.prefill_depth = static_cast<std::uint64_t>(number(map.at("prefill_depth")));
  p.table = layer_table(c, model, plan_weights(c, model, *preset, c.default_runtime()), s);
  // A decode timed over a prompt's single-token steps (llama-bench -ub 1) computes the logits of the prompt's last
  // token only: its steps do not read the output layer, which Gemma 4 ties to the embeddings (the device copy).
  if (map.at("logits") == "last") {
    if (p.table.output_copy == 0) throw std::runtime_error(p.id + ": logits 'last' needs an output layer tied to the embeddings");
    p.table.output -= p.table.output_copy;
  }
  p.placement = placement_of(p.table, m);
  p.moe = model.is_moe();
  p.work = decode_work(p.table, p.placement, p.fill);
  p.partial = p.placement.gpu_layers < p.table.layers.size() || p.placement.cpu_moe_layers > 0;
  if (p.backend == "cpu") p.partial = false;
  if (!map.at("hardware").empty()) p.hardware = c.find_hardware(map.at("hardware"));
  p.host_gbs = number(map.at("host_gbs"));
  // Prefill is predicted where the profile has an FP16 figure (README: Apple publishes none for M3 and later).
  p.use_prefill = map.at("prefill") == "yes" && p.prefill > 0 && p.hardware.fp16_tflops > 0;
}

std::vector<Point> load_points() {
  std::map<std::string, test::CsvRow> maps;
  for (const test::CsvRow& r : test::csv_rows("speed/catalog_map.csv")) maps[r.at("id")] = r;
  std::vector<Point> points;
  std::map<std::string, int> seen;  // used rows per class, for the alternating split
  for (const test::CsvRow& m : test::csv_rows("speed/measurements.csv")) {
    Point p;
    p.id = m.at("id");
    p.backend = m.at("backend");
    const test::CsvRow& map = maps.at(p.id);
    p.skip = map.at("skip");
    p.source = m.at("source").substr(0, m.at("source").find(' '));
    p.decode = map.at("decode") == "no" ? 0 : number(m.at("decode_tps"));
    p.prefill = number(m.at("prefill_tps"));
    // A CPU row's device is its host RAM bandwidth (host_gbs), not a profile.
    const bool has_device = !map.at("hardware").empty() || (p.backend == "cpu" && !map.at("host_gbs").empty());
    p.mapped = p.skip.empty() || (!map.at("model").empty() && !map.at("weights").empty() && has_device);
    if (p.mapped) prepare(p, m, map);
    if (p.skip.empty()) p.fit = seen[p.backend + (p.partial ? "/partial" : "") + (p.moe ? "/moe" : "")]++ % 2 == 0;
    points.push_back(std::move(p));
  }
  return points;
}

const std::vector<Point>& points() {
  static const std::vector<Point> all = load_points();
  return all;
}

// The factors the fit varies, over the catalog's for the rest.
struct Factors {
  std::map<std::string, BackendSpeed> backends;
  double pcie_efficiency = 1;
};

Factors catalog_factors() {
  const Catalog& c = builtin_catalog();
  Factors f;
  for (const BackendSpeed& b : c.backend_speeds) f.backends[b.id] = b;
  f.pcie_efficiency = c.host.pcie_efficiency;
  return f;
}

SpeedParams params(const Point& p, const Factors& f) {
  const Catalog& c = builtin_catalog();
  SpeedParams sp = speed_params(c, p.hardware, parse_backend(p.backend), p.host_gbs);
  const BackendSpeed& host = f.backends.at("cpu");
  sp.host_efficiency = host.bandwidth_efficiency;
  sp.host_layer_overhead_us = host.layer_overhead_us;
  if (p.backend != "cpu") set_device_factors(sp, f.backends.at(p.backend), p.hardware);
  sp.pcie_efficiency = f.pcie_efficiency;
  return sp;
}

Speed predict(const Point& p, const Factors& f) {
  return estimate_speed(p.table, p.placement, params(p, f), p.fill, p.context, p.ubatch);
}

PrefillWork prompt_of(const Point& p) { return prompt_work(p.table, p.placement, p.ubatch, p.prefill_depth, p.prompt); }

// The row's prompt (its tokens onto its depth, ubatch after ubatch) in tokens/s; 0 without an FP16 figure.
double predict_prefill(const Point& p, const Factors& f) {
  const SpeedParams sp = params(p, f);
  if (sp.device_tflops <= 0) return 0;
  return static_cast<double>(p.prompt) / prefill_time(prompt_of(p), sp).total();
}

double log_error(double predicted, double measured) { return predicted > 0 ? std::log(predicted / measured) : 1e9; }

// Sum of squared log errors of the rows `take` selects, for decode or prefill.
double loss(const Factors& f, const std::function<bool(const Point&)>& take, bool prefill) {
  double sum = 0;
  for (const Point& p : points()) {
    // Decode deeper than 32K reads a cache whose attention cost the model holds as bytes alone: those rows
    // are reported, not fitted.
    if (!p.skip.empty() || !p.fit || !take(p) || (!prefill && p.fill > 32768)) continue;
    const double e = prefill ? log_error(predict_prefill(p, f), p.prefill) : log_error(predict(p, f).decode_tps, p.decode);
    sum += e * e;
  }
  return sum;
}

struct Grid {
  double from, to, step;
};

// The best value of `set` on the grid; std::nullopt when no row is selected (the loss stays 0).
std::optional<double> search(Factors& f, const Grid& g, const std::function<void(Factors&, double)>& set,
                             const std::function<double(const Factors&)>& cost) {
  const Factors before = f;
  double best = 0, best_cost = 0;
  bool any = false;
  for (double v = g.from; v <= g.to + 1e-9; v += g.step) {
    set(f, v);
    const double cst = cost(f);
    if (!any || cst < best_cost) best = v, best_cost = cst;
    any = true;
  }
  if (best_cost == 0) {
    f = before;  // no rows: the catalog's value stays
    return std::nullopt;
  }
  set(f, best);
  return best;
}

const Grid k_efficiency{0.20, 1.00, 0.01};
// Efficiencies that may sit far below the bandwidth's: the routed experts', unquantized weights', attention's.
const Grid k_low_efficiency{0.02, 1.00, 0.01};
const Grid k_overhead_us{0, 1000, 4};
const Grid k_moe_overhead_us{0, 400, 4};
const Grid k_prefill_overhead_us{0, 4000, 25};
const Grid k_tile_efficiency{0.05, 8.00, 0.05};  // above 1: mmq multiplies int8, past the FP16 figure
const Grid k_unit_read_coarse{1.0, 20.0, 1.0};   // GB/s per compute unit per GHz
const double k_unit_read_fine_step = 0.05;

// Rows whose decode a fit uses: fit rows up to 32K of context (decode deeper than 32K reads a cache whose
// attention cost the model holds as bytes alone: those rows are reported, not fitted).
bool fits_decode(const Point& p) { return p.skip.empty() && p.fit && p.decode > 0 && p.fill <= 32768; }

int steps(const Grid& g) { return static_cast<int>(std::lround((g.to - g.from) / g.step)); }

// The point of least `cost` on the grid outer x middle x inner; the outer grid cut to its first value unless
// `vary_outer`.
std::array<double, 3> least_on_grid(const Grid& outer, const Grid& middle, const Grid& inner,
                                    const std::function<double(double, double, double)>& cost, bool vary_outer = true) {
  std::array<double, 3> at{};
  double best = -1;
  for (int io = 0; io <= (vary_outer ? steps(outer) : 0); ++io) {
    const double o = outer.from + io * outer.step;
    for (int im = 0; im <= steps(middle); ++im) {
      const double m = middle.from + im * middle.step;
      for (int ii = 0; ii <= steps(inner); ++ii) {
        const double i = inner.from + ii * inner.step;
        const double c = cost(o, m, i);
        if (best < 0 || c < best) best = c, at = {o, m, i};
      }
    }
  }
  return at;
}

// A full-GPU row's decode terms: seconds per token are max(read_s / e, cap_s) + (layers x c + moe_layers x c_moe) x
// clock_scale x 1e-6, with read_s its device bytes at the spec bandwidth, cap_s at its compute units' read cap
// (0 without one) and clock_scale the backend's overhead clock over the profile's boost clock (decode_time: the test
// DecodeTermsAreDecodeTime checks the two agree).
struct DecodeTerms {
  double read_s, cap_s, layers, moe_layers, clock_scale;
  double seconds(double e, double c, double cm) const {
    return std::max(read_s / e, cap_s) + (layers * c * clock_scale + moe_layers * cm) * 1e-6;
  }
};

DecodeTerms decode_terms(const Point& p, const Factors& f) {
  BackendSpeed unit = f.backends.at(p.backend);
  unit.layer_overhead_us = 1;  // set_device_factors scales it by the clock: the scale
  SpeedParams sp = params(p, f);
  set_device_factors(sp, unit, p.hardware);
  const double bytes = p.work.device_bytes;
  return {bytes / (sp.device_bandwidth_gbs * 1e9), sp.device_read_cap_gbs > 0 ? bytes / (sp.device_read_cap_gbs * 1e9) : 0,
          static_cast<double>(p.work.device_layers), static_cast<double>(p.work.device_moe_layers), sp.layer_overhead_us};
}

// e, c and c_moe of one GPU backend on its full-GPU decode rows, its read cap per compute unit fixed; the whole
// grid is searched on the closed form (DecodeTerms).
struct DeviceGrids {
  Grid c, cm, e;
};
const DeviceGrids k_device_grids{k_overhead_us, k_moe_overhead_us, k_efficiency};

void fit_device(Factors& f, const std::string& id, const DeviceGrids& g = k_device_grids) {
  std::vector<std::pair<DecodeTerms, double>> rows;  // terms, measured tokens/s
  for (const Point& p : points())
    if (fits_decode(p) && p.backend == id && !p.partial) rows.emplace_back(decode_terms(p, f), p.decode);
  if (rows.empty()) return;  // no rows: the catalog's values stay
  const auto [c, cm, e] = least_on_grid(g.c, g.cm, g.e, [&](double c, double cm, double e) {
    double sum = 0;
    for (const auto& [terms, measured] : rows) {
      const double err = log_error(1.0 / terms.seconds(e, c, cm), measured);
      sum += err * err;
    }
    return sum;
  });
  BackendSpeed& b = f.backends[id];
  b.bandwidth_efficiency = e, b.layer_overhead_us = c, b.moe_layer_overhead_us = cm;
}

// The loss of a GPU backend's full-GPU decode fit rows.
double device_loss(const Factors& f, const std::string& id) {
  return loss(
      f, [&id](const Point& p) { return p.backend == id && !p.partial && p.decode > 0; }, false);
}

// The grid `g` cut to within `half` of `centre`.
Grid around(const Grid& g, double centre, double half) {
  return {std::max(g.from, centre - half), std::min(g.to, centre + half), g.step};
}

// e, c and c_moe of a GPU backend together with its read cap per compute unit where it has one (unit_read_gbs above
// 0 in the catalog: CUDA, whose profiles give their SMs and clocks), the four of least loss on the same rows: for
// each cap from 1 to 20 GB/s per SM-GHz by 1 the best e, c and c_moe on grids twice as coarse, then for each cap
// within 1 of the best by 0.05 the best on the fine grids within 4 steps of the coarse best.
void fit_device_and_cap(Factors& f, const std::string& id) {
  if (f.backends[id].unit_read_gbs <= 0) return fit_device(f, id);
  Factors best = f;
  double best_loss = -1;
  const auto try_cap = [&](double cap, const DeviceGrids& grids) {
    Factors x = f;
    x.backends[id].unit_read_gbs = cap;
    fit_device(x, id, grids);
    const double l = device_loss(x, id);
    if (best_loss < 0 || l < best_loss) best = x, best_loss = l;
  };
  const DeviceGrids coarse{{k_overhead_us.from, k_overhead_us.to, 2 * k_overhead_us.step},
                           {k_moe_overhead_us.from, k_moe_overhead_us.to, 2 * k_moe_overhead_us.step},
                           {k_efficiency.from, k_efficiency.to, 2 * k_efficiency.step}};
  for (int i = 0; i <= steps(k_unit_read_coarse); ++i) try_cap(k_unit_read_coarse.from + i * k_unit_read_coarse.step, coarse);
  const BackendSpeed at = best.backends[id];
  const DeviceGrids fine{around(k_overhead_us, at.layer_overhead_us, 4 * k_overhead_us.step),
                         around(k_moe_overhead_us, at.moe_layer_overhead_us, 4 * k_moe_overhead_us.step),
                         around(k_efficiency, at.bandwidth_efficiency, 4 * k_efficiency.step)};
  best_loss = -1;
  for (int i = -20; i <= 20; ++i) try_cap(at.unit_read_gbs + i * k_unit_read_fine_step, fine);
  f = best;
}

bool full_gpu_prefill(const Point& p, const std::string& id) { return p.backend == id && !p.partial && p.use_prefill; }

// e_compute, e_expert and the fixed time per layer per ubatch of one GPU backend, together on its full-GPU
// prefill rows. A row's seconds per prompt are dense / e_compute + routed / e_expert + read + attention + layers x
// c_p x 1e-6, with dense and routed its FLOPs at the quantized rate, read its device weights at the decode fit's
// efficiency, and attention, empty tile columns and unquantized weights their FLOPs at their own efficiencies (held
// fixed here; prefill_time: the test
// PrefillTermsArePrefillTime checks the two agree), so the whole grid is searched. c_p and the efficiencies are told apart only
// by rows of different ubatch sizes: where every row has one size, c_p stays 0.
void fit_prefill(Factors& f, const std::string& id) {
  struct Terms {
    double dense_s, routed_s, other_s, layers, tokens, measured;
  };
  std::vector<Terms> rows;
  std::set<std::uint64_t> sizes;
  for (const Point& p : points()) {
    if (!p.skip.empty() || !p.fit || !full_gpu_prefill(p, id)) continue;
    const SpeedParams sp = params(p, f);
    const PrefillWork w = prompt_of(p);
    const PrefillTime t = prefill_time(w, sp);
    const double flops = sp.quantized_tflops * 1e12;
    const double tile_and_float_s =
        w.tile_flops / (flops * sp.tile_efficiency) + w.float_flops / (sp.device_tflops * 1e12 * sp.float_efficiency);
    rows.push_back({w.dense_flops / flops, w.routed_flops / flops, t.read_s + t.pcie_s + t.attention_s + tile_and_float_s,
                    static_cast<double>(w.layers), static_cast<double>(p.prompt), p.prefill});
    sizes.insert(std::min(p.ubatch, p.prompt));
  }
  if (rows.empty()) return;  // no rows: the catalog's values stay
  const auto cost = [&](double c, double ex, double e) {
    double sum = 0;
    for (const Terms& r : rows) {
      const double err = log_error(r.tokens / (r.dense_s / e + r.routed_s / ex + r.other_s + r.layers * c * 1e-6), r.measured);
      sum += err * err;
    }
    return sum;
  };
  const auto [c, ex, e] = least_on_grid(k_prefill_overhead_us, k_low_efficiency, k_efficiency, cost, sizes.size() > 1);
  BackendSpeed& b = f.backends[id];
  b.compute_efficiency = e, b.moe_compute_efficiency = ex, b.prefill_layer_overhead_us = c;
}

// One prefill factor of a GPU backend on its full-GPU prefill rows, the other prefill factors fixed.
void fit_prefill_factor(Factors& f, const std::string& id, const Grid& grid, double BackendSpeed::*factor) {
  search(
      f, grid, [&id, factor](Factors& x, double v) { x.backends[id].*factor = v; },
      [&id](const Factors& x) {
        return loss(
            x, [&id](const Point& p) { return full_gpu_prefill(p, id); }, true);
      });
}

// The backends whose batched mat-mul of unquantized weights (F16, BF16) takes another path than that of quantized
// ones: ggml-cuda hands them to cuBLAS / hipBLAS(Lt) and quantized ones to its own mmq kernels; Vulkan, on a device
// without bf16 support (the Strix Halo's RADV logs: bf16: 0), multiplies BF16 without its cooperative-matrix
// shaders (the 31B BF16 prefills 2.2x slower than its Q4 file there). Metal runs both through the same tiled
// shaders, dequantizing into them: there the catalog's float_efficiency is the compute_efficiency
// (CatalogHoldsTheFit checks).
const std::set<std::string> k_own_float_path = {"cuda", "rocm", "vulkan"};

// Whether float_efficiency is fitted for the backend: a k_own_float_path one with fit rows of BF16 or F16 files (a
// quantized file's few F32 matrices, the MoE router, do not tell it).
bool fits_float(const std::string& id) {
  if (k_own_float_path.count(id) == 0) return false;
  for (const Point& p : points())
    if (p.skip.empty() && p.fit && full_gpu_prefill(p, id) && p.table.float_params * 2 > p.table.matmul_params) return true;
  return false;
}

// After fit_prefill, one at a time: the efficiency of the empty columns of the experts' tiles where the backend has
// a tile (CUDA: the ubatch sweep tells it, a 128-token ubatch giving each of 128 experts 8 tokens in a 128-wide
// tile); that of dense weights stored unquantized where fits_float (elsewhere the catalog holds the
// compute_efficiency); the attention's (the rows at depth and the long prompts tell it: at depth 0 a 512-token
// ubatch spends ~2% of its FLOPs on attention).
void fit_prefill_factors(Factors& f, const std::string& id) {
  if (f.backends[id].expert_tile_tokens != 0) fit_prefill_factor(f, id, k_tile_efficiency, &BackendSpeed::tile_efficiency);
  if (fits_float(id)) fit_prefill_factor(f, id, k_low_efficiency, &BackendSpeed::float_efficiency);
  fit_prefill_factor(f, id, k_low_efficiency, &BackendSpeed::attention_efficiency);
}

using Setter = std::function<void(Factors&, double)>;

// Two factors fitted together: for each value of the outer one on its grid the best inner one, the pair of
// least loss on the rows `take` selects (decode or prefill).
void fit_two(Factors& f, const Grid& outer, const Setter& set_outer, const Grid& inner, const Setter& set_inner,
             const std::function<bool(const Point&)>& take, bool prefill) {
  const Factors before = f;
  double best = -1, best_outer = 0, best_inner = 0;
  for (double v = outer.from; v <= outer.to + 1e-9; v += outer.step) {
    set_outer(f, v);
    const auto in = search(f, inner, set_inner, [&](const Factors& x) { return loss(x, take, prefill); });
    if (!in) {
      f = before;  // no rows: the catalog's values stay
      return;
    }
    const double l = loss(f, take, prefill);
    if (best < 0 || l < best) best = l, best_outer = v, best_inner = *in;
  }
  set_outer(f, best_outer);
  set_inner(f, best_inner);
}

const std::map<std::string, double> k_target = {
    {"decode full", 0.20}, {"decode cpu", 0.20}, {"decode offload", 0.35}, {"decode offload deep", 0.35}, {"prefill", 0.30}};

const std::vector<std::string> k_gpu_backends = {"cuda", "rocm", "vulkan", "metal"};

Factors fit() {
  Factors f = catalog_factors();
  for (const std::string& b : k_gpu_backends) fit_device_and_cap(f, b);
  // The host's e and c on the CPU-only and partial-offload rows.
  fit_two(
      f, k_overhead_us, [](Factors& x, double v) { x.backends["cpu"].layer_overhead_us = v; }, k_efficiency,
      [](Factors& x, double v) { x.backends["cpu"].bandwidth_efficiency = v; },
      [](const Point& p) { return (p.backend == "cpu" || p.partial) && p.decode > 0; }, false);
  // Per backend the compute efficiencies (dense and routed-expert FLOPs) and the fixed per-ubatch time.
  for (const std::string& b : k_gpu_backends) {
    fit_prefill(f, b);
    fit_prefill_factors(f, b);
  }
  search(
      f, k_efficiency, [](Factors& x, double v) { x.pcie_efficiency = v; },
      [](const Factors& x) {
        return loss(
            x, [](const Point& p) { return p.partial && p.use_prefill; }, true);
      });
  return f;
}

struct Row {
  const Point* point;
  double decode = 0, prefill = 0;  // predicted; 0 when not predicted
};

std::vector<Row> rows() {
  std::vector<Row> out;
  const Factors f = catalog_factors();
  for (const Point& p : points()) {
    Row r{&p};
    if (p.mapped) {
      const Speed s = predict(p, f);
      r.decode = p.decode > 0 ? s.decode_tps : 0;
      r.prefill = p.use_prefill ? predict_prefill(p, f) : 0;
    }
    out.push_back(r);
  }
  return out;
}

double error(double predicted, double measured) { return predicted / measured - 1; }

std::string percent(double e) {
  std::ostringstream o;
  o << std::showpos << std::fixed << std::setprecision(1) << e * 100 << "%";
  return o.str();
}

std::string fixed(double v) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(v < 100 ? 2 : 0) << v;
  return o.str();
}

// A source's short name: owner/repo#N for a GitHub issue or pull request, owner/repo and the file name for a
// file in a repository, else the site.
std::string source_label(const std::string& url) {
  const std::string gh = "https://github.com/";
  std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  if (url.rfind(gh, 0) != 0) return rest.substr(0, rest.find('/')).substr(rest.rfind("www.", 0) == 0 ? 4 : 0);
  rest = url.substr(gh.size());
  const std::size_t repo_end = rest.find('/', rest.find('/') + 1);
  const std::string repo = rest.substr(0, repo_end);
  const std::string tail = repo_end == std::string::npos ? "" : rest.substr(repo_end + 1);
  const std::string kind = tail.substr(0, tail.find('/'));
  if (kind == "pull" || kind == "issues") return repo + "#" + tail.substr(kind.size() + 1);
  return repo + " " + tail.substr(tail.rfind('/') + 1);
}

std::string table_row(const Row& r) {
  const Point& p = *r.point;
  std::ostringstream o;
  o << "| " << p.id << " | [" << source_label(p.source) << "](" << p.source << ") | " << p.backend
    << (p.partial ? " (offload)" : "") << " | ";
  o << (p.skip.empty() ? (p.fit ? "fit" : "held out") : "left out: " + p.skip) << " | ";
  if (r.decode > 0) o << fixed(p.decode) << " / " << fixed(r.decode) << " (" << percent(error(r.decode, p.decode)) << ")";
  o << " | ";
  if (r.prefill > 0) o << fixed(p.prefill) << " / " << fixed(r.prefill) << " (" << percent(error(r.prefill, p.prefill)) << ")";
  return o.str() + " |\n";
}

// Held-out errors by class: the largest |error| and the count.
struct Summary {
  double worst = 0;
  int count = 0;
  double sum_abs = 0;
  void add(double e) { worst = std::max(worst, std::abs(e)), ++count, sum_abs += std::abs(e); }
};

}  // namespace

// No measurement is used twice (two rows of one run, from two sources or two sessions, would count it twice in the
// fit or the held-out errors): used rows differ in their model, profile, placement or measured figures, whatever
// their mapping's choices (weights, KV type, fill).
TEST(SpeedCalibration, NoMeasurementIsUsedTwice) {
  std::map<std::string, std::string> seen;  // key: the first row's id
  const auto maps = test::csv_rows("speed/catalog_map.csv");
  std::map<std::string, test::CsvRow> map_of;
  for (const test::CsvRow& r : maps) map_of[r.at("id")] = r;
  for (const test::CsvRow& m : test::csv_rows("speed/measurements.csv")) {
    const test::CsvRow& map = map_of.at(m.at("id"));
    if (!map.at("skip").empty()) continue;
    const std::string key = map.at("model") + "|" + map.at("hardware") + "|" + m.at("ngl") + "|" + m.at("n_cpu_moe") + "|" +
                            m.at("decode_tps") + "|" + m.at("prefill_tps");
    const auto [it, fresh] = seen.emplace(key, m.at("id"));
    EXPECT_TRUE(fresh) << m.at("id") << " repeats " << it->second;
  }
  EXPECT_GE(seen.size(), 60U);
}

TEST(SpeedCalibration, EveryRowIsUsedOrHasAReason) {
  int used = 0;
  for (const Point& p : points()) used += p.skip.empty() ? 1 : 0;
  EXPECT_EQ(points().size(), 243U);  // the rows of measurements.csv
  EXPECT_GE(used, 60);
}

TEST(SpeedCalibration, CatalogHoldsTheFit) {
  const Factors fitted = fit();
  const Factors catalog = catalog_factors();
  for (const auto& [id, b] : fitted.backends) {
    SCOPED_TRACE(id);
    EXPECT_NEAR(catalog.backends.at(id).bandwidth_efficiency, b.bandwidth_efficiency, 0.005);
    EXPECT_NEAR(catalog.backends.at(id).layer_overhead_us, b.layer_overhead_us, 1.0);
    EXPECT_NEAR(catalog.backends.at(id).compute_efficiency, b.compute_efficiency, 0.005);
    EXPECT_NEAR(catalog.backends.at(id).moe_layer_overhead_us, b.moe_layer_overhead_us, 1.0);
    EXPECT_NEAR(catalog.backends.at(id).moe_compute_efficiency, b.moe_compute_efficiency, 0.005);
    EXPECT_NEAR(catalog.backends.at(id).prefill_layer_overhead_us, b.prefill_layer_overhead_us, 1.0);
    EXPECT_NEAR(catalog.backends.at(id).attention_efficiency, b.attention_efficiency, 0.005);
    EXPECT_NEAR(catalog.backends.at(id).tile_efficiency, b.tile_efficiency, 0.005);
    EXPECT_NEAR(catalog.backends.at(id).float_efficiency, b.float_efficiency, 0.005);
    EXPECT_NEAR(catalog.backends.at(id).unit_read_gbs, b.unit_read_gbs, 0.05);
    if (!fits_float(id)) EXPECT_EQ(b.float_efficiency, b.compute_efficiency);
  }
  EXPECT_NEAR(catalog.pcie_efficiency, fitted.pcie_efficiency, 0.005);
  if (std::getenv("FITCHECK_SPEED_TABLE") == nullptr) return;
  for (const auto& [id, b] : fitted.backends)
    std::cout << "fit " << id << ": e " << b.bandwidth_efficiency << ", c " << b.layer_overhead_us << " us, c_moe "
              << b.moe_layer_overhead_us << " us, compute " << b.compute_efficiency << ", expert compute "
              << b.moe_compute_efficiency << ", prefill layer " << b.prefill_layer_overhead_us << " us, attention "
              << b.attention_efficiency << ", tile " << b.tile_efficiency << ", float " << b.float_efficiency << ", unit read "
              << b.unit_read_gbs << "\n";
  std::cout << "fit pcie_efficiency " << fitted.pcie_efficiency << "\n";
}

TEST(SpeedCalibration, HeldOutErrors) {
  std::map<std::string, Summary> by;  // "decode full", "decode offload", "prefill"
  std::map<std::string, Summary> per_backend;
  std::map<std::string, int> within;  // held-out points within the issue's target
  std::set<std::string> backends;
  std::set<std::string> prefill_backends;
  std::ostringstream table;
  table << "| id | source | backend | use | decode tok/s measured / predicted (error) | prefill tok/s measured / predicted "
           "(error) |\n"
        << "|---|---|---|---|---|---|\n";
  for (const Row& r : rows()) {
    table << table_row(r);
    const Point& p = *r.point;
    if (!p.skip.empty() || p.fit) continue;
    if (r.decode > 0) {
      const std::string cls = p.backend == "cpu" ? "decode cpu"
                              : p.partial        ? (p.fill > 32768 ? "decode offload deep" : "decode offload")
                                                 : "decode full";
      by[cls].add(error(r.decode, p.decode));
      within[cls] += std::abs(error(r.decode, p.decode)) <= k_target.at(cls) ? 1 : 0;
      per_backend[p.backend].add(error(r.decode, p.decode));
      backends.insert(p.backend);
    }
    if (r.prefill > 0) {
      by["prefill"].add(error(r.prefill, p.prefill));
      within["prefill"] += std::abs(error(r.prefill, p.prefill)) <= k_target.at("prefill") ? 1 : 0;
      prefill_backends.insert(p.backend);
    }
  }
  table << "\nHeld-out decode error per backend (mean |error|, worst, points):";
  for (const auto& [b, s] : per_backend)
    table << " " << b << " " << percent(s.sum_abs / s.count) << ", " << percent(s.worst) << ", " << s.count << ";";
  table << "\nWithin the target (decode 20% full-GPU and CPU, 35% offload; prefill 30%):";
  for (const auto& [cls, s] : by)
    table << " " << cls << " " << within[cls] << " of " << s.count << " (worst " << percent(s.worst) << ");";
  table << "\n";
  if (const char* path = std::getenv("FITCHECK_SPEED_TABLE")) std::ofstream(path) << table.str();
  int decoded = 0;
  for (const auto& [cls, sum] : by) decoded += cls == "prefill" ? 0 : sum.count;
  EXPECT_GE(decoded, 25);  // the issue's bar: 25 held-out points on at least four backends
  EXPECT_GE(backends.size(), 4U);
  // What is achieved (README "Calibration"): full-GPU decode within 20% on all 54 held-out points (14 of them Strix
  // Halo rows at 8K to 64K of depth, 2 an MI50's, 7 on A100, H100 and H200, which decode within 12% since CUDA's
  // read is capped by the SMs' clock and count and its per-layer time scales with the clock; the M3 Max and V100 rows
  // are left out), now that an MoE layer has its own cost beside the per-layer one and llama-bench's -ub 1 rows
  // (logits "last") are charged without the output layer (the RTX 3090's 26B A4B at 32K of depth -20.8% -> -15.4%).
  // The worst, +19.4%, an RX 7900 XT's E4B under Vulkan (llmfit), since the Radeon 890M's row (a fit row, +26.7%)
  // pulled Vulkan's e 0.85 -> 0.81; on CUDA, an RTX 4090's 31B Q4_K_M (+18.9%).
  // Offload decode to 32K within 35% on every point (worst +19.4%); prefill within 30%
  // on 51 of 53 held-out points on CUDA, ROCm, Vulkan and Metal, prompts of 16 to 32768 tokens onto caches of up
  // to 65536 cells, since the attention over the cache is counted (on ROCm at the shader ALUs' single-issue rate,
  // which RDNA 4 did not double: the R9700's 32K prompts within 2%), on CUDA the experts' tiles, on ROCm BF16
  // weights at their own efficiency (on Vulkan too, whose 31B BF16 rows on a device without bf16 are within 21%),
  // and on an MI50 (no matrix units) quantized weights at its int8 dot-product rate (within 10% to 64K of depth).
  // The misses: the 31B on Strix Halo under Vulkan at 64K of depth, +36.0% and +31.2% (+34.9% and +30.2% before
  // the R9700's Vulkan rows at 4K and 32K joined Vulkan's fit, +37.4% and +32.5% before the Radeon 890M's); its increments
  // of depth grow from 32K to 64K (3.4 then 4.2 ms a token, Q8) where the 26B A4B's do not.
  EXPECT_EQ(within["decode full"], by["decode full"].count);
  EXPECT_GE(by["decode full"].count, 54);
  EXPECT_LE(by["decode full"].worst, 0.20);
  EXPECT_EQ(within["decode offload"], by["decode offload"].count);
  EXPECT_GE(by["decode offload"].count, 5);
  EXPECT_LE(by["decode offload"].worst, 0.20);
  // Decode deeper than 32K with --n-cpu-moe (the RX 9070 XT's q4_0 cache at 115K and 230K): within 35% on every
  // held-out point now that flash attention's f16 copy of a quantized cache is counted (worst +13.0%).
  EXPECT_EQ(within["decode offload deep"], by["decode offload deep"].count);
  EXPECT_GE(by["decode offload deep"].count, 2);
  EXPECT_LE(by["decode offload deep"].worst, 0.14);
  EXPECT_GE(by["prefill"].count, 53);
  EXPECT_GE(within["prefill"], 51);
  EXPECT_LE(by["prefill"].worst, 0.38);
  EXPECT_EQ(prefill_backends, (std::set<std::string>{"cuda", "metal", "rocm", "vulkan"}));
}

// The reason that opens the `skip` of a row left out because decode there is bound by more than bandwidth
// (catalog_map.csv).
const std::string k_not_bandwidth_bound = "decode bound by more than bandwidth";

// A profile's decode_measured_share (data/hardware.json) is the range of measured / predicted decode over the rows
// left out for it: public decode there is bound by more than the bandwidth the model charges (README "Where the
// decode model is known to be wrong"); every such row's profile says so, and another profile only as the share of
// a profile with the same chip ("as").
TEST(SpeedCalibration, MeasuredSharesAreTheirRows) {
  std::map<std::string, std::pair<double, double>> range;  // profile id: lowest and highest measured / predicted
  for (const Row& r : rows()) {
    const Point& p = *r.point;
    if (p.skip.rfind(k_not_bandwidth_bound, 0) != 0 || r.decode <= 0) continue;
    auto& [low, high] = range.try_emplace(p.hardware.id, 1e9, 0.0).first->second;
    low = std::min(low, p.decode / r.decode);
    high = std::max(high, p.decode / r.decode);
  }
  EXPECT_GE(range.size(), 1U);  // the M3 Max
  if (std::getenv("FITCHECK_SPEED_TABLE") != nullptr)
    for (const auto& [id, r] : range) std::cout << "share " << id << ": " << r.first << " " << r.second << "\n";
  for (const Hardware& hw : builtin_catalog().hardware) {
    SCOPED_TRACE(hw.id);
    if (range.count(hw.id) == 0) {  // none, or a share measured on another profile with the same chip
      if (hw.decode_measured_share) EXPECT_EQ(range.count(hw.decode_measured_share->rows_on), 1U);
      continue;
    }
    ASSERT_TRUE(hw.decode_measured_share.has_value());
    EXPECT_EQ(hw.decode_measured_share->rows_on, hw.id);
    EXPECT_NEAR(hw.decode_measured_share->low, range[hw.id].first, 0.005);
    EXPECT_NEAR(hw.decode_measured_share->high, range[hw.id].second, 0.005);
  }
}

// fit_device's closed form of a full-GPU row's decode time is the model's: at the catalog's factors both give
// the same tokens/s for every used full-GPU row.
TEST(SpeedCalibration, DecodeTermsAreDecodeTime) {
  const Factors f = catalog_factors();
  int checked = 0;
  for (const Point& p : points()) {
    if (!p.skip.empty() || p.partial || p.backend == "cpu" || p.decode <= 0) continue;
    const BackendSpeed& b = f.backends.at(p.backend);
    const double seconds = decode_terms(p, f).seconds(b.bandwidth_efficiency, b.layer_overhead_us, b.moe_layer_overhead_us);
    EXPECT_NEAR(predict(p, f).decode_tps * seconds, 1.0, 1e-9) << p.id;
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

// fit_prefill's closed form of a full-GPU row's prefill time is the model's: at the catalog's factors both
// give the same tokens/s for every used full-GPU prefill row.
TEST(SpeedCalibration, PrefillTermsArePrefillTime) {
  const Factors f = catalog_factors();
  int checked = 0;
  for (const Point& p : points()) {
    if (!p.skip.empty() || p.partial || !p.use_prefill) continue;
    const SpeedParams sp = params(p, f);
    const PrefillWork w = prompt_of(p);
    const double flops = sp.quantized_tflops * 1e12;
    const double seconds =
        w.dense_flops / flops / sp.compute_efficiency + w.float_flops / (sp.device_tflops * 1e12) / sp.float_efficiency +
        w.routed_flops / flops / sp.moe_compute_efficiency +
        w.attention_flops / (sp.attention_tflops * 1e12) / sp.attention_efficiency + w.tile_flops / flops / sp.tile_efficiency +
        w.device_bytes / (sp.device_bandwidth_gbs * 1e9 * sp.device_efficiency) +
        static_cast<double>(w.layers) * sp.prefill_layer_overhead_us * 1e-6;
    EXPECT_NEAR(predict_prefill(p, f) * seconds / static_cast<double>(p.prompt), 1.0, 1e-9) << p.id;
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

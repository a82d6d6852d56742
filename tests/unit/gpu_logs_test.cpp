// fitcheck's GPU compute buffers against public llama.cpp load logs (tests/data/gpu-logs/compute-table.csv; the
// logged lines and their sources in the README beside it). A row's device_use / host_use says how it is held:
// "fit" (the figure a constant in data/ was fitted to: held within 0.05 MiB, so the data holds what the fit gives),
// "check" (held within the stated tolerance), or "out: why" (not held).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "fitcheck/footprint.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

// The stated tolerance of a "check" figure: 10% of the logged figure, or 2 MiB when that is more.
constexpr double k_tolerance = 0.10;
constexpr double k_tolerance_floor_mib = 2.0;
constexpr double k_fit_tolerance_mib = 0.05;

std::vector<test::CsvRow> log_rows() { return test::csv_rows("gpu-logs/compute-table.csv"); }

Settings settings_of(const Catalog& c, const test::CsvRow& r) {
  Settings s = default_settings(c.default_runtime());
  s.backend = parse_backend(r.at("backend"));
  s.context = std::stoull(r.at("ctx"));
  s.ubatch = std::stoull(r.at("ubatch"));
  s.batch = std::stoull(r.at("batch"));
  s.parallel = std::stoull(r.at("parallel"));
  s.kv_unified = r.at("kv_unified") == "true";
  s.swa_full = r.at("swa_full") == "true";
  s.flash_attn = r.at("flash_attn") == "on";
  s.kv_type_k = s.kv_type_v = r.at("kv_type");
  return s;
}

// The build's constants: "current" is the catalog's; "pre-23764" is a build before ggml-org/llama.cpp PR #23764
// (KQ masks reserved in f32 under flash attention too) and PR #23861 (logits reserved for the whole ubatch).
GpuGraph rules_of(const Catalog& c, const std::string& rules) {
  GpuGraph g = c.gpu_graph;
  if (rules == "pre-23764") {
    g.mask_bytes_flash_attn = g.mask_bytes_no_flash_attn;
    g.outputs_per_sequence = k_max_ubatch;
  } else if (rules != "current") {
    ADD_FAILURE() << "unknown rules '" << rules << "'";
  }
  return g;
}

struct Predicted {
  double device_mib = 0;
  double host_mib = 0;
};

Predicted predict(const test::CsvRow& r) {
  const Catalog& c = builtin_catalog();
  const Model& model = c.find_model(r.at("model"));
  const Settings s = settings_of(c, r);
  const GpuCompute g = gpu_compute_buffers(model, kv_cache(c, model, c.default_runtime(), s), s, rules_of(c, r.at("rules")));
  return {static_cast<double>(g.device) / (1 << 20), static_cast<double>(g.host) / (1 << 20)};
}

bool held(const std::string& use) { return use == "fit" || use == "check"; }

// "" when the prediction holds the logged figure as `use` asks, else what is wrong.
std::string problem(const std::string& use, double logged, double predicted) {
  const double error = std::abs(predicted - logged);
  const double allowed = use == "fit" ? k_fit_tolerance_mib : std::max(k_tolerance * logged, k_tolerance_floor_mib);
  if (error <= allowed) return "";
  return fmt::format("{} MiB logged, {:.2f} predicted ({:+.1f}%; {} allows {:.2f} MiB)", logged, predicted,
                     100 * (predicted - logged) / logged, use, allowed);
}

std::string cell(const std::string& use, const std::string& logged, double predicted) {
  if (!held(use)) return use;
  const double l = std::stod(logged);
  return fmt::format("{} / {:.2f} ({:+.1f}%, {})", logged, predicted, 100 * (predicted - l) / l, use);
}

}  // namespace

TEST(GpuLogs, EveryHeldFigureWithinTolerance) {
  std::string table =
      "| id | backend | rules | device MiB logged / predicted | host MiB logged / predicted |\n|---|---|---|---|---|\n";
  for (const test::CsvRow& r : log_rows()) {
    const std::string& device_use = r.at("device_use");
    const std::string& host_use = r.at("host_use");
    ASSERT_TRUE(held(device_use) || device_use.rfind("out: ", 0) == 0) << r.at("id") << ": device_use '" << device_use << "'";
    ASSERT_TRUE(held(host_use) || host_use.rfind("out: ", 0) == 0) << r.at("id") << ": host_use '" << host_use << "'";
    ASSERT_FALSE(r.at("source").empty()) << r.at("id");
    if (!held(device_use) && !held(host_use)) {
      table += fmt::format("| {} | {} | | {} | {} |\n", r.at("id"), r.at("backend"), device_use, host_use);
      continue;
    }
    const Predicted p = predict(r);
    if (held(device_use))
      EXPECT_EQ(problem(device_use, std::stod(r.at("device_mib")), p.device_mib), "") << r.at("id") << " device";
    if (held(host_use)) EXPECT_EQ(problem(host_use, std::stod(r.at("host_mib")), p.host_mib), "") << r.at("id") << " host";
    table += fmt::format("| {} | {} | {} | {} | {} |\n", r.at("id"), r.at("backend"), r.at("rules"),
                         cell(device_use, r.at("device_mib"), p.device_mib), cell(host_use, r.at("host_mib"), p.host_mib));
  }
  // FITCHECK_GPU_LOG_TABLE=FILE writes the table README "How fitcheck counts memory" shows.
  if (const char* path = std::getenv("FITCHECK_GPU_LOG_TABLE")) std::ofstream(path) << table;
}

// Each GPU backend whose constant the catalog calls measured has a held log of its own; and every model whose
// activations are called measured has a "fit" row (its source).
TEST(GpuLogs, MeasuredFiguresHaveTheirLogs) {
  const Catalog& c = builtin_catalog();
  const std::vector<test::CsvRow> rows = log_rows();
  const auto fitted = [&](const std::string& column, const std::string& value) {
    return std::any_of(rows.begin(), rows.end(),
                       [&](const test::CsvRow& r) { return r.at(column) == value && r.at("device_use") == "fit"; });
  };
  for (const GpuGraphBackend& b : c.gpu_graph.backends) EXPECT_EQ(b.measured, fitted("backend", b.id)) << b.id;
  for (const Model& m : c.models) {
    const bool row = std::any_of(rows.begin(), rows.end(), [&](const test::CsvRow& r) {
      return !r.at("model").empty() && c.find_model(r.at("model")).id == m.id && r.at("device_use") == "fit";
    });
    EXPECT_EQ(m.gpu_activation_measured, row) << m.id;
  }
}

// fitcheck's vLLM KV pool against the pools public vLLM boots logged (tests/data/vllm-logs/boots.csv; the logged
// lines, their sources and the arithmetic from a logged figure to bytes in the README beside it). A row's `use`
// says how it is held: "fit: CONSTANT" (a constant in data/ was fitted to it: held within 2% of the logged pool),
// "check" (held out: within 2.5% of vLLM's budget, gpu_memory_utilization x the total CUDA reports), or
// "out: why" (not held).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "fitcheck/vllm.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;

namespace {

constexpr double k_fit_tolerance = 0.02;     // of the logged pool
constexpr double k_check_tolerance = 0.025;  // of vLLM's budget
constexpr double k_weights_tolerance = 0.02;
constexpr double k_gib = 1024.0 * 1024.0 * 1024.0;

std::vector<test::CsvRow> boot_rows() { return test::csv_rows("vllm-logs/boots.csv"); }

// The row's settings over vLLM's defaults for its GPU. A boot before v0.21 ("outside") placed its CUDA graphs
// outside the budget: its pool is compared with a budget that holds none.
VllmSettings settings_of(const Catalog& c, const Model& m, const Hardware& hw, const test::CsvRow& r) {
  VllmSettings s = vllm_defaults(c, m, hw);
  s.gpu_memory_utilization = std::stod(r.at("util"));
  s.max_model_len = std::stoull(r.at("max_model_len"));
  if (!r.at("max_num_seqs").empty()) s.max_num_seqs = std::stoull(r.at("max_num_seqs"));
  if (!r.at("max_num_batched_tokens").empty()) s.max_num_batched_tokens = std::stoull(r.at("max_num_batched_tokens"));
  s.kv_cache_dtype = r.at("kv_cache_dtype");
  s.weights = r.at("weights");
  s.speculative = !r.at("drafter").empty();
  s.drafter_model = r.at("drafter");
  s.speculative_tokens = std::stoull(r.at("speculative_tokens"));
  s.cuda_graphs = r.at("cuda_graphs") == "on";
  return s;
}

// The logged pool in bytes: "gib:X" (vLLM's "Available KV cache memory"), "tokens:N" (v0.21 and later: "GPU KV
// cache size" is the concurrency x max_model_len, so the pool is N / max_model_len requests), "bytes:N" (derived in
// the README).
double logged_pool(const Catalog& c, const Model& m, const VllmSettings& s, const std::string& pool) {
  const std::size_t colon = pool.find(':');
  const std::string kind = pool.substr(0, colon);
  const double value = std::stod(pool.substr(colon + 1));
  if (kind == "gib") return value * k_gib;
  if (kind == "bytes") return value;
  EXPECT_EQ(kind, "tokens") << pool;
  return value / static_cast<double>(s.max_model_len) * static_cast<double>(vllm_sequence_kv_bytes(c, m, s, s.max_model_len));
}

struct Outcome {
  double logged = 0;     // bytes
  double predicted = 0;  // bytes
  double budget = 0;     // bytes
  double weights = 0;    // bytes
};

Outcome outcome_of(const test::CsvRow& r) {
  const Catalog& c = builtin_catalog();
  const Model& m = c.find_model(r.at("model"));
  const Hardware& hw = c.find_hardware(r.at("gpu"));
  const VllmSettings s = settings_of(c, m, hw, r);
  const VllmPlan p = vllm_plan(c, m, hw, s);
  return {logged_pool(c, m, s, r.at("pool")), static_cast<double>(p.kv_bytes), static_cast<double>(p.usable_bytes),
          static_cast<double>(p.weights_bytes - p.drafter_bytes)};
}

bool held(const std::string& use) { return use == "check" || use.rfind("fit: ", 0) == 0; }

// "" when the prediction holds the logged pool as `use` asks, else what is wrong.
std::string problem(const std::string& use, const Outcome& o) {
  const double error = o.predicted - o.logged;
  const double allowed = use == "check" ? k_check_tolerance * o.budget : k_fit_tolerance * o.logged;
  if (std::abs(error) <= allowed) return "";
  return fmt::format("{:.2f} GiB logged, {:.2f} predicted ({:+.2f} GiB; {} allows {:.2f})", o.logged / k_gib, o.predicted / k_gib,
                     error / k_gib, use, allowed / k_gib);
}

}  // namespace

TEST(VllmLogs, EveryHeldPoolWithinTolerance) {
  std::string table =
      "| id | config | GPU | vLLM | use | KV pool GiB logged / fitcheck | error | of the budget |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const test::CsvRow& r : boot_rows()) {
    const std::string& use = r.at("use");
    ASSERT_TRUE(held(use) || use.rfind("out: ", 0) == 0) << r.at("id") << ": use '" << use << "'";
    ASSERT_FALSE(r.at("source").empty()) << r.at("id");
    if (!held(use)) {
      table += fmt::format("| {} | {} | {} | {} | {} | | | |\n", r.at("id"), r.at("config"), r.at("gpu"), r.at("vllm"), use);
      continue;
    }
    const Outcome o = outcome_of(r);
    EXPECT_EQ(problem(use, o), "") << r.at("id");
    if (!r.at("logged_weights_gib").empty()) {  // vLLM's "Model loading took X GiB"
      const double logged = std::stod(r.at("logged_weights_gib")) * k_gib;
      EXPECT_NEAR(o.weights, logged, k_weights_tolerance * logged) << r.at("id") << " weights";
    }
    table += fmt::format("| {} | {} | {} | {} | {} | {:.2f} / {:.2f} | {:+.2f} GiB ({:+.1f}%) | {:+.1f}% |\n", r.at("id"),
                         r.at("config"), r.at("gpu"), r.at("vllm"), use, o.logged / k_gib, o.predicted / k_gib,
                         (o.predicted - o.logged) / k_gib, 100 * (o.predicted - o.logged) / o.logged,
                         100 * (o.predicted - o.logged) / o.budget);
  }
  // FITCHECK_VLLM_LOG_TABLE=FILE writes the table README's vLLM section shows.
  if (const char* path = std::getenv("FITCHECK_VLLM_LOG_TABLE")) std::ofstream(path) << table;
}

// Every fitted constant names a row it was fitted on, and more rows are held out than fitted.
TEST(VllmLogs, MoreHeldOutThanFitted) {
  std::size_t fitted = 0, checked = 0;
  for (const test::CsvRow& r : boot_rows()) {
    fitted += r.at("use").rfind("fit: ", 0) == 0;
    checked += r.at("use") == "check";
  }
  EXPECT_GE(fitted, 2U);
  EXPECT_GT(checked, fitted);
}

// Speed and memory targets (README "Performance"): measured here, never in unit tests.
//   BM_CatalogLoad       parse and validate the built-in catalog as the binary reads it (citations left out)
//   BM_CatalogLoadWhole  the same with every citation's text (what the tests check)
//   BM_Footprint         one footprint (31B Q4_K_M, 32K), weights planned
//   BM_Recommend         a full recommend for rtx3060-12g (every model x preset, max-context search)
//   BM_RecommendOffload  the same with --allow-offload (every candidate also searches -ngl / --n-cpu-moe plans)
//   BM_ContextCurve      `fitcheck curve` for 31B Q4_K_M on rtx4090-24g (35 contexts, offload past the budget)
//   BM_SweepAll          every hardware profile x model x preset with its max context
//   BM_ProcessRecommend  the whole `fitcheck --gpu rtx3060-12g --json` process: wall time and peak RSS
#include <benchmark/benchmark.h>
#include <spawn.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "fitcheck/budget.hpp"
#include "fitcheck/check.hpp"
#include "readers/readers.hpp"
#include "fitcheck/curve.hpp"
#include "fitcheck/planner.hpp"

extern char** environ;

namespace fitcheck::detail {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_catalog_fragments();
}

using namespace fitcheck;

static void BM_CatalogLoad(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(load_catalog(builtin_fragments(false), "builtin", CatalogChecks::tested));
}
BENCHMARK(BM_CatalogLoad)->Unit(benchmark::kMicrosecond);

static void BM_CatalogLoadWhole(benchmark::State& state) {
  const std::vector<std::pair<std::string, std::string>> fragments = builtin_fragments(true);
  for (auto _ : state) benchmark::DoNotOptimize(load_catalog(fragments, "builtin"));
}
BENCHMARK(BM_CatalogLoadWhole)->Unit(benchmark::kMicrosecond);

static void BM_Footprint(benchmark::State& state) {
  const Catalog& c = builtin_catalog();
  Settings s = default_settings(c.default_runtime());
  s.context = 32768;
  for (auto _ : state) {
    benchmark::DoNotOptimize(footprint(c, c.find_model("gemma-4-31b"), c.find_preset("Q4_K_M"), c.default_runtime(), s));
  }
}
BENCHMARK(BM_Footprint)->Unit(benchmark::kMicrosecond);

static void BM_Recommend(benchmark::State& state) {
  const Catalog& c = builtin_catalog();
  const Budget budget = make_budget(c, c.find_hardware("rtx3060-12g"), std::nullopt);
  Constraints constraints;
  constraints.settings = default_settings(c.default_runtime());
  for (auto _ : state) benchmark::DoNotOptimize(recommend(c, budget, c.default_runtime(), constraints));
}
BENCHMARK(BM_Recommend)->Unit(benchmark::kMillisecond);

static SpeedSetup bench_speed(const Catalog& c, const Hardware& hw, const Budget& budget, bool offload) {
  SpeedSetup speed;
  speed.params = speed_params(c, hw, default_backend(c, hw), c.host.ram_bandwidth_gbs);
  speed.limits = {budget.device_bytes, c.host.ram_bytes - c.unified.os_reserve_bytes, 1024};
  speed.allow_offload = offload;
  speed.min_tps = offload ? 5 : 0;
  return speed;
}

static void BM_RecommendOffload(benchmark::State& state) {
  const Catalog& c = builtin_catalog();
  const Hardware& hw = c.find_hardware("rtx3060-12g");
  const Budget budget = make_budget(c, hw, std::nullopt);
  Constraints constraints;
  constraints.settings = default_settings(c.default_runtime());
  constraints.speed = bench_speed(c, hw, budget, true);
  for (auto _ : state) benchmark::DoNotOptimize(recommend(c, budget, c.default_runtime(), constraints));
}
BENCHMARK(BM_RecommendOffload)->Unit(benchmark::kMillisecond);

static void BM_ContextCurve(benchmark::State& state) {
  const Catalog& c = builtin_catalog();
  const Hardware& hw = c.find_hardware("rtx4090-24g");
  const Budget budget = make_budget(c, hw, std::nullopt);
  const SpeedSetup speed = bench_speed(c, hw, budget, false);
  const Settings s = default_settings(c.default_runtime());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        context_curve(make_setup({c, c.find_model("31b"), c.find_preset("Q4_K_M"), c.default_runtime()}, s), budget, speed));
  }
}
BENCHMARK(BM_ContextCurve)->Unit(benchmark::kMillisecond);

// `fitcheck check` on one llama-server command line and one vLLM config: read, resolve, judge.
static void BM_CheckConfigs(benchmark::State& state) {
  const fitcheck::Catalog& c = fitcheck::builtin_catalog();
  const fitcheck::Hardware& gpu = c.find_hardware("h100-80g");
  const std::string llama = "llama-server -hf ggml-org/gemma-4-26B-A4B-it-GGUF:Q4_K_M -c 32768 -np 2 -ctk q8_0 -ctv q8_0\n";
  const std::string vllm = "model: google/gemma-4-31B-it\nmax_model_len: 65536\nkv_cache_dtype: fp8\n";
  for (auto _ : state) {
    for (const auto& [path, text] : {std::pair{"run.sh", llama}, std::pair{"vllm.yaml", vllm}}) {
      for (const fitcheck::Deployment& d : fitcheck::readers::read_deployments(c, path, text, {}).deployments)
        benchmark::DoNotOptimize(fitcheck::check_deployment(c, d, {gpu, std::nullopt, 64ULL << 30, {}}));
    }
  }
}
BENCHMARK(BM_CheckConfigs)->Unit(benchmark::kMillisecond);

static void BM_SweepAll(benchmark::State& state) {
  const Catalog& c = builtin_catalog();
  const Runtime& rt = c.default_runtime();
  std::vector<ModelSetup> setups;
  std::size_t points = 0;
  for (auto _ : state) {
    setups.clear();
    for (const Model& m : c.models) {
      for (const Preset& p : c.presets) setups.push_back(make_setup({c, m, p, rt}, default_settings(rt)));
    }
    points = 0;
    for (const Hardware& hw : c.hardware) {
      const Budget budget = make_budget(c, hw, std::nullopt);
      for (const ModelSetup& setup : setups) {
        benchmark::DoNotOptimize(max_fitting_context(setup, budget, 8192));
        ++points;
      }
    }
  }
  state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_SweepAll)->Unit(benchmark::kMillisecond);

// Peak RSS (VmHWM) of the fitcheck image itself, read at its exit under ptrace. A child's ru_maxrss would
// include this benchmark's own memory, which the child shares until it execs.
static double peak_rss_mib(std::vector<char*>& argv) {
  const pid_t pid = fork();
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);  // stopped at exec
  if (!WIFSTOPPED(status)) return -1;
  ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(PTRACE_O_TRACEEXIT));
  ptrace(PTRACE_CONT, pid, nullptr, nullptr);
  waitpid(pid, &status, 0);  // stopped at exit, memory still mapped
  double mib = -1;
  std::ifstream proc("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(proc, line);) {
    if (line.rfind("VmHWM:", 0) == 0) mib = std::stod(line.substr(6)) / 1024.0;
  }
  ptrace(PTRACE_CONT, pid, nullptr, nullptr);
  waitpid(pid, &status, 0);
  return mib;
}

static void spawn_and_time(benchmark::State& state, std::vector<std::string> args, bool report_rss) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto _ : state) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const auto start = std::chrono::steady_clock::now();
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      state.SkipWithError("cannot start fitcheck");
      break;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    const auto end = std::chrono::steady_clock::now();
    posix_spawn_file_actions_destroy(&actions);
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) state.SkipWithError("fitcheck failed");
  }
  if (report_rss) state.counters["peak_rss_MiB"] = peak_rss_mib(argv);
}

static void BM_ProcessRecommend(benchmark::State& state) {
  spawn_and_time(state, {FITCHECK_BINARY, "--gpu", "rtx3060-12g", "--json"}, true);
}
BENCHMARK(BM_ProcessRecommend)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(50);

// The floor on this machine: starting a process that does nothing.
static void BM_ProcessTrue(benchmark::State& state) { spawn_and_time(state, {"/bin/true"}, false); }
BENCHMARK(BM_ProcessTrue)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(50);

BENCHMARK_MAIN();

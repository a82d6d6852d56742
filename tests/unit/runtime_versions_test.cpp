// Runtime versions (data/runtime_versions.json): release numbers as llama.cpp and Ollama write them, the
// defaults each release gives a config that says nothing, --runtime, and releases stated by image tags and logs.
#include <gtest/gtest.h>

#include <functional>

#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/runtime_versions.hpp"
#include "readers/container.hpp"
#include "readers/readers.hpp"

namespace fitcheck {
namespace {

const Catalog& catalog() { return builtin_catalog(); }

Version build(std::uint64_t n) { return Version{{n}}; }

std::string error_of(const std::function<void()>& f, Errc code) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.code() == code ? "" : "wrong code: ") + e.what();
  }
  return "no error";
}

bool has_note(const Deployment& d, const std::string& text) {
  for (const ConfigNote& n : d.notes) {
    if (n.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(RuntimeVersions, ReleaseNumbersAsTheRuntimesWriteThem) {
  EXPECT_EQ(parse_version(VersionScheme::build, "b10573"), build(10573));
  EXPECT_EQ(parse_version(VersionScheme::build, "8724"), build(8724));
  EXPECT_FALSE(parse_version(VersionScheme::build, "b"));
  EXPECT_FALSE(parse_version(VersionScheme::build, "b10x"));
  EXPECT_FALSE(parse_version(VersionScheme::build, "b0"));
  EXPECT_FALSE(parse_version(VersionScheme::build, "b12345678901"));  // longer than any build number
  EXPECT_EQ(parse_version(VersionScheme::semver, "0.22"), (Version{{0, 22}}));
  EXPECT_EQ(parse_version(VersionScheme::semver, "v0.30.1"), (Version{{0, 30, 1}}));
  EXPECT_EQ(parse_version(VersionScheme::semver, "0.30.0-rc15"), (Version{{0, 30, 0}}));  // a release candidate
  EXPECT_FALSE(parse_version(VersionScheme::semver, "0"));
  EXPECT_FALSE(parse_version(VersionScheme::semver, "0.22."));
  EXPECT_FALSE(parse_version(VersionScheme::semver, "1.2.3.4"));
  EXPECT_FALSE(parse_version(VersionScheme::semver, "latest"));
  // Parts left out compare as 0: 0.22 is 0.22.0, before 0.22.1.
  EXPECT_TRUE((Version{{0, 22}} == Version{{0, 22, 0}}));
  EXPECT_TRUE((Version{{0, 22}} < Version{{0, 22, 1}}));
  EXPECT_TRUE((Version{{0, 9, 9}} < Version{{0, 20}}));
  EXPECT_EQ(version_text(VersionScheme::semver, Version{{0, 22}}), "0.22.0");
  EXPECT_EQ(version_text(VersionScheme::build, build(8637)), "b8637");
}

// llama.cpp's defaults by build: PR #15434 (b6325) flash attention auto, PR #16736 (b6925) 4 unified slots,
// PR #16653 (b7407) no -c = the model's context under --fit with 1024 MiB and 4096 tokens at least.
TEST(RuntimeVersions, LlamaCppDefaultsChangeAtTheirBuilds) {
  const RuntimeRelease newest = newest_release(catalog(), "llama.cpp");
  const RuntimeVersions& r = *newest.runtime;
  EXPECT_EQ(r.value("parallel", build(6924)), 1U);
  EXPECT_EQ(r.value("parallel", build(6925)), 4U);
  EXPECT_EQ(r.value("kv_unified", build(6925)), 1U);
  EXPECT_EQ(r.value("flash_attn", build(6324)), 0U);
  EXPECT_EQ(r.value("flash_attn", build(6325)), 1U);
  EXPECT_EQ(r.value("context", build(7406)), 4096U);
  EXPECT_EQ(r.value("context", build(7407)), 0U);
  EXPECT_EQ(r.value("fit", build(7407)), 1U);
  const LlamaDefaults d = llama_defaults(newest);
  EXPECT_EQ(d.parallel, 4U);
  EXPECT_TRUE(d.kv_unified);
  EXPECT_TRUE(d.fit);
  EXPECT_EQ(d.fit_margin_bytes, 1024ULL << 20);
  EXPECT_EQ(d.fit_min_context, 4096U);
  // Every release Gemma 4 runs on (b8637, PR #21309) already has these defaults.
  EXPECT_TRUE(r.value("parallel", r.gemma4_from) == d.parallel && r.value("fit", r.gemma4_from) == 1U);
}

// Ollama: its own Go engine until ollama#16031 (v0.30.0); flash attention for gemma4 from v0.20.1 (#15296).
TEST(RuntimeVersions, OllamaEngineAndFlashAttentionByRelease) {
  const OllamaDefaults first = ollama_defaults(parse_runtime_choice(catalog(), "ollama@0.20.0"));
  EXPECT_FALSE(first.llama_server);
  EXPECT_FALSE(first.flash_attn);
  EXPECT_EQ(first.sliding_memory, 4096U);
  const OllamaDefaults go = ollama_defaults(parse_runtime_choice(catalog(), "ollama@0.22"));
  EXPECT_FALSE(go.llama_server);
  EXPECT_TRUE(go.flash_attn);
  const OllamaDefaults server = ollama_defaults(parse_runtime_choice(catalog(), "ollama@v0.30.0"));
  EXPECT_TRUE(server.llama_server);
  EXPECT_EQ(server.sliding_memory, 0U);
  EXPECT_EQ(server.parallel, 1U);
  EXPECT_EQ(server.batch, 512U);
}

// Flash attention's f16 copy of a quantized K/V sits in the compute buffer from llama.cpp b9489 (PR #23907), and in
// Ollama from v0.30.9, the first release known to run such a build (its llama.cpp b9637 bump, ollama/ollama#17123).
TEST(RuntimeVersions, FlashAttentionKvCopyFromB9489) {
  const RuntimeVersions& r = *newest_release(catalog(), "llama.cpp").runtime;
  EXPECT_EQ(r.value("flash_attn_kv_copy", build(9488)), 0U);
  EXPECT_EQ(r.value("flash_attn_kv_copy", build(9489)), 1U);
  EXPECT_TRUE(llama_defaults(newest_release(catalog(), "llama.cpp")).flash_attn_kv_copy);
  EXPECT_FALSE(ollama_defaults(parse_runtime_choice(catalog(), "ollama@0.30.8")).flash_attn_kv_copy);
  EXPECT_TRUE(ollama_defaults(parse_runtime_choice(catalog(), "ollama@0.30.9")).flash_attn_kv_copy);
  EXPECT_FALSE(ollama_defaults(parse_runtime_choice(catalog(), "ollama@0.22")).flash_attn_kv_copy);
}

TEST(RuntimeVersions, BadRuntimeChoicesAreUsageErrors) {
  const auto usage = [](const char* text) { return error_of([&] { parse_runtime_choice(catalog(), text); }, Errc::usage); };
  EXPECT_NE(usage("lama.cpp@b9000").find("did you mean 'llama.cpp'"), std::string::npos);
  EXPECT_NE(usage("llama.cpp").find("e.g. llama.cpp@b10573"), std::string::npos);
  EXPECT_NE(usage("llama.cpp@9.1").find("expected a build such as b10573"), std::string::npos);
  EXPECT_NE(usage("ollama@b9000").find("expected a release such as 0.22"), std::string::npos);
  // Before Gemma 4: llama.cpp b8637 (PR #21309), Ollama v0.20.0 (#15214).
  EXPECT_NE(usage("llama.cpp@b6000").find("supports from b8637"), std::string::npos);
  EXPECT_NE(usage("ollama@0.12.3").find("supports from 0.20.0"), std::string::npos);
  EXPECT_EQ(usage("llama-cpp@b9000"), "no error");  // the spelling people use too
}

TEST(RuntimeVersions, ImageTagsNameTheirRelease) {
  EXPECT_EQ(readers::image_version("ghcr.io/ggml-org/llama.cpp:server-b6000", false), "b6000");
  EXPECT_EQ(readers::image_version("ghcr.io/ggml-org/llama.cpp:server-cuda-b8724", false), "b8724");
  EXPECT_EQ(readers::image_version("registry.local:5000/llama.cpp:full-b9000@sha256:abc", false), "b9000");
  EXPECT_EQ(readers::image_version("ghcr.io/ggml-org/llama.cpp:server-cuda", false), std::nullopt);
  EXPECT_EQ(readers::image_version("ghcr.io/ggml-org/llama.cpp", false), std::nullopt);
  EXPECT_EQ(readers::image_version("ollama/ollama:0.12.3", true), "0.12.3");
  EXPECT_EQ(readers::image_version("ollama/ollama:0.20.2-rocm", true), "0.20.2");
  EXPECT_EQ(readers::image_version("ollama/ollama:latest", true), std::nullopt);
}

readers::ReadResult read(const std::string& text, const std::vector<std::string>& runtimes = {}) {
  readers::ReadOptions o;
  for (const std::string& r : runtimes) o.runtimes.push_back(parse_runtime_choice(catalog(), r));
  return readers::read_deployments(catalog(), "config", text, o);
}

// No -np on today's llama-server: 4 slots sharing the -c cells (the full layers' KV for -c N is unchanged), and
// the sliding layers keep pad256(4 x 1024 + 512) = 4608 cells for the 26B (window 1024) instead of 1536.
TEST(RuntimeVersions, LlamaServerWithoutNpRunsFourUnifiedSlots) {
  const Deployment d = read("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 32768\n").deployments.at(0);
  EXPECT_EQ(d.settings.parallel, 4U);
  EXPECT_TRUE(d.settings.kv_unified);
  EXPECT_TRUE(has_note(d, "llama.cpp b10573's defaults (the newest fitcheck knows)"));
  EXPECT_TRUE(has_note(d, "no -np: 4 slots sharing one unified KV cache"));
  const CheckResult r = check_deployment(catalog(), d, {catalog().find_hardware("rtx4090-24g"), std::nullopt, 0, Headroom{}});
  EXPECT_EQ(r.footprint->kv.streams, 1U);
  EXPECT_EQ(r.footprint->kv.full_cells, 32768U);
  EXPECT_EQ(r.footprint->kv.sliding_cells, 4608U);
  // An explicit -np keeps a cache per slot (PR #17997); llama-cli runs one sequence.
  const Deployment np = read("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 32768 -np 2\n").deployments.at(0);
  EXPECT_EQ(np.settings.parallel, 2U);
  EXPECT_FALSE(np.settings.kv_unified);
  const Deployment cli = read("llama-cli -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 32768\n").deployments.at(0);
  EXPECT_EQ(cli.settings.parallel, 1U);
  const Deployment kvu = read("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -np 2 -kvu\n").deployments.at(0);
  EXPECT_TRUE(kvu.settings.kv_unified);
}

TEST(RuntimeVersions, ComposeImageTagChoosesTheRelease) {
  const std::string compose =
      "services:\n"
      "  llm:\n"
      "    image: ghcr.io/ggml-org/llama.cpp:server-cuda-b9000\n"
      "    command: -m /models/gemma-4-31B-it-Q4_K_M.gguf -c 8192\n"
      "  old:\n"
      "    image: ghcr.io/ggml-org/llama.cpp:server-b6000\n"
      "    command: -m /models/gemma-4-31B-it-Q4_K_M.gguf -c 8192\n";
  const readers::ReadResult r = read(compose, {"llama.cpp@b9500"});
  ASSERT_EQ(r.deployments.size(), 1U);
  EXPECT_TRUE(
      has_note(r.deployments[0], "llama.cpp b9000's defaults (the image tag ghcr.io/ggml-org/llama.cpp:server-cuda-b9000)"));
  // b6000 predates Gemma 4: that service is an error at its image line, the other is still checked.
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].line(), 6U);
  EXPECT_NE(std::string(r.errors[0].what()).find("cannot run Gemma 4"), std::string::npos);
  // A config that states nothing takes --runtime's release.
  const Deployment plain = read("llama-server -m gemma-4-31B-it-Q4_K_M.gguf -c 8192\n", {"llama.cpp@b9500"}).deployments.at(0);
  EXPECT_TRUE(has_note(plain, "llama.cpp b9500's defaults (--runtime)"));
}

TEST(RuntimeVersions, LogBuildLineChoosesTheRelease) {
  const std::string log =
      "version: 9692 (f3e182816)\n"
      "llama_model_loader: loaded meta data with 50 key-value pairs and 833 tensors from "
      "/models/gemma-4-31B-it-Q4_K_M.gguf (version GGUF V3 (latest))\n"
      "llama_context: n_ctx         = 8192\n";
  const Deployment d = read(log).deployments.at(0);
  EXPECT_TRUE(has_note(d, "llama.cpp b9692's defaults (the log's build line)"));
}

// check --runtime llama.cpp@bN: the 31B at 262144 with q8_0 K/V counts flash attention's f16 copies (2 GiB of one
// full layer's K and V, GpuCompute.The31BAtFullContextCopiesTwoGiB) from b9489 on, not before: device compute
// buffer 2,496,958,300 at b9489, 449,008,988 at b9488.
TEST(RuntimeVersions, ReleaseDecidesTheFlashAttentionCopy) {
  const std::string command = "llama-server -m gemma-4-31B-it-Q4_K_M.gguf -c 262144 -np 1 -ctk q8_0 -ctv q8_0 -fa on\n";
  const auto device_compute = [&](const char* runtime) {
    const Deployment d = read(command, {runtime}).deployments.at(0);
    const CheckResult r = check_deployment(catalog(), d, {catalog().find_hardware("h100-80g"), std::nullopt, 0, Headroom{}});
    return r.footprint->compute.device;
  };
  EXPECT_EQ(device_compute("llama.cpp@b9488"), 449008988U);
  EXPECT_EQ(device_compute("llama.cpp@b9489"), 2496958300U);
}

// Ollama 0.22 (its own engine): sliding layers keep max(4096, 1024 + 1) cells a sequence plus num_batch in one
// buffer: 4 sequences of 8192: pad256(4096 x 4 + 512) = 16896 cells, full layers 4 x 8192 = 32768.
TEST(RuntimeVersions, OllamaOwnEngineKeepsItsSlidingMemory) {
  readers::ReadOptions o;
  o.env = {{"OLLAMA_NUM_PARALLEL", "4", 1, true}};
  o.runtimes = {parse_runtime_choice(catalog(), "ollama@0.22")};
  const Deployment d = readers::read_modelfile(catalog(), "Modelfile", "FROM gemma4:26b\nPARAMETER num_ctx 8192\n", o);
  EXPECT_TRUE(has_note(d, "ollama 0.22.0's defaults (--runtime): its own engine"));
  const CheckResult r = check_deployment(catalog(), d, {catalog().find_hardware("l40s-48g"), std::nullopt, 0, Headroom{}});
  EXPECT_EQ(r.footprint->kv.streams, 1U);
  EXPECT_EQ(r.footprint->kv.full_cells, 32768U);
  EXPECT_EQ(r.footprint->kv.sliding_cells, 16896U);
  // One sequence of 4096: the 4096 cells cover its context, so the sliding layers keep the whole 4096.
  o.env.clear();
  const Deployment small = readers::read_modelfile(catalog(), "Modelfile", "FROM gemma4:26b\nPARAMETER num_ctx 4096\n", o);
  const CheckResult s = check_deployment(catalog(), small, {catalog().find_hardware("l40s-48g"), std::nullopt, 0, Headroom{}});
  EXPECT_EQ(s.footprint->kv.sliding_cells, 4096U);
  // Ollama's log names its release.
  const Deployment logged =
      read("time=x level=INFO msg=\"Listening on 127.0.0.1:11434 (version 0.30.8)\"\nollama run gemma4:26b\n").deployments.at(0);
  EXPECT_TRUE(has_note(logged, "ollama 0.30.8's defaults (the log's version): it runs llama-server"));
}

}  // namespace
}  // namespace fitcheck

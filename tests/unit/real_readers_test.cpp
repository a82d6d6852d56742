// Readers for configs as people post them (issue 12, tests/data/real/): an Ollama log's load request spread over
// several GPUs, the llama-server command an Ollama >= 0.30 log shows, Ollama's env file, a docker run of a
// llama.cpp image, a compose service over several GPUs whose model is not named here, and vLLM's recipes.
#include <gtest/gtest.h>

#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "readers/readers.hpp"
#include "support/test_support.hpp"

namespace fitcheck {
namespace {

readers::ReadResult read(const std::string& path, const std::string& text, readers::ReadOptions o = {}) {
  return readers::read_deployments(builtin_catalog(), path, text, o);
}

// The data error of reading `text` without check --model.
std::string read_error(const std::string& path, const std::string& text) {
  try {
    read(path, text);
  } catch (const Error& e) {
    return e.code() == Errc::data ? e.what() : "not a data error";
  }
  return "no error";
}

readers::ReadOptions with_model(const std::string& model) {
  readers::ReadOptions o;
  o.model = model;
  return o;
}

bool mentions(const std::vector<ConfigNote>& notes, const std::string& what) {
  for (const ConfigNote& n : notes) {
    if (n.message.find(what) != std::string::npos) return true;
  }
  return false;
}

// Ollama's runner log: a load request whose GPULayers lists two GPU IDs is a deployment over two GPUs.
const std::string k_two_gpu_log =
    "time=2026-04-03T12:44:31Z level=INFO source=runner.go:1290 msg=load request=\"{Operation:alloc Parallel:1 "
    "BatchSize:512 KvSize:8192 GPULayers:51[ID:GPU-a Layers:32(9..40) ID:GPU-b Layers:19(41..59)] MainGPU:0}\"\n";

TEST(RealReaders, OllamaLoadRequestOverSeveralGpusIsNotModelled) {
  const Deployment d = read("server.log", k_two_gpu_log, with_model("gemma4:31b")).deployments.at(0);
  EXPECT_EQ(d.model->id, "gemma-4-31b");
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(8192));  // KvSize
  EXPECT_EQ(d.gpu_count, 2U);
  ASSERT_EQ(d.unmodelled.size(), 1U);
  EXPECT_EQ(d.unmodelled[0].line, 1U);
  EXPECT_NE(d.unmodelled[0].message.find("over 2 GPUs"), std::string::npos);
  // The log names no model: the error says to pass it.
  EXPECT_NE(read_error("server.log", k_two_gpu_log).find("check --model"), std::string::npos);
  // One GPU ID: one GPU, nothing unmodelled.
  const std::string one = "msg=load request=\"{KvSize:4096 GPULayers:31[ID:GPU-a Layers:31(29..59)  ]}\"\n";
  EXPECT_TRUE(read("server.log", one, with_model("gemma4:31b")).deployments.at(0).unmodelled.empty());
}

TEST(RealReaders, OllamaLogOffloadLineIsNumGpu) {
  const std::string log = "gpu memory id=0 library=ROCm available=\"7.5 GiB\"\noffloaded 42/43 layers to GPU\n";
  const Deployment d = read("ollama.log", log, with_model("gemma4:e4b")).deployments.at(0);
  EXPECT_EQ(d.format, ConfigFormat::ollama);
  EXPECT_EQ(d.gpu_layers, std::optional<std::uint64_t>(42));
  // Every layer offloaded: no num_gpu (Ollama's own placement).
  const Deployment all =
      read("ollama.log", "gpu memory id=0 library=CUDA\noffloaded 43/43 layers to GPU\n", with_model("gemma4:e4b"))
          .deployments.at(0);
  EXPECT_FALSE(all.gpu_layers);
}

// Ollama >= 0.30 starts llama-server; its log shows the command, Go-quoted (backslashes doubled on Windows).
TEST(RealReaders, OllamaLogShowsTheLlamaServerCommand) {
  const std::string log =
      "llama_prepare_model_devices: using device CUDA0 - 7106 MiB free\n"
      "time=2026-06-08T06:12:38 level=INFO source=llama_server.go:403 msg=\"starting llama-server\" "
      "cmd=\"C:\\\\Ollama\\\\lib\\\\ollama\\\\llama-server.exe --model "
      "C:\\\\Users\\\\M\\\\.ollama\\\\models\\\\blobs\\\\sha256-faff "
      "--port 60749 --offline -c 4096 -np 1 --log-verbosity 4 --no-log-prefix --cache-type-k q8_0 --cache-type-v q8_0 "
      "--flash-attn on -b 512 -ub 256 --context-shift --keep 4\"\n";
  const readers::ReadResult r = read("ollama.log", log, with_model("gemma4:12b"));
  ASSERT_EQ(r.deployments.size(), 1U);
  const Deployment& d = r.deployments[0];
  EXPECT_EQ(d.format, ConfigFormat::llama_cpp);
  EXPECT_EQ(d.model->id, "gemma-4-12b");  // the blob does not tell: --model's Ollama tag
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(4096));
  EXPECT_EQ(d.context_line, 2U);
  EXPECT_EQ(d.settings.parallel, 1U);
  EXPECT_EQ(d.settings.kv_type_k, "q8_0");
  EXPECT_EQ(d.settings.ubatch, 256U);
  EXPECT_TRUE(d.warnings.empty()) << d.warnings.front().message;  // Ollama's own options are known, harmless
  EXPECT_TRUE(mentions(d.notes, "llama-server command the Ollama log shows"));
}

// `ollama ps`: the CONTEXT column is the context the model was loaded with (ollama/ollama#16763's table).
TEST(RealReaders, OllamaPsContextColumnIsNumCtx) {
  const std::string ps =
      "ollama ps\n"
      "NAME                    ID              SIZE     PROCESSOR    CONTEXT    UNTIL\n"
      "gemma4:31b-it-q4_K_M    6316f0629137    22 GB    100% GPU     262144     4 minutes from now\n";
  const Deployment d = read("ps.log", ps).deployments.at(0);
  EXPECT_EQ(d.model->id, "gemma-4-31b");
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(262144));
  // An older table without the column: no context read from it (Ollama's default applies).
  const std::string old =
      "ollama ps\nNAME          ID              SIZE     PROCESSOR         UNTIL\n"
      "gemma4:12b    6fd036cefda5    12 GB    7%/93% CPU/GPU    4 minutes from now\n";
  EXPECT_TRUE(mentions(read("ps.log", old).deployments.at(0).notes, "no num_ctx"));
}

TEST(RealReaders, OllamaEnvFileIsTheServersSettings) {
  const std::string env = "# docker env\nOLLAMA_CONTEXT_LENGTH=16384\nOLLAMA_NUM_PARALLEL=2\nOLLAMA_HOST=0.0.0.0\n";
  const Deployment d = read("ollama.env", env, with_model("gemma4:e2b")).deployments.at(0);
  EXPECT_EQ(d.format, ConfigFormat::ollama);
  EXPECT_EQ(d.model->id, "gemma-4-e2b");
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(16384));
  EXPECT_EQ(d.settings.parallel, 2U);
  EXPECT_NE(read_error("ollama.env", env).find("check --model"), std::string::npos);
}

// `docker run IMAGE OPTIONS` of a llama.cpp image (a local build too): the options are llama-server's; docker's
// own (--device) are not. -sm none keeps the model on one GPU (the -mg one).
TEST(RealReaders, DockerRunOfALlamaCppImage) {
  const std::string run =
      "docker run -it --device /dev/dri:/dev/dri -v /m:/models llamacpp-intel:0.1.1-b10728 "
      "-m /models/gemma-4-E4B-it-Q4_K_M.gguf -c 32768 -sm none -mg 0 --port 5555\n";
  const Deployment d = read("run.sh", run).deployments.at(0);
  EXPECT_EQ(d.format, ConfigFormat::llama_cpp);
  EXPECT_EQ(d.model->id, "gemma-4-e4b");
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(32768));
  EXPECT_TRUE(d.unmodelled.empty());
  // Without -sm none, -mg picks among several GPUs; -sm row splits.
  EXPECT_EQ(read("run.sh", "llama-server -m gemma-4-E4B-it-Q4_K_M.gguf -mg 1\n").deployments.at(0).unmodelled.size(), 1U);
  EXPECT_EQ(read("run.sh", "llama-server -m gemma-4-E4B-it-Q4_K_M.gguf -sm row\n").deployments.at(0).unmodelled.size(), 1U);
}

// A service over two GPUs whose model lives in a --models-preset file not beside it: not modelled (two GPUs),
// not "no model named".
TEST(RealReaders, ComposeServiceOverSeveralGpusWithoutAModel) {
  const std::string compose =
      "services:\n"
      "  router:\n"
      "    image: ghcr.io/ggml-org/llama.cpp:server-cuda\n"
      "    command: --models-preset /models/models.ini -np 1\n"
      "    deploy:\n"
      "      resources:\n"
      "        reservations:\n"
      "          devices:\n"
      "            - driver: nvidia\n"
      "              count: 2\n";
  const readers::ReadResult r = read("compose.yaml", compose);
  EXPECT_TRUE(r.deployments.empty());
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_NE(r.errors[0].reason().find("over 2 GPUs"), std::string::npos);
  EXPECT_NE(r.errors[0].reason().find("does not model"), std::string::npos);
  // On one GPU the missing model is the error.
  std::string one = compose;
  one.replace(one.find("count: 2"), 8, "count: 1");
  const readers::ReadResult single = read("compose.yaml", one);
  ASSERT_EQ(single.errors.size(), 1U);
  EXPECT_NE(single.errors[0].reason().find("no model named"), std::string::npos);
}

const std::string k_recipe =
    "model:\n"
    "  model_id: \"google/gemma-4-26B-A4B-it\"\n"
    "  base_args: [\"--max-num-seqs\", \"8\"]\n"
    "variants:\n"
    "  default:\n"
    "    precision: bf16\n"
    "  fp8:\n"
    "    model_id: \"RedHatAI/gemma-4-26B-A4B-it-FP8-dynamic\"\n"
    "    extra_args: [\"--kv-cache-dtype\", \"fp8\"]\n"
    "    hardware_overrides:\n"
    "      h200:\n"
    "        extra_args: [\"--max-model-len\", \"65536\"]\n"
    "      rtx_5090:\n"
    "        extra_args:\n"
    "        - \"--max-model-len\"\n"
    "        - \"131072\"\n";

// vLLM's recipes: one deployment a variant, the model's base_args and the variant's extra_args; the override of
// the hardware check --gpu names applied.
TEST(RealReaders, VllmRecipeVariantsAndHardwareOverrides) {
  readers::ReadOptions o;
  o.target_gpu = "rtx5090-32g";
  const readers::ReadResult r = read("recipe.yaml", k_recipe, o);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.deployments.size(), 2U);
  const Deployment& base = r.deployments[0];
  EXPECT_EQ(base.name, "variant default");
  EXPECT_EQ(base.format, ConfigFormat::vllm);
  EXPECT_EQ(base.preset->id, "BF16");
  EXPECT_EQ(base.vllm_settings.max_num_seqs, 8U);
  const Deployment& fp8 = r.deployments[1];
  EXPECT_EQ(fp8.preset->id, "FP8");
  EXPECT_EQ(fp8.line, 8U);  // its model_id
  EXPECT_EQ(fp8.vllm_settings.kv_cache_dtype, "fp8");
  EXPECT_EQ(fp8.context, std::optional<std::uint64_t>(131072));  // rtx_5090's override
  EXPECT_EQ(fp8.context_line, 15U);                              // the option's line
  EXPECT_TRUE(mentions(fp8.notes, "hardware_overrides for h200 not applied"));
  // Another target: no override, the others listed.
  o.target_gpu = "l4-24g";
  const Deployment other = read("recipe.yaml", k_recipe, o).deployments.at(1);
  EXPECT_FALSE(other.context);
  EXPECT_TRUE(mentions(other.notes, "h200, rtx_5090 not applied"));
}

// llama-bench (tools/llama-bench/llama-bench.cpp): -p and -n are test sizes (each test's context is prompt +
// generated + depth tokens), option values are comma lists and ranges with one test each, no --fit, no projector.
TEST(RealReaders, LlamaBenchChecksItsLargestTest) {
  const std::string bench =
      "./llama-bench -hf unsloth/gemma-4-26B-A4B-it-GGUF:MXFP4_MOE -ngl 60 -ncmoe 16,20 "
      "-ub 256-1024*2 -t 8,10 -p 512,2048 -n 128 -d 0,4096\n";
  const Deployment d = read("bench.sh", bench).deployments.at(0);
  EXPECT_EQ(d.model->id, "gemma-4-26b-a4b");
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(2048 + 4096));  // the largest -p (2048) + the largest -d (4096)
  EXPECT_EQ(d.settings.ubatch, 1024U);                              // 256, 512, 1024: the largest
  EXPECT_EQ(d.cpu_moe_layers, 16U);                                 // the fewest expert layers on the CPU
  EXPECT_EQ(d.gpu_layers, std::optional<std::uint64_t>(60));
  EXPECT_EQ(d.settings.parallel, 1U);
  EXPECT_FALSE(d.fit_context);
  EXPECT_FALSE(d.fit_layers);
  EXPECT_FALSE(d.settings.vision);  // -hf loads no projector in llama-bench
  EXPECT_TRUE(d.warnings.empty()) << d.warnings.front().message;
  // Its defaults: pp512 and tg128, so 512 tokens; -pg adds prompt and generated tokens of one test; -fa 0,1 runs
  // a test without flash attention.
  EXPECT_EQ(read("b.sh", "llama-bench -m gemma-4-E4B-it-Q4_K_M.gguf\n").deployments.at(0).context,
            std::optional<std::uint64_t>(512));
  const Deployment pg = read("b.sh", "llama-bench -m gemma-4-E4B-it-Q4_K_M.gguf -pg 4096,256 -fa 0,1\n").deployments.at(0);
  EXPECT_EQ(pg.context, std::optional<std::uint64_t>(4096 + 256));
  EXPECT_FALSE(pg.settings.flash_attn);
  EXPECT_NE(read_error("b.sh", "llama-bench -m gemma-4-E4B-it-Q4_K_M.gguf -p 0 -n 0\n").find("runs no test"), std::string::npos);
  // A range's largest test, reached without walking it: 3-100000+7 ends at 3 + 14285 x 7 = 99998; a range past the
  // model's context is the reader's error, at once.
  EXPECT_EQ(read("b.sh", "llama-bench -m gemma-4-E4B-it-Q4_K_M.gguf -n 3-100000+7\n").deployments.at(0).context,
            std::optional<std::uint64_t>(99998));
  EXPECT_NE(read_error("b.sh", "llama-bench -m gemma-4-E4B-it-Q4_K_M.gguf -n 3-1000000000+7\n").find("above"), std::string::npos);
}

}  // namespace
}  // namespace fitcheck

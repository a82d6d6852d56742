// The files around server commands (tests/data/wrappers/*.yaml): one deployment per server with its name and
// the file's line, parameters expanded as compose does, several GPUs reported as not modelled, and the YAML
// bounds checked before yaml-cpp parses.
#include <gtest/gtest.h>

#include <functional>

#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "readers/readers.hpp"
#include "readers/shell_vars.hpp"
#include "readers/yaml_doc.hpp"
#include "support/test_support.hpp"

namespace fitcheck {
namespace {

readers::ReadResult read_fixture(const std::string& name) {
  const std::string path = std::string(FITCHECK_SOURCE_DIR) + "/tests/data/wrappers/" + name;
  return readers::read_deployments(builtin_catalog(), name, test::read_text(path), {});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.code() == Errc::data ? "" : "wrong code: ") + e.what();
  }
  return "no error";
}

const readers::VarLookup k_vars = readers::lookup_in({{"SET", "yes"}, {"EMPTY", ""}});

std::string expand(std::string_view text) { return readers::expand_parameters(text, k_vars).text; }

TEST(ShellVars, ExpandsAsComposeDoes) {
  EXPECT_EQ(expand("-c ${CTX:-8192}"), "-c 8192");            // unset: the default
  EXPECT_EQ(expand("${EMPTY:-d} ${EMPTY-d}"), "d ");          // ':-' also replaces empty, '-' only unset
  EXPECT_EQ(expand("${SET:-d} $SET ${SET}"), "yes yes yes");  // set: the value
  EXPECT_EQ(expand("${SET:+--flag} ${UNSET:+--flag}."), "--flag .");
  EXPECT_EQ(expand("${A:-${B:-inner}}"), "inner");  // a default is expanded in turn
  EXPECT_EQ(expand("$$HOME $${X:-1}"), "$HOME ${X:-1}");
  EXPECT_EQ(expand("${ARR[@]} costs $5"), "${ARR[@]} costs $5");  // not compose's: kept
  const readers::Expansion e = readers::expand_parameters("-m ${MODEL} $OTHER", k_vars);
  EXPECT_EQ(e.text, "-m ${MODEL} $OTHER");  // unset without a default: kept and listed
  EXPECT_EQ(e.unset, (std::vector<std::string>{"MODEL", "OTHER"}));
  // An expanded value is not expanded again.
  EXPECT_EQ(readers::expand_parameters("${A}", readers::lookup_in({{"A", "${B}"}, {"B", "x"}})).text, "${B}");
}

TEST(Wrappers, ComposeGivesOneDeploymentPerServer) {
  const readers::ReadResult r = read_fixture("compose.yaml");
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.deployments.size(), 2U);  // the web UI runs neither server
  const Deployment& small = r.deployments[0];
  EXPECT_EQ(small.name, "small");
  EXPECT_EQ(small.format, ConfigFormat::llama_cpp);  // image from the x-llama anchor (<<: merge key)
  EXPECT_EQ(small.line, 10U);                        // -m, in the folded command
  EXPECT_EQ(*small.context, 8192U);                  // ${CTX_SIZE:-8192}
  EXPECT_EQ(small.context_line, 11U);
  const Deployment& large = r.deployments[1];
  EXPECT_EQ(large.format, ConfigFormat::vllm);  // vllm/vllm-openai runs vllm serve
  EXPECT_EQ(large.line, 18U);                   // the list item after --model
  EXPECT_EQ(large.model->id, "gemma-4-31b");
  EXPECT_EQ(*large.context, 65536U);
  EXPECT_EQ(large.gpu_count, 1U);
}

TEST(Wrappers, SeveralGpusAreNotModelled) {
  const Deployment d = read_fixture("compose-two-gpus.yaml").deployments.at(0);
  EXPECT_EQ(d.gpu_count, 2U);  // device_ids ["0,1"]
  ASSERT_EQ(d.unmodelled.size(), 1U);
  EXPECT_NE(d.unmodelled[0].message.find("2 GPUs"), std::string::npos);
  // Even when checked (--lenient), a deployment over several GPUs never fits.
  const CheckResult c =
      check_deployment(builtin_catalog(), d, {builtin_catalog().find_hardware("h100-80g"), std::nullopt, 64ULL << 30, {}});
  EXPECT_FALSE(c.fits);
  EXPECT_NE(c.reason.find("several GPUs"), std::string::npos);
}

TEST(Wrappers, ShellEntrypointTakesTheCommandAsArguments) {
  const Deployment d = read_fixture("compose-script.yaml").deployments.at(0);
  EXPECT_EQ(d.model->id, "gemma-4-12b");
  EXPECT_EQ(d.line, 15U);
  EXPECT_EQ(*d.context, 16384U);
}

TEST(Wrappers, ScriptArraysAndEnvFileVariables) {
  // "${SPEC_ARGS[@]}" after "$@": the array's non-empty assignment, with the script's $_spec_n expanded.
  Deployment d = read_fixture("compose-script-spec.yaml").deployments.at(0);
  EXPECT_TRUE(d.unmodelled.empty());
  EXPECT_TRUE(d.vllm_settings.speculative);
  EXPECT_EQ(d.vllm_settings.drafter_model, "gemma-4-26b-a4b");
  EXPECT_EQ(d.vllm_settings.kv_cache_dtype, "int8_per_token_head");
  EXPECT_EQ(*d.gpu_memory_utilization, 0.94);
  // --env gives the ${VAR} of the compose file, as docker compose --env-file does.
  readers::ReadOptions options;
  options.env = {{"GPU_MEMORY_UTILIZATION", "0.96", 1, true}};
  const std::string path = std::string(FITCHECK_SOURCE_DIR) + "/tests/data/wrappers/compose-script-spec.yaml";
  d = readers::read_deployments(builtin_catalog(), "compose-script-spec.yaml", test::read_text(path), options).deployments.at(0);
  EXPECT_EQ(*d.gpu_memory_utilization, 0.96);
}

TEST(Wrappers, KubernetesContainersAndGpuLimits) {
  const readers::ReadResult r = read_fixture("kubernetes.yaml");
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.deployments.size(), 2U);  // the Service has no containers
  EXPECT_EQ(r.deployments[0].name, "Deployment/gemma/server");
  EXPECT_EQ(r.deployments[0].model->id, "gemma-4-12b");
  EXPECT_EQ(*r.deployments[0].gpu_memory_utilization, 0.9);
  EXPECT_EQ(r.deployments[1].name, "StatefulSet/llama/llama");
  EXPECT_EQ(r.deployments[1].gpu_count, 2U);  // nvidia.com/gpu: "2"
}

TEST(Wrappers, KServeAndHelmValuesRunVllm) {
  const Deployment k = read_fixture("kserve.yaml").deployments.at(0);
  EXPECT_EQ(k.model->id, "gemma-4-e4b");  // storageUri hf://google/gemma-4-E4B-it
  EXPECT_EQ(k.line, 10U);
  EXPECT_EQ(*k.context, 16384U);
  const readers::ReadResult h = read_fixture("helm-values.yaml");
  ASSERT_EQ(h.deployments.size(), 2U);
  EXPECT_EQ(h.deployments[0].name, "gemma-12b");
  EXPECT_EQ(*h.deployments[0].context, 32768U);                 // maxModelLen
  EXPECT_EQ(h.deployments[0].vllm_settings.max_num_seqs, 16U);  // extraArgs
  EXPECT_EQ(h.deployments[1].gpu_count, 2U);                    // requestGPU 2 (and tensorParallelSize 2)
}

TEST(Wrappers, LlamaSwapModelsWithMacros) {
  const readers::ReadResult r = read_fixture("llama-swap.yaml");
  ASSERT_EQ(r.deployments.size(), 1U);
  const Deployment& d = r.deployments[0];
  EXPECT_EQ(d.name, "gemma-e2b");
  EXPECT_EQ(d.settings.kv_type_k, "q8_0");  // from the ${common} macro
  EXPECT_EQ(*d.context, 32768U);
  EXPECT_EQ(d.context_line, 12U);
  // ${CONTEXT} is set nowhere: that model is an error at its line, the other is still read.
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].line(), 18U);
  EXPECT_NE(r.errors[0].reason().find("gemma-31b: -c expects"), std::string::npos);
}

TEST(Wrappers, YamlIsBoundedBeforeItIsParsed) {
  const auto load = [](const std::string& text) { return error_of([&] { readers::load_yaml("x.yaml", text); }); };
  EXPECT_NE(load(std::string(100, '[')).find("nested more than 64"), std::string::npos);
  EXPECT_NE(load("a:\n" + std::string(300, ' ') + "b: 1\n").find("x.yaml:2: indented 300 columns"), std::string::npos);
  std::string aliases = "a: &a 1\nb: [";
  for (int i = 0; i < 1001; ++i) aliases += "*a,";
  EXPECT_NE(load(aliases + "]\n").find("more than 1000 YAML aliases"), std::string::npos);
  EXPECT_NE(load("a: [1,\n").find("x.yaml:"), std::string::npos);  // yaml-cpp's error, with its line
  EXPECT_NE(error_of([] { read_fixture("../../golden/configs/unknown.txt"); }).find("cannot tell"), std::string::npos);
}

// yaml-cpp 0.7's LoadAll never returns on a document root that starts with ',' (', a', '--- ,a', '!t ,a'), nor on
// some block lines that do (tests/fuzz-regressions/yaml/timeout-vllm-recipe-variants.yaml): refused before it
// parses. A ',' inside brackets, quotes or a block scalar is YAML as written, and still parses.
TEST(Wrappers, YamlCommaLinesThatHangTheParserAreRefused) {
  const auto load = [](const std::string& text) { return error_of([&] { readers::load_yaml("x.yaml", text); }); };
  EXPECT_NE(load(", a: b\n").find("x.yaml:1: a line that starts with ','"), std::string::npos);
  EXPECT_NE(load("# c\n\t,x\n").find("x.yaml:2:"), std::string::npos);
  EXPECT_NE(load("a: b\n---\n,a\n").find("x.yaml:3:"), std::string::npos);
  EXPECT_NE(load("--- !tag &x ,a\n").find("x.yaml:1: a YAML document that starts with ','"), std::string::npos);
  EXPECT_NE(load("a:\n  b: c\n, meta: x\n").find("x.yaml:3:"), std::string::npos);
  // Only a block scalar's text may start a line with ','; in brackets or quotes it is refused too, since where those
  // end is yaml-cpp's to say (a '[' inside a plain scalar opens nothing: "gpu\n[memory_utilization").
  EXPECT_EQ(load("a: |\n  , b\nc: [x,\n y]\ne: >-\n    ,z\n"), "no error");
  EXPECT_NE(load("c: [x\n , y]\n").find("x.yaml:2:"), std::string::npos);
  EXPECT_NE(load("d: \"x\n , y\"\n").find("x.yaml:2:"), std::string::npos);
  EXPECT_NE(load("gpu\n[memory_utilization\n# c\n, meta: x\n").find("x.yaml:4:"), std::string::npos);
  // An escaped quote does not close a double-quoted scalar, and a block scalar's quotes and brackets are text: the
  // ',' line after them is still seen (tests/fuzz-regressions/yaml/timeout-club3090-spec-script.yaml).
  EXPECT_NE(load("a: \"x \\\" y\"\n, meta: x\n").find("x.yaml:2:"), std::string::npos);
  EXPECT_NE(load("a: |\n  echo \"it's [\n  x\nb: c\n, meta: x\n").find("x.yaml:5:"), std::string::npos);
}

// The same loop behind a ',' that follows a quoted value or a flow collection outside brackets ('"x",', '{a: 1},';
// tests/fuzz-regressions/config/timeout-quoted-scalar-comma.yaml): whatever the shape, a text its parser reads as
// more documents than check_bounds allows (k_max_yaml_documents '---' markers and one document before the first) is
// refused, with the line of the last one; 1000 '---' documents after a first one still load.
TEST(Wrappers, YamlTheParserCannotFinishIsRefused) {
  const auto load = [](const std::string& text) { return error_of([&] { readers::load_yaml("x.yaml", text); }); };
  EXPECT_NE(load("# c\n  \"x\",\n").find("x.yaml:2: YAML that its parser reads as endless empty documents"), std::string::npos);
  EXPECT_NE(load("{a: 1},\n").find("endless empty documents"), std::string::npos);
  std::string many = "a: 1\n";
  for (std::size_t i = 0; i < readers::k_max_yaml_documents; ++i) many += "---\na: 1\n";
  EXPECT_EQ(load(many), "no error");
}

}  // namespace
}  // namespace fitcheck

namespace fitcheck {
namespace {

readers::ReadResult read_text_as(const std::string& name, const std::string& text) {
  return readers::read_deployments(builtin_catalog(), name, text, {});
}

// llama-server's --models-preset INI: one deployment per model section at its line, [*] inherited and overridden
// by the section, switches as llama.cpp reads them ("mmap = off" is --no-mmap, "kv-unified = true" is -kvu).
TEST(Wrappers, LlamaPresetIniGivesOneDeploymentPerModel) {
  const std::string ini =
      "version = 1\n"                                                 // 1
      "[*]\n"                                                         // 2
      "ctx-size = 65536\n"                                            // 3
      "flash-attn = off\n"                                            // 4
      "mmap = off\n"                                                  // 5
      "\n"                                                            // 6
      "[small]\n"                                                     // 7
      "model = models/gemma-4-E2B-it-Q8_0.gguf\n"                     // 8
      "kv-unified = true\n"                                           // 9
      "parallel = 2\n"                                                // 10
      "[big]\n"                                                       // 11
      "LLAMA_ARG_HF_REPO = unsloth/gemma-4-31B-it-GGUF:UD-Q4_K_XL\n"  // 12
      "ctx-size = 8192\n";                                            // 13
  const readers::ReadResult r = read_text_as("models.ini", ini);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().what();
  ASSERT_EQ(r.deployments.size(), 2U);
  const Deployment& small = r.deployments[0];
  EXPECT_EQ(small.name, "small");
  EXPECT_EQ(small.line, 8U);
  EXPECT_EQ(small.model->id, "gemma-4-e2b");
  EXPECT_EQ(small.context, std::optional<std::uint64_t>(65536));  // from [*]
  EXPECT_FALSE(small.settings.flash_attn);
  EXPECT_TRUE(small.settings.kv_unified);
  EXPECT_EQ(small.settings.parallel, 2U);
  const Deployment& big = r.deployments[1];
  EXPECT_EQ(big.model->id, "gemma-4-31b");
  EXPECT_EQ(big.context, std::optional<std::uint64_t>(8192));  // the section wins over [*]
  EXPECT_EQ(big.context_line, 13U);
  // No parallel: llama-server's default of 4 slots sharing a unified cache (ggml-org/llama.cpp#16736).
  EXPECT_TRUE(big.settings.kv_unified);
  EXPECT_EQ(big.settings.parallel, 4U);
}

// A command whose spaces were lost in a post ("-c 131072--fit on") reads as llama.cpp's words, with a warning;
// a documentation placeholder ("<path-to-gemma4-12b-Q4_K_M.gguf>") names its model.
TEST(Wrappers, GluedOptionsAndPlaceholdersRead) {
  const Deployment d =
      readers::read_llama_command(builtin_catalog(), "run.sh", "llama-server -m gemma-4-12B-it-Q4_K_M.gguf -c 8192--fit off\n");
  EXPECT_EQ(d.context, std::optional<std::uint64_t>(8192));
  EXPECT_FALSE(d.fit_layers);  // --fit off was read
  ASSERT_FALSE(d.warnings.empty());
  EXPECT_NE(d.warnings.front().message.find("a space is missing"), std::string::npos);
  const Deployment p = readers::read_llama_command(builtin_catalog(), "run.sh",
                                                   "llama-completion -m \"<path-to-gemma4-12b-Q4_K_M.gguf>\" -c 4096\n");
  EXPECT_EQ(p.model->id, "gemma-4-12b");
  EXPECT_EQ(p.preset->id, "Q4_K_M");
}

// check --model: the model of a config that names none or names it by a path that does not tell, matched as the
// config's own kind names models; a name that tells is kept.
TEST(Wrappers, ModelHintNamesWhatTheConfigDoesNot) {
  readers::ReadOptions o;
  o.model = "gemma-4-31B-it-Q4_K_M.gguf";
  const auto read = [&](const std::string& text) {
    return readers::read_deployments(builtin_catalog(), "run.sh", text, o).deployments.at(0);
  };
  const Deployment path = read("llama-server -m /models/model.gguf -c 8192\n");
  EXPECT_EQ(path.model->id, "gemma-4-31b");
  EXPECT_EQ(path.preset->id, "Q4_K_M");
  EXPECT_EQ(read("llama-server -c 8192 -ngl 99\n").model->id, "gemma-4-31b");
  EXPECT_EQ(read("llama-server -m gemma-4-E2B-it-Q8_0.gguf\n").model->id, "gemma-4-e2b");  // the config's own
  // Without --model the same config is an error naming the file name.
  EXPECT_NE(error_of([] {
              readers::read_deployments(builtin_catalog(), "run.sh", "llama-server -m model.gguf\n", {});
            }).find("model.gguf"),
            std::string::npos);
  o.model = "google/gemma-4-12B-it";
  EXPECT_EQ(read("vllm serve ${MODEL_PATH} --max-model-len 8192\n").model->id, "gemma-4-12b");
  // Another family's model is not replaced.
  EXPECT_NE(error_of([&] { read("llama-server -m Qwen3-32B-Q4_K_M.gguf\n"); }).find("not a Gemma 4 model"), std::string::npos);
}

}  // namespace
}  // namespace fitcheck

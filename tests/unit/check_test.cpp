// fitcheck check's pieces: model names from config files, the line-aware config readers, vLLM's
// allocation rule by hand, and the deployment rules (Ollama's context per sequence, headroom).
#include <gtest/gtest.h>

#include <functional>

#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/names.hpp"
#include "fitcheck/speed.hpp"
#include "fitcheck/vllm.hpp"
#include "readers/readers.hpp"

namespace fitcheck {
namespace {

const Catalog& catalog() { return builtin_catalog(); }

std::string data_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code() == Errc::data ? std::string(e.what()) : "wrong code: " + std::string(e.what());
  }
  return "no error";
}

TEST(ModelNames, GgufFileNamesGiveModelAndPreset) {
  const ModelMatch m = match_gguf_file(catalog(), "/models/gemma-4-26B-A4B-it-Q4_K_M.gguf");
  EXPECT_EQ(m.model->id, "gemma-4-26b-a4b");
  EXPECT_EQ(m.preset->id, "Q4_K_M");
  // Split files and lower case; Q4_K_S must not be read as the shorter suffix of another preset.
  const ModelMatch split = match_gguf_file(catalog(), "gemma-4-31b-it-q4_k_s-00001-of-00002.gguf");
  EXPECT_EQ(split.model->id, "gemma-4-31b");
  EXPECT_EQ(split.preset->id, "Q4_K_S");
  EXPECT_NE(data_error([] { match_gguf_file(catalog(), "llama-3-8b-Q4_K_M.gguf"); }).find("is not a Gemma 4 model"),
            std::string::npos);
  EXPECT_TRUE(names_other_family(data_error([] { match_hf_repo(catalog(), "unsloth/Qwen3.5-9B-GGUF"); })));
  EXPECT_NE(data_error([] { match_gguf_file(catalog(), "model.gguf"); }).find("cannot tell the model"), std::string::npos);
  EXPECT_NE(data_error([] { match_gguf_file(catalog(), "gemma-4-31B-it.gguf"); }).find("cannot tell the quantization"),
            std::string::npos);
  EXPECT_NE(data_error([] { match_gguf_file(catalog(), "model.gguf"); }).find("--model"), std::string::npos);
}

// File names as people publish and rename them (each from a config in tests/data/real): publisher recipes,
// QAT files, a model name without dashes, a quant inside the name, an imatrix prefix, Windows paths.
TEST(ModelNames, PublishedAndRenamedFiles) {
  const struct {
    const char* file;
    const char* model;
    const char* weights;
  } cases[] = {
      {"gemma-4-31B-it-UD-Q4_K_XL.gguf", "gemma-4-31b", "UD-Q4_K_XL"},
      {"gemma-4-26B-A4B-it-qat-UD-Q4_K_XL.gguf", "gemma-4-26b-a4b", "QAT-UD-Q4_K_XL"},  // the -qat repo's own file
      {"<drive>\\models\\chat\\gemma4-12b-it-qat-q4.gguf", "gemma-4-12b", "QAT-Q4_0"},
      {"gemma-4-31B_q4_0-it.gguf", "gemma-4-31b", "Q4_0"},
      {"models/Gemma4-31B-Q8_0.gguf", "gemma-4-31b", "Q8_0"},
      {".\\models\\gemma-4-26B-A4B.i1-IQ3_XS\\gemma-4-26B-A4B.i1-IQ3_XS.gguf", "gemma-4-26b-a4b", "IQ3_XS"},
      {"gemma-4-26B-A4B-it-MXFP4_MOE.gguf", "gemma-4-26b-a4b", "MXFP4"},
      {"google_gemma-4-E2B-it-Q4_K_L.gguf", "gemma-4-e2b", "Q4_K_L"},
      {"gemma-4-E4B-it-bf16.gguf", "gemma-4-e4b", "BF16"},
  };
  for (const auto& c : cases) {
    const ModelMatch m = match_gguf_file(catalog(), c.file);
    EXPECT_EQ(m.model->id, c.model) << c.file;
    EXPECT_EQ(m.preset->id, c.weights) << c.file;
  }
  // unsloth's -hf tags name the UD files without the UD- prefix.
  EXPECT_EQ(match_hf_repo(catalog(), "unsloth/gemma-4-26B-A4B-it-GGUF:Q4_K_XL").preset->id, "UD-Q4_K_XL");
  EXPECT_EQ(match_hf_repo(catalog(), "unsloth/gemma-4-26B-A4B-it-qat-GGUF:Q4_K_XL").preset->id, "QAT-UD-Q4_K_XL");
}

// The 12B as its publishers and runtimes name it (unsloth's files are lower case).
TEST(ModelNames, TwelveBInEveryNaming) {
  EXPECT_EQ(match_gguf_file(catalog(), "gemma-4-12b-it-Q8_0.gguf").model->id, "gemma-4-12b");
  EXPECT_EQ(match_hf_repo(catalog(), "unsloth/gemma-4-12b-it-GGUF:Q6_K").preset->id, "Q6_K");
  EXPECT_EQ(match_ollama_tag(catalog(), "gemma4:12b").model->id, "gemma-4-12b");
  EXPECT_EQ(match_hf_id(catalog(), "google/gemma-4-12B-it").model->id, "gemma-4-12b");
}

TEST(ModelNames, HfRepoDefaultsToTheLlamaCppDefaultQuant) {
  const ModelMatch tagged = match_hf_repo(catalog(), "ggml-org/gemma-4-E2B-it-GGUF:Q8_0");
  EXPECT_EQ(tagged.model->id, "gemma-4-e2b");
  EXPECT_EQ(tagged.preset->id, "Q8_0");
  // No :QUANT is llama.cpp's default preset, in the publisher's mix where the catalog has one.
  EXPECT_EQ(match_hf_repo(catalog(), "ggml-org/gemma-4-31B-it-GGUF").preset->id, catalog().deployment.hf_default_preset);
  EXPECT_EQ(match_hf_repo(catalog(), "unsloth/gemma-4-31B-it-GGUF").preset->base, catalog().deployment.hf_default_preset);
  EXPECT_NE(data_error([] { match_hf_repo(catalog(), "ggml-org/gemma-4-E2B-it-GGUF:Q9_9"); }).find("unknown quantization"),
            std::string::npos);
  // A publisher's own mix of a preset, where the catalog has one (tests/data/published-files.csv holds the sizes).
  EXPECT_EQ(match_hf_repo(catalog(), "ggml-org/gemma-4-E2B-it-GGUF:Q4_0").preset->id, "ggml-org-Q4_0");
  EXPECT_EQ(match_hf_repo(catalog(), "unsloth/gemma-4-E4B-it-GGUF:Q4_K_M").preset->id, "unsloth-Q4_K_M");
  EXPECT_EQ(match_hf_repo(catalog(), "bartowski/google_gemma-4-E4B-it-GGUF:Q4_K_M").preset->id, "bartowski-Q4_K_M");
  EXPECT_EQ(match_hf_repo(catalog(), "bartowski/google_gemma-4-E4B-it-GGUF:Q6_K").preset->id, "Q6_K");  // no mix known
  // bartowski's file names carry his prefix: a bare path is his mix too.
  EXPECT_EQ(match_gguf_file(catalog(), "/models/google_gemma-4-26B-A4B-it-Q4_K_M.gguf").preset->id, "bartowski-Q4_K_M");
  EXPECT_EQ(match_gguf_file(catalog(), "/models/google_gemma-4-26B-A4B-it-Q4_K_L.gguf").preset->id, "Q4_K_L");
  EXPECT_EQ(match_gguf_file(catalog(), "/models/gemma-4-26B-A4B-it-Q4_K_M.gguf").preset->id, "Q4_K_M");
  EXPECT_EQ(match_hf_repo(catalog(), "unsloth/gemma-4-31B-it-qat-GGUF:Q4_0").preset->id, "QAT-Q4_0");
}

TEST(ModelNames, OllamaTagsWithAndWithoutQuantization) {
  const ModelMatch plain = match_ollama_tag(catalog(), "gemma4:e4b");
  EXPECT_EQ(plain.model->id, "gemma-4-e4b");
  // The library's blobs are Ollama's own quantizer's: the default preset's rules, per-layer table in BF16.
  EXPECT_EQ(plain.preset->id, "ollama-" + catalog().deployment.ollama.default_preset);
  EXPECT_EQ(plain.preset->base, catalog().deployment.ollama.default_preset);
  const ModelMatch q8 = match_ollama_tag(catalog(), "gemma4:26b-a4b-it-q8_0");
  EXPECT_EQ(q8.model->id, "gemma-4-26b-a4b");
  EXPECT_EQ(q8.preset->id, "ollama-Q8_0");
  EXPECT_EQ(match_ollama_tag(catalog(), "gemma4:31b-it-fp16").preset->id, "F16");
  EXPECT_EQ(match_ollama_tag(catalog(), "hf.co/ggml-org/gemma-4-E4B-it-GGUF:Q4_0").preset->id, "ggml-org-Q4_0");
  // The -it-qat tags are Google's QAT Q4_0 files: the model layer of https://registry.ollama.ai/v2/library/gemma4/
  // manifests/e4b-it-qat is 5,154,939,136 bytes, google/gemma-4-E4B-it-qat-q4_0-gguf's gemma-4-E4B_q4_0-it.gguf
  // (tests/data/published-files.csv); gemma4:26b-a4b-it-qat is the tag of ollama/ollama PR #16744.
  const ModelMatch qat = match_ollama_tag(catalog(), "gemma4:e4b-it-qat");
  EXPECT_EQ(qat.model->id, "gemma-4-e4b");
  EXPECT_EQ(qat.preset->id, "QAT-Q4_0");
  EXPECT_EQ(match_ollama_tag(catalog(), "gemma4:26b-a4b-it-qat").preset->id, "QAT-Q4_0");
  EXPECT_NE(data_error([] { match_ollama_tag(catalog(), "gemma3:27b"); }).find("Ollama tag"), std::string::npos);
  // "e2bx" is not the e2b tag followed by a suffix.
  EXPECT_NE(data_error([] { match_ollama_tag(catalog(), "gemma4:e2bx"); }).find("Ollama tag"), std::string::npos);
}

TEST(ModelNames, HuggingFaceIdsMeanBf16) {
  const ModelMatch m = match_hf_id(catalog(), "google/gemma-4-31B-it");
  EXPECT_EQ(m.model->id, "gemma-4-31b");
  EXPECT_EQ(m.preset->id, "BF16");
  EXPECT_EQ(match_hf_id(catalog(), "/srv/models/gemma-4-E2B-it/").model->id, "gemma-4-e2b");
}

TEST(ConfigText, ShellWordsKeepLinesQuotesAndContinuations) {
  const auto words = readers::shell_words("f", "# comment\nllama-server -m 'a b.gguf' \\\n  -c \"8 192\"; echo x\n");
  std::vector<std::string> texts;
  for (const auto& w : words) texts.push_back(w.text);
  const std::vector<std::string> expected = {"\n", "llama-server", "-m", "a b.gguf", "-c", "8 192", ";", "echo", "x", "\n"};
  EXPECT_EQ(texts, expected);
  EXPECT_EQ(words[1].line, 2U);  // after the comment line
  EXPECT_EQ(words[4].line, 3U);  // -c, after the continuation
  EXPECT_NE(data_error([] { readers::shell_words("f", "llama-server -m 'open\n"); }).find("f:1: unterminated quote"),
            std::string::npos);
}

TEST(ConfigText, ErrorsKeepTheirFirstPlace) {
  // An error without a place takes the line at_line gives it; one that already names a file keeps its own.
  try {
    readers::at_line("outer.sh", 7,
                     [] { return readers::at_line("inner.yaml", 2, []() -> int { throw Error(Errc::usage, "bad"); }); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::data);
    EXPECT_EQ(std::string(e.what()), "inner.yaml:2: bad");
    EXPECT_EQ(e.file(), "inner.yaml");
    EXPECT_EQ(e.line(), 2U);
    EXPECT_EQ(e.reason(), "bad");
  }
}

TEST(ConfigText, FlatYamlKeepsLinesAndMarksNestedValues) {
  const auto entries =
      readers::flat_yaml("v.yaml", "# c\nmodel: \"google/x\"  \nmax_model_len: 8192 # tokens\nlimits:\n  image: 0\n");
  ASSERT_EQ(entries.size(), 3U);
  EXPECT_EQ(entries[0].value, "google/x");
  EXPECT_EQ(entries[1].value, "8192");
  EXPECT_EQ(entries[1].line, 3U);
  EXPECT_FALSE(entries[2].scalar);
  EXPECT_NE(data_error([] { readers::flat_yaml("v.yaml", "model google/x\n"); }).find("v.yaml:1: expected 'key: value'"),
            std::string::npos);
}

TEST(Vllm, SequenceBlocksByHand) {
  // E2B: 35 layers in SSSSF groups, the last 20 share earlier layers' KV, so layers 0-14 own a cache:
  // full layers 4, 9, 14 (1 KV head x 512) and 12 sliding layers (1 KV head x 256), window 512.
  // BF16 ("auto", 2 bytes), K and V: full 2 x 512 x 2 = 2048 bytes per token, sliding 2 x 256 x 2 = 1024.
  // vLLM unifies the page size: every page is 16 tokens x 2048 bytes = 32 KiB, so a sliding layer's block
  // holds 32 tokens. max_model_len 8192, max_num_batched_tokens 2048:
  //   full: 8192 / 16 = 512 blocks x 32 KiB x 3 layers                      = 50,331,648
  //   sliding: min(511 + 2048, 8192) = 2559 -> ceil(2559 / 32) + 1 = 81 blocks
  //            81 x 32 KiB x 12 layers                                       = 31,850,496
  const Model& e2b = catalog().find_model("gemma-4-e2b");
  VllmSettings s;
  s.max_model_len = 8192;
  s.max_num_batched_tokens = 2048;
  s.max_num_seqs = 256;
  ASSERT_EQ(catalog().deployment.vllm.block_size, 16U);
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), e2b, s, 8192), 50331648U + 31850496U);
  s.kv_cache_dtype = "fp8";  // one byte per element: half
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), e2b, s, 8192), (50331648U + 31850496U) / 2);
  // Two tensor-parallel ranks: one KV head cannot be split, so each rank keeps it whole.
  s.tensor_parallel_size = 2;
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), e2b, s, 8192), (50331648U + 31850496U) / 2);
  // A request shorter than the sliding span: sliding layers still take their spare block (no cap at the
  // full layers' count). 1000 tokens: full ceil(1000 / 16) = 63 blocks, sliding ceil(1000 / 32) + 1 = 33.
  s.tensor_parallel_size = 1;
  s.kv_cache_dtype = "auto";
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), e2b, s, 1000), (63U * 3 + 33U * 12) * 32768U);
}

TEST(Vllm, Gemma31bGlobalLayersHoldTwiceTheTokensPerBlock) {
  // 31B: 50 sliding layers of 16 KV heads x 256 and 10 full layers of 4 KV heads x 512 (K = V, both stored,
  // as vLLM's gemma4.py loads K's weights into the V slot). BF16 bytes per token: sliding 2 x 16 x 256 x 2 =
  // 16,384; full 2 x 4 x 512 x 2 = 8192, so a full layer's 256 KiB page holds 32 tokens.
  // max_model_len 262,144, max_num_batched_tokens 8192:
  //   full: 262,144 / 32 = 8192 blocks x 262,144 bytes x 10 layers          = 21,474,836,480
  //   sliding: min(1023 + 8192, 262,144) = 9215 -> ceil(9215 / 16) + 1 = 577 blocks
  //            577 x 262,144 x 50 layers                                     =  7,562,854,400
  const Model& m = catalog().find_model("gemma-4-31b");
  VllmSettings s;
  s.max_num_batched_tokens = 8192;
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), m, s, 262144), 21474836480U + 7562854400U);
}

TEST(Vllm, GemmaKvPerRequestAgreesWithAPublishedA100Boot) {
  // vllm-project/vllm#43308 (vLLM 0.21.0, gemma-4-31B-it AWQ on an A100 80GB, gpu_memory_utilization 0.9):
  // "GPU KV cache size ~525k tokens" from "~50 GB" of KV memory. vLLM logs max_concurrency x max_model_len;
  // no max_model_len is given, so the default, 262,144. On an A100, max_num_batched_tokens is 2048:
  //   full 262,144 x 8192 x 10 = 21,474,836,480; sliding (ceil(3071 / 16) + 1) = 193 blocks x 262,144 x 50
  //   = 2,529,689,600; one request 24,004,526,080 bytes; 50e9 / that = 2.08 requests = 546k tokens (+4%).
  // Both figures are rounded, so the test allows 15%; counting K = V once with 16 heads (club-3090
  // KV_MATH.md) would give 288k, which it rejects.
  const Model& m = catalog().find_model("gemma-4-31b");
  VllmSettings s = vllm_defaults(catalog(), m, catalog().find_hardware("a100-80g"));
  const std::uint64_t request = vllm_sequence_kv_bytes(catalog(), m, s, s.max_model_len);
  const double tokens = 50e9 / static_cast<double>(request) * static_cast<double>(s.max_model_len);
  EXPECT_NEAR(tokens, 525000.0, 525000.0 * 0.15);
}

TEST(Vllm, PerTokenHeadScalesReproduceMeasuredPools) {
  // vllm-project/vllm#40388 (comment by sergeykad, vLLM 0.26.0): gemma-4-26B-A4B-it on an L40S, TP 1,
  // --max-model-len 32768, the same 15.18 GiB of KV memory, only --kv-cache-dtype changed:
  //   fp8: 417,022 tokens, 12.73x; fp8_per_token_head: 325,335 tokens, 9.93x.
  // 26B A4B: 25 sliding layers of 8 KV heads x 256, 5 full layers of 2 x 512. max_num_batched_tokens is not
  // stated; 8192 is the value under which fp8's pool comes out, and the per-token-head pool then follows from
  // the page rule alone:
  //   fp8: sliding 8 x 2 x 256 = 4096 bytes a token (64 KiB pages of 16 tokens), full 2 x 2 x 512 = 2048, a
  //   divisor: 32 tokens a page. full 5 x 32768 / 32 = 5120 pages; sliding 25 x (ceil((1023 + 8192) / 16) + 1)
  //   = 25 x 577 = 14,425 pages; (5120 + 14,425) x 65,536 = 1,280,901,120 bytes a request.
  //   fp8_per_token_head: each head adds a float32 scale for K and for V: sliding 8 x (512 + 8) = 4160 bytes a
  //   token, full 2 x (1024 + 8) = 2064, not a divisor of 4160: its page is padded to 16 x 4160 = 66,560 bytes
  //   and holds 16 tokens. full 5 x 2048 = 10,240 pages; sliding 14,425; (10,240 + 14,425) x 66,560 =
  //   1,641,702,400 bytes.
  const Model& m = catalog().find_model("gemma-4-26b-a4b");
  VllmSettings s;
  s.max_num_batched_tokens = 8192;
  s.kv_cache_dtype = "fp8";
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), m, s, 32768), 1280901120U);
  s.kv_cache_dtype = "fp8_per_token_head";
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), m, s, 32768), 1641702400U);
  s.kv_cache_dtype = "int8_per_token_head";  // the same layout with int8 elements
  EXPECT_EQ(vllm_sequence_kv_bytes(catalog(), m, s, 32768), 1641702400U);
  // The same budget holds pools in the inverse ratio of these: 1,280,901,120 / 1,641,702,400 = 0.78023 against the
  // measured 325,335 / 417,022 = 0.78014. And 15.18 GiB (rounded to 0.01 GiB) over each gives the concurrency
  // vLLM printed, 12.72 (12.73) and 9.93.
  EXPECT_NEAR(1280901120.0 / 1641702400.0, 325335.0 / 417022.0, 0.0005);
  const double budget = 15.18 * 1073741824.0;
  EXPECT_NEAR(budget / 1280901120.0, 12.73, 0.01);
  EXPECT_NEAR(budget / 1641702400.0, 9.93, 0.01);
}

TEST(Vllm, MtpDrafterAddsItsCheckpointAndTheRejectionSampler) {
  // The 31B's assistant, as vLLM's gemma4_mtp.py builds it (V 262,144, h 1024, I 8192, backbone B 5376,
  // 32 heads; 3 sliding layers of head 256, 1 full of 512):
  //   embed V x h 268,435,456 + pre_projection 2B x h 11,010,048 + post_projection h x B 5,505,024
  //   + sliding layer (q h x 8192 + o 8192 x h + q_norm 256 + MLP 3 x h x I + 4 norms h + scalar 1) 41,947,393 x 3
  //   + full layer (q and o h x 16,384 each, q_norm 512, MLP, norms, scalar) 58,724,865 + final norm 1024
  //   = 469,518,596 parameters x 2 bytes = 939,037,192.
  const Model& m = catalog().find_model("gemma-4-31b");
  ASSERT_TRUE(m.drafter);
  EXPECT_EQ(m.drafter->checkpoint_bytes, 2U * (268435456U + 11010048U + 5505024U + 3U * 41947393U + 58724865U + 1024U));
  const Hardware& h100 = catalog().find_hardware("h100-80g");
  VllmSettings s = vllm_defaults(catalog(), m, h100);
  s.max_model_len = 32768;
  const VllmPlan plain = vllm_plan(catalog(), m, h100, s);
  s.speculative = true;
  s.drafter_model = m.id;
  const VllmPlan drafted = vllm_plan(catalog(), m, h100, s);
  EXPECT_EQ(drafted.drafter_bytes, 939037192U);
  EXPECT_EQ(drafted.weights_bytes, plain.weights_bytes + drafted.drafter_bytes);
  // No KV of its own: every draft layer reads the target's cache.
  EXPECT_EQ(drafted.sequence_kv_bytes, plain.sequence_kv_bytes);
  // The warm-up's rejection sampler: logits and probabilities of 2 x min(max_num_seqs, batched tokens) rows,
  // min(1024, 8192) x 262,144 x 4 bytes x 2 more; and the drafter's profiled share beyond its weights, fitted
  // (data/deployments.json vllm.memory.drafter_profile_factor 2.43): ceil(939,037,192 x 2.43) = 2,281,860,377.
  EXPECT_EQ(drafted.drafter_profile_bytes, 2281860377U);
  EXPECT_EQ(drafted.activation_bytes - plain.activation_bytes, 1024ULL * 262144 * 4 * 2 + 2281860377ULL);
  // Outside its share vLLM holds the CUDA context it found at start (0.63 GiB) and, with the drafter, its late
  // graph capture (512 MiB): 676,457,349 + 536,870,912.
  EXPECT_EQ(plain.outside_need_bytes, 676457349U);
  EXPECT_EQ(drafted.outside_need_bytes, 676457349U + 536870912U);
}

TEST(Vllm, ShareOfTheTotalCudaReports) {
  // A measured total (the RTX 3090's 23.56 GiB, data/hardware.json cuda_reported_bytes) is vLLM's base; an NVIDIA
  // GPU without one is its driver-reported memory less 512 MiB; other GPUs (here Apple's) their memory.
  const Hardware& rtx3090 = catalog().find_hardware("rtx3090-24g");
  EXPECT_EQ(vllm_reported_bytes(catalog(), rtx3090), 25297357373U);
  const Hardware& h100 = catalog().find_hardware("h100-80g");
  EXPECT_EQ(vllm_reported_bytes(catalog(), h100), h100.memory_bytes - 536870912U);
  const Hardware& mac = catalog().find_hardware("m3max40c-128g");
  EXPECT_EQ(vllm_reported_bytes(catalog(), mac), mac.memory_bytes);
}

TEST(Vllm, CudaGraphsOneASizeInEachMode) {
  // vllm/config/vllm.py _set_cudagraph_sizes: sizes [1, 2, 4] + 8..248 step 8 + 256..512 step 16, up to
  // min(max_num_seqs x decode query x 2, 512, max_num_batched_tokens); FULL graphs up to max_num_seqs x decode query.
  VllmSettings s;
  s.max_num_seqs = 256;
  s.max_num_batched_tokens = 8192;
  // No drafter: up to min(512, 512, 8192) = 512, all 51 sizes PIECEWISE; FULL up to 256: 3 + 31 + 1 = 35.
  EXPECT_EQ(vllm_cudagraph_count(catalog(), s), 51U + 35U);
  // Four sequences and an MTP drafter of 4 tokens (decode query 5): up to min(40, 512, 2048) = 40; the sizes
  // 1, 2, 4, 8, 16, 24, 32, 40 round up to multiples of 5: 5, 10, 20, 25, 35, 40 PIECEWISE; FULL up to 20: 3.
  s.max_num_seqs = 4;
  s.max_num_batched_tokens = 2048;
  s.speculative = true;
  s.speculative_tokens = 4;
  EXPECT_EQ(vllm_cudagraph_count(catalog(), s), 6U + 3U);
  // 32 sequences and one draft token: up to 128, sizes rounded to even: 2, 4, 8..128 (18), FULL up to 64 (10),
  // the counts vllm-project/vllm#41789 printed ("PIECEWISE=18 (largest=128), FULL=10 (largest=64)").
  s.max_num_seqs = 32;
  s.speculative_tokens = 1;
  EXPECT_EQ(vllm_cudagraph_count(catalog(), s), 18U + 10U);
  s.cuda_graphs = false;  // --enforce-eager
  EXPECT_EQ(vllm_cudagraph_count(catalog(), s), 0U);
}

TEST(Vllm, WhatStaysOutsideTheShareMustFitTheRest) {
  // vLLM refuses to start when the memory free at its start is below its share: on a 23.56 GiB RTX 3090 the
  // 0.63 GiB in use then fits outside 0.97 (0.03 x 23.56 = 0.71 GiB) and not outside 0.98 (0.47 GiB).
  const Model& m = catalog().find_model("gemma-4-e2b");
  const Hardware& rtx3090 = catalog().find_hardware("rtx3090-24g");
  VllmSettings s = vllm_defaults(catalog(), m, rtx3090);
  s.max_model_len = 8192;
  s.gpu_memory_utilization = 0.97;
  EXPECT_TRUE(vllm_plan(catalog(), m, rtx3090, s).starts);
  s.gpu_memory_utilization = 0.98;
  const VllmPlan tight = vllm_plan(catalog(), m, rtx3090, s);
  EXPECT_FALSE(tight.starts);
  EXPECT_FALSE(tight.fits);
  EXPECT_GT(tight.sequences, 0U);  // the KV blocks would hold it: it is what stays outside that does not fit
}

TEST(Vllm, PlanAddsUpAndFindsTheLongestRequest) {
  const Model& m = catalog().find_model("gemma-4-31b");
  const Hardware& h100 = catalog().find_hardware("h100-80g");
  VllmSettings s = vllm_defaults(catalog(), m, h100);
  // 80 GB and not an A100: the large-GPU batch defaults of the OpenAI server.
  EXPECT_EQ(s.max_num_batched_tokens, 8192U);
  EXPECT_EQ(s.max_num_seqs, 1024U);
  EXPECT_EQ(vllm_defaults(catalog(), m, catalog().find_hardware("a100-80g")).max_num_batched_tokens, 2048U);
  s.max_model_len = 32768;
  const VllmPlan p = vllm_plan(catalog(), m, h100, s);
  // vLLM's default share since v0.21, 0.92, of the total CUDA reports (driver-reported memory less 512 MiB).
  EXPECT_EQ(p.reported_bytes, h100.memory_bytes - 536870912U);
  EXPECT_EQ(p.usable_bytes, static_cast<std::uint64_t>(static_cast<double>(p.reported_bytes) * 0.92));
  EXPECT_EQ(p.kv_bytes + p.weights_bytes + p.activation_bytes + p.non_torch_bytes + p.cudagraph_bytes, p.usable_bytes);
  // 1024 sequences: all 51 sizes in both modes, 102 graphs x 60 layers x 172,566 bytes (fitted on
  // vllm-project/vllm#41789).
  EXPECT_EQ(p.cudagraph_bytes, 102ULL * 60 * 172566);
  EXPECT_EQ(p.outside_bytes, p.reported_bytes - p.usable_bytes);
  EXPECT_EQ(p.sequences, p.kv_bytes / p.sequence_kv_bytes);
  EXPECT_TRUE(p.fits);
  // The longest request fits and one token more does not.
  EXPECT_LE(vllm_sequence_kv_bytes(catalog(), m, s, p.max_model_len_fit), p.kv_bytes);
  if (p.max_model_len_fit < m.max_context) {
    EXPECT_GT(vllm_sequence_kv_bytes(catalog(), m, s, p.max_model_len_fit + 1), p.kv_bytes);
  }
}

TEST(Vllm, SpeculativeConfigsReadAsVllmLoadsThem) {
  const auto read = [](const std::string& spec) {
    return readers::read_vllm(
        catalog(), "serve.sh",
        "vllm serve Intel/gemma-4-31B-it-int4-AutoRound --max-model-len 8192 --speculative-config '" + spec + "'\n");
  };
  // Gemma 4's assistant as the draft model (vLLM detects its MTP method), or the method named outright.
  Deployment d = read(R"({"model":"google/gemma-4-31B-it-assistant","num_speculative_tokens":4})");
  EXPECT_TRUE(d.unmodelled.empty());
  EXPECT_TRUE(d.vllm_settings.speculative);
  EXPECT_EQ(d.vllm_settings.drafter_model, "gemma-4-31b");
  EXPECT_EQ(d.vllm_settings.speculative_tokens, 4U);  // sizes its CUDA graphs
  EXPECT_EQ(d.preset->id, "AutoRound-int4");
  d = read(R"({"method":"mtp","num_speculative_tokens":2})");  // no model: the target's own drafter
  EXPECT_EQ(d.vllm_settings.drafter_model, "gemma-4-31b");
  EXPECT_EQ(d.vllm_settings.speculative_tokens, 2U);
  EXPECT_TRUE(d.vllm_settings.cuda_graphs);
  d = read(R"({"method":"ngram","num_speculative_tokens":3,"prompt_lookup_max":4})");  // no weights
  EXPECT_TRUE(d.vllm_settings.speculative);
  EXPECT_TRUE(d.vllm_settings.drafter_model.empty());
  EXPECT_TRUE(d.unmodelled.empty());
  // Drafters fitcheck does not model, and text that is no JSON object, stay not modelled.
  for (const char* other : {R"({"method":"eagle3","model":"someone/eagle-head","num_speculative_tokens":3})",
                            R"({"model":"someone/small-draft","num_speculative_tokens":3})", "not json"}) {
    d = read(other);
    ASSERT_EQ(d.unmodelled.size(), 1U) << other;
    EXPECT_NE(d.unmodelled[0].message.find("loads a drafter"), std::string::npos) << other;
    EXPECT_FALSE(d.vllm_settings.speculative) << other;
  }
}

TEST(Vllm, EnforceEagerCapturesNoGraphs) {
  const auto graphs = [](const std::string& text) {
    return readers::read_vllm(catalog(), "serve.sh", text).vllm_settings.cuda_graphs;
  };
  EXPECT_FALSE(graphs("vllm serve google/gemma-4-E2B-it --enforce-eager --max-model-len 8192\n"));
  EXPECT_FALSE(graphs("model: google/gemma-4-E2B-it\nenforce_eager: true\n"));
  EXPECT_TRUE(graphs("model: google/gemma-4-E2B-it\nenforce_eager: false\n"));
  EXPECT_TRUE(graphs("vllm serve google/gemma-4-E2B-it --max-model-len 8192\n"));
}

TEST(Vllm, AutoRoundMethodTakesItsBitsFromTheName) {
  const auto preset = [](const std::string& model) {
    return readers::read_vllm(catalog(), "serve.sh", "vllm serve " + model + " --quantization auto_round\n").preset->id;
  };
  EXPECT_EQ(preset("/models/gemma-4-12b-int8"), "AutoRound-int8");
  EXPECT_EQ(preset("/models/gemma-4-12b-int4"), "AutoRound-int4");
  EXPECT_EQ(preset("/models/gemma-4-12b-it"), "AutoRound-int4");  // AutoRound's default scheme, W4A16
}

readers::ReadOptions with_env(std::vector<readers::Entry> env) {
  readers::ReadOptions o;
  o.env = std::move(env);
  o.env_source = "test.env";
  return o;
}

TEST(Ollama, EachParallelSequenceGetsTheContext) {
  const Deployment d = readers::read_modelfile(catalog(), "Modelfile", "FROM gemma4:e2b\nPARAMETER num_ctx 8192\n",
                                               with_env({{"OLLAMA_NUM_PARALLEL", "3", 1, true}}));
  // Ollama runs llama.cpp with num_ctx x OLLAMA_NUM_PARALLEL = 8192 x 3.
  EXPECT_EQ(deployment_context(catalog(), d, catalog().find_hardware("rtx3060-12g")), 24576U);
  EXPECT_TRUE(d.settings.vision);  // the library's gemma4 blobs carry the projector
}

TEST(Ollama, DefaultContextFollowsTheVramTiers) {
  const Deployment d = readers::read_modelfile(catalog(), "Modelfile", "FROM gemma4:31b\n", with_env({}));
  // ollama/ollama server/routes.go L2048-2058 at fb30760: >= 47 GiB -> 262144, >= 23 GiB -> 32768, else 4096.
  EXPECT_EQ(deployment_context(catalog(), d, catalog().find_hardware("rtx3060-12g")), 4096U);
  EXPECT_EQ(deployment_context(catalog(), d, catalog().find_hardware("rtx4090-24g")), 32768U);
  EXPECT_EQ(deployment_context(catalog(), d, catalog().find_hardware("h100-80g")), 262144U);
}

TEST(Ollama, QuantizedKvNeedsFlashAttention) {
  const Deployment d =
      readers::read_modelfile(catalog(), "Modelfile", "FROM gemma4:e2b\n",
                              with_env({{"OLLAMA_FLASH_ATTENTION", "0", 1, true}, {"OLLAMA_KV_CACHE_TYPE", "q8_0", 2, true}}));
  EXPECT_EQ(d.settings.kv_type_k, "f16");
  EXPECT_FALSE(d.settings.flash_attn);
}

TEST(Ollama, ParallelSequencesRunAsLlamaServerSlots) {
  // Ollama starts llama-server with -c num_ctx x parallel -np parallel -b num_batch -ub num_batch
  // (llm/llama_server.go). Four sequences of 8192, num_batch 512: four streams of 8192 full cells, and
  // sliding cells per stream pad256(1024 + 512) = 1536 for the 26B (window 1024).
  const Deployment d = readers::read_modelfile(catalog(), "Modelfile", "FROM gemma4:26b\nPARAMETER num_ctx 8192\n",
                                               with_env({{"OLLAMA_NUM_PARALLEL", "4", 1, true}}));
  EXPECT_EQ(d.settings.batch, 512U);
  EXPECT_EQ(d.settings.ubatch, 512U);
  const CheckResult r = check_deployment(catalog(), d, {catalog().find_hardware("l40s-48g"), std::nullopt, 0, Headroom{}});
  const KvDetail& kv = r.footprint.value().kv;
  EXPECT_EQ(kv.streams, 4U);
  EXPECT_EQ(kv.full_cells, 8192U);
  EXPECT_EQ(kv.sliding_cells, 1536U);
}

TEST(Ollama, LibraryDefaultIsTheQ4KMMix) {
  // ollama/ollama#15388 (April 2026, gemma4:26b on an L40) logs Ollama's allocation for the library blob:
  // required.CUDA0.Weights of the 30 decoder layers sum to 16,173,243,136 bytes. fitcheck's tensor-by-tensor
  // Q4_K_M plan gives 16,174,628,800 (-0.009%): the untagged 26B is llama-quantize's Q4_K_M mix, up to
  // which five layers get the larger ffn_down.
  const std::uint64_t measured = 16173243136ULL;
  const Model& m = catalog().find_model("gemma-4-26b-a4b");
  const Runtime& runtime = catalog().default_runtime();
  const WeightPlan w = plan_weights(catalog(), m, catalog().find_preset(catalog().deployment.ollama.default_preset), runtime);
  std::uint64_t layers = 0;
  for (const LayerBytes& l : layer_table(catalog(), m, w, default_settings(runtime)).layers) layers += l.dense + l.experts;
  EXPECT_NEAR(static_cast<double>(layers), static_cast<double>(measured), measured * 0.0005);
}

TEST(Check, HeadroomIsKeptFree) {
  // --fit off: with it on, llama.cpp would move layers to the CPU to keep the headroom free.
  const Deployment d =
      readers::read_llama_command(catalog(), "run.sh", "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 8192 --fit off\n");
  const Hardware& gpu = catalog().find_hardware("rtx3060-12g");
  const CheckResult plain = check_deployment(catalog(), d, {gpu, std::nullopt, 32 * 1024ULL * 1024 * 1024, Headroom{}});
  ASSERT_TRUE(plain.fits);
  ASSERT_GT(plain.margin_bytes, 0);
  // A headroom one byte larger than the margin fails the check; equal to it passes.
  Headroom exact{0, static_cast<std::uint64_t>(plain.margin_bytes)};
  EXPECT_TRUE(check_deployment(catalog(), d, {gpu, std::nullopt, 32 * 1024ULL * 1024 * 1024, exact}).fits);
  exact.bytes += 1;
  EXPECT_FALSE(check_deployment(catalog(), d, {gpu, std::nullopt, 32 * 1024ULL * 1024 * 1024, exact}).fits);
}

TEST(Check, CpuLayersMoveBytesToTheHost) {
  const std::string cmd = "llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 8192";
  const Hardware& gpu = catalog().find_hardware("rtx3090-24g");
  const std::uint64_t ram = 64 * 1024ULL * 1024 * 1024;
  const CheckResult all =
      check_deployment(catalog(), readers::read_llama_command(catalog(), "a", cmd), {gpu, std::nullopt, ram, {}});
  const CheckResult moe = check_deployment(catalog(), readers::read_llama_command(catalog(), "b", cmd + " --n-cpu-moe 10"),
                                           {gpu, std::nullopt, ram, {}});
  EXPECT_LT(moe.device_bytes, all.device_bytes);
  EXPECT_GT(moe.host_bytes, all.host_bytes);
}

}  // namespace
}  // namespace fitcheck

namespace fitcheck {
namespace {

TEST(Ollama, NumGpuSetsTheLayersOnTheGpu) {
  const auto read = [](const std::string& text) { return readers::read_modelfile(catalog(), "Modelfile", text, with_env({})); };
  EXPECT_EQ(read("FROM gemma4:e2b\nPARAMETER num_gpu 10\n").gpu_layers, std::optional<std::uint64_t>(10));
  EXPECT_FALSE(read("FROM gemma4:e2b\nPARAMETER num_gpu -1\n").gpu_layers.has_value());
  // An imported GGUF loads no projector unless a second FROM names its mmproj file.
  EXPECT_FALSE(read("FROM ./gemma-4-E2B-it-Q8_0.gguf\n").settings.vision);
  EXPECT_TRUE(read("FROM ./gemma-4-E2B-it-Q8_0.gguf\nFROM ./mmproj-F16.gguf\n").settings.vision);
}

}  // namespace
// llama.cpp's --fit (on by default): with no -c it lowers the context to what fits, down to --fit-ctx; when even
// that does not fit it moves a MoE model's experts, then whole layers, to the CPU. With --fit off, or with the
// placement stated (-ngl), the config is checked as written.
TEST(Check, FitPlacesWhatTheConfigLeavesOpen) {
  const Hardware& gpu = catalog().find_hardware("rtx3060-12g");
  const std::uint64_t ram = 64 * 1024ULL * 1024 * 1024;
  auto check = [&](const std::string& cmd) {
    return check_deployment(catalog(), readers::read_llama_command(catalog(), "run.sh", cmd), {gpu, std::nullopt, ram, {}});
  };
  // 26B A4B Q4_K_M: 15.6 GiB of weights on an 11.5 GiB budget.
  const CheckResult fitted = check("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf --fit-ctx 8192");
  EXPECT_TRUE(fitted.fits);
  EXPECT_EQ(fitted.context, 8192U);  // the minimum: no larger context fits without the experts moving
  EXPECT_NE(fitted.fitted.find("--n-cpu-moe"), std::string::npos) << fitted.fitted;
  EXPECT_GE(static_cast<std::uint64_t>(fitted.margin_bytes), catalog().policy.headroom_bytes);
  EXPECT_FALSE(check("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf --fit-ctx 8192 --fit off").fits);
  EXPECT_FALSE(check("llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 8192 -ngl 99").fits);
  // 12B Q4_K_M fits whole: the largest context that leaves the margin, a multiple of 256 cells.
  const CheckResult e2b = check("llama-server -m gemma-4-12B-it-Q4_K_M.gguf");
  EXPECT_TRUE(e2b.fits);
  EXPECT_EQ(e2b.context % 256, 0U);
  EXPECT_TRUE(e2b.fitted.find("--n-cpu-moe") == std::string::npos && e2b.fitted.find("-ngl") == std::string::npos);
  // --fit-target 4096 (MiB) keeps 4 GiB free.
  const CheckResult wide = check("llama-server -m gemma-4-12B-it-Q4_K_M.gguf --fit-target 4096");
  EXPECT_GE(static_cast<std::uint64_t>(wide.margin_bytes), 4096ULL << 20);
  EXPECT_LT(wide.context, e2b.context);
}

// An MTP drafter (--spec-type draft-mtp -md FILE) adds its file and its draft context's compute buffer on the device;
// it reads the target's KV cache, so no KV of its own. llama.cpp's --fit plans without it.
TEST(Check, MtpDrafterAddsItsFileAndDraftCompute) {
  const Hardware& gpu = catalog().find_hardware("rtx3090-24g");
  auto check = [&](const std::string& cmd) {
    return check_deployment(catalog(), readers::read_llama_command(catalog(), "run.sh", cmd),
                            {gpu, std::nullopt, 64ULL << 30, {}});
  };
  const std::string base = "llama-server -m gemma-4-12B-it-Q4_K_M.gguf -c 32768 --fit off";
  const CheckResult plain = check(base);
  const CheckResult drafted = check(base + " --spec-type draft-mtp -md mtp-gemma-4-12b-it.gguf");
  // 12B drafter: 465,109,248 file bytes + 40 MiB base + 3,072 bytes x 32,768 draft tokens (the target's -c)
  // = 465,109,248 + 41,943,040 + 100,663,296 = 607,715,584 bytes (579.6 MiB; measured 580 MiB at 32K).
  EXPECT_EQ(drafted.draft_bytes, 607715584U);
  EXPECT_EQ(drafted.device_bytes - plain.device_bytes, 607715584U);
  // -cd sets the draft context: 8,192 tokens x 3,072 = 25,165,824 bytes of compute.
  EXPECT_EQ(check(base + " --spec-type draft-mtp -md mtp.gguf -cd 8192").draft_bytes, 465109248U + 41943040U + 25165824U);
  // An n-gram speculator loads no model.
  EXPECT_EQ(check(base + " --spec-type ngram-simple").draft_bytes, 0U);
  // Under --fit (no -c) the target's context is what fits with the drafter still to come; the drafter keeps the
  // model's 262,144-token draft context, so the plan can end short of the margin (ggml-org/llama.cpp#24758).
  const CheckResult fitted = check("llama-server -m gemma-4-12B-it-Q4_K_M.gguf --spec-type draft-mtp -md mtp.gguf");
  EXPECT_EQ(fitted.draft_bytes, 465109248U + 41943040U + 262144ULL * 3072);
  EXPECT_FALSE(fitted.fitted.empty());
}

}  // namespace fitcheck

namespace fitcheck {
// Experts kept on the CPU (-ngl, --n-cpu-moe, --cpu-moe) are mapped from the file: RAM short of them pages from disk
// (a note), not a failed load; with --no-mmap or --mlock they are read into RAM and must fit.
TEST(Check, MappedWeightsPageFromDiskUnlessReadIntoRam) {
  const Hardware& gpu = catalog().find_hardware("rtx3060-12g");
  auto check = [&](const std::string& cmd, std::uint64_t ram) {
    return check_deployment(catalog(), readers::read_llama_command(catalog(), "run.sh", cmd), {gpu, std::nullopt, ram, {}});
  };
  const std::string cmd = "llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 8192 --cpu-moe";
  const CheckResult roomy = check(cmd, 64ULL << 30);
  ASSERT_TRUE(roomy.fits);
  EXPECT_EQ(roomy.paged_bytes, 0U);
  // A RAM budget 1 GiB short of the host bytes: the experts (about 14 GiB, far more than 1 GiB) page.
  const std::uint64_t short_ram = roomy.host_bytes - (1ULL << 30);
  const CheckResult paged = check(cmd, short_ram);
  EXPECT_TRUE(paged.fits);
  EXPECT_EQ(paged.paged_bytes, 1ULL << 30);
  EXPECT_FALSE(check(cmd + " --no-mmap", short_ram).fits);
  EXPECT_FALSE(check(cmd + " --mlock", short_ram).fits);
}
}  // namespace fitcheck

namespace fitcheck {
namespace {

// --no-mmproj-offload keeps the projector, and the encoder graph it runs, in host RAM: the device sheds exactly
// the projector's bytes (its weights and compute), and the host takes them (ollama/06 in tests/data/real).
TEST(Check, NoMmprojOffloadKeepsTheProjectorOnTheHost) {
  const Hardware& gpu = catalog().find_hardware("rtx3060-12g");
  const std::string cmd = "llama-server -m gemma-4-12B-it-Q4_K_M.gguf --mmproj mmproj-gemma-4-12B-it-f16.gguf -c 8192 --fit off";
  const auto check = [&](const std::string& c) {
    return check_deployment(catalog(), readers::read_llama_command(catalog(), "run.sh", c), {gpu, std::nullopt, 64ULL << 30, {}});
  };
  const CheckResult on_gpu = check(cmd);
  const CheckResult on_host = check(cmd + " --no-mmproj-offload");
  const std::uint64_t projector = on_gpu.footprint->projector.device;
  ASSERT_GT(projector, 0U);
  EXPECT_EQ(on_host.footprint->projector.device, 0U);
  EXPECT_EQ(on_host.footprint->projector.host, projector);
  EXPECT_EQ(on_gpu.device_bytes - on_host.device_bytes, projector);
}

}  // namespace
}  // namespace fitcheck

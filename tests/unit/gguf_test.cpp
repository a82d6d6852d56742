// The GGUF header reader (src/readers/gguf*.cpp) on files the tests write (tests/support/gguf_writer): Gemma 4's
// real metadata and tensor shapes, the types llama-quantize chose (tests/data/typemaps), the data left as a hole.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fitcheck/error.hpp"
#include "fitcheck/footprint.hpp"
#include "readers/gguf.hpp"
#include "support/gguf_writer.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;
using fitcheck::test::GgufBytes;
using fitcheck::test::GgufWriter;

namespace {

const Catalog& cat() { return builtin_catalog(); }

// The files the tests write (sparse, gigabytes long) go when the test program ends.
struct RemoveTempDir {
  ~RemoveTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(test::temp_dir(), ec);
  }
} g_remove_temp_dir;

TypeMap typemap(const std::string& name) {
  return test::read_typemap(test::read_text(test::data_path("typemaps/" + name + ".tsv")));
}

std::string path_for(const std::string& name) { return test::temp_dir() + "/" + name; }

std::string write_gemma(const std::string& name, const std::string& model, const std::string& types) {
  return test::gemma_gguf(cat(), cat().find_model(model), typemap(types)).write(path_for(name));
}

nlohmann::json footprint_json(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"footprint", "--ctx", "8k", "--json"};
  all.insert(all.end(), args.begin(), args.end());
  const test::RunResult r = test::run_cli(all);
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out)["footprint"];
}

}  // namespace

// E2B at Q4_K_M: the header's types are llama-quantize's (tests/data/typemaps), which the preset's rules reproduce
// tensor for tensor (weights_test.cpp TypemapTest), so the header path must give the preset path's bytes exactly.
TEST(Gguf, E2bHeaderGivesThePresetsBytes) {
  const GgufWriter w = test::gemma_gguf(cat(), cat().find_model("e2b"), typemap("e2b-Q4_K_M"));
  const std::string path = w.write(path_for("gemma-4-E2B-it-Q4_K_M.gguf"));
  const readers::GgufModel file = readers::read_gguf_model(cat(), path);
  ASSERT_EQ(file.kind, readers::GgufModel::Kind::model);
  EXPECT_EQ(file.model->id, "gemma-4-e2b");
  EXPECT_EQ(file.tensors.size(), 601U);  // the rows of e2b-Q4_K_M.tsv
  EXPECT_EQ(file.file_bytes, w.file_bytes());
  const WeightPlan header = readers::gguf_weights(cat(), file, cat().default_runtime());
  const WeightPlan preset = plan_weights(cat(), cat().find_model("e2b"), cat().find_preset("Q4_K_M"), cat().default_runtime());
  EXPECT_EQ(header.file_bytes, preset.file_bytes);
  EXPECT_EQ(header.split.host, preset.split.host);
  EXPECT_EQ(header.output_copy_bytes, preset.output_copy_bytes);
  EXPECT_EQ(header.repack_bytes, preset.repack_bytes);
  EXPECT_EQ(header.source, WeightsSource::header);

  const nlohmann::json a = footprint_json({"--gguf", path});
  const nlohmann::json b = footprint_json({"--model", "e2b", "--quant", "Q4_K_M"});
  EXPECT_EQ(a["model"], "gemma-4-e2b");
  EXPECT_EQ(a["weights_source"], "header");
  EXPECT_EQ(b["weights_source"], "preset_rules");
  EXPECT_EQ(a["file_bytes"].get<std::uint64_t>(), w.file_bytes());
  for (const char* key : {"weights_bytes", "kv_cache_bytes", "compute_bytes", "total_bytes", "device_bytes", "host_bytes"})
    EXPECT_EQ(a[key], b[key]) << key;
}

// The core's type-map path (no GGUF knowledge; a registry's recipe): the model's own tensors at llama-quantize's types
// give the preset's bytes; a name the model lacks is an error.
TEST(Gguf, TypeMapPlanGivesThePresetsBytes) {
  const Model& m = cat().find_model("e2b");
  TypeMap types = typemap("e2b-Q4_K_M");
  const WeightPlan plan = plan_weights(cat(), m, types, cat().default_runtime(), WeightsSource::registry);
  EXPECT_EQ(plan.file_bytes, plan_weights(cat(), m, cat().find_preset("Q4_K_M"), cat().default_runtime()).file_bytes);
  EXPECT_EQ(plan.source, WeightsSource::registry);
  types["blk.99.attn_q.weight"] = "Q4_K";
  EXPECT_THROW(plan_weights(cat(), m, types, cat().default_runtime(), WeightsSource::registry), Error);
}

// 26B A4B at Q8_0: a mixture of experts (expert_count 128) is told from the dense models by its hyperparameters.
TEST(Gguf, MoeHeaderMatchesThePreset) {
  const readers::GgufModel file = readers::read_gguf_model(cat(), write_gemma("26b-q8.gguf", "26b", "26b-a4b-Q8_0"));
  ASSERT_TRUE(file.model);
  EXPECT_EQ(file.model->id, "gemma-4-26b-a4b");
  const WeightPlan preset = plan_weights(cat(), *file.model, cat().find_preset("Q8_0"), cat().default_runtime());
  EXPECT_EQ(readers::gguf_weights(cat(), file, cat().default_runtime()).file_bytes, preset.file_bytes);
}

// A tensor the catalog's list lacks is still counted: blk.0.extra.weight, 1536 F32 = 6144 bytes (a multiple of 32).
TEST(Gguf, UnknownTensorIsCounted) {
  GgufWriter w = test::gemma_gguf(cat(), cat().find_model("e2b"), typemap("e2b-Q4_K_M"));
  w.tensor("blk.0.extra.weight", {1536}, cat().block_type("F32"));
  const readers::GgufModel file = readers::read_gguf_model(cat(), w.write(path_for("extra.gguf")));
  const WeightPlan preset = plan_weights(cat(), *file.model, cat().find_preset("Q4_K_M"), cat().default_runtime());
  EXPECT_EQ(readers::gguf_weights(cat(), file, cat().default_runtime()).file_bytes, preset.file_bytes + 6144);
}

// A split file is one model: part 1 holds the metadata and the first 100 tensors, part 2 the rest.
TEST(Gguf, SplitFileIsOneModel) {
  const Model& m = cat().find_model("e2b");
  const GgufWriter one = test::gemma_gguf(cat(), m, typemap("e2b-Q4_K_M"), 0, 99);
  GgufWriter two;
  two.kv_u32("split.no", 1).kv_u32("split.count", 2);
  const std::vector<Tensor> tensors = model_tensors(m);
  const TypeMap types = typemap("e2b-Q4_K_M");
  for (std::size_t i = 100; i < tensors.size(); ++i) {
    std::vector<std::uint64_t> ne(tensors[i].ne.begin(), tensors[i].ne.end());
    while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
    two.tensor(tensors[i].name, ne, cat().block_type(types.at(tensors[i].name)));
  }
  const std::string first = one.write(path_for("e2b-00001-of-00002.gguf"));
  two.write(path_for("e2b-00002-of-00002.gguf"));
  const readers::GgufModel file = readers::read_gguf_model(cat(), first);
  EXPECT_EQ(file.parts.size(), 2U);
  EXPECT_EQ(file.file_bytes, one.file_bytes() + two.file_bytes());
  const WeightPlan preset = plan_weights(cat(), m, cat().find_preset("Q4_K_M"), cat().default_runtime());
  EXPECT_EQ(readers::gguf_weights(cat(), file, cat().default_runtime()).file_bytes, preset.file_bytes);
  std::filesystem::remove(path_for("e2b-00002-of-00002.gguf"));
  const test::RunResult r = test::run_cli({"footprint", "--gguf", first, "--ctx", "8k"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("split part 2 of 2"), std::string::npos) << r.err;
}

TEST(Gguf, OtherArchitectureIsNotGemma4) {
  GgufWriter w;
  w.kv_string("general.architecture", "llama").kv_u32("llama.block_count", 32);
  w.tensor("token_embd.weight", {4096, 32000}, cat().block_type("Q8_0"));
  const test::RunResult r = test::run_cli({"footprint", "--gguf", w.write(path_for("llama.gguf")), "--ctx", "8k"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("not a Gemma 4 model: its architecture is 'llama'"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// --mmproj FILE: the projector's weights are its tensors' bytes (one 768 x 16 x 16 x 3 F16 tensor: 1,179,648 bytes).
TEST(Gguf, ProjectorFileGivesItsWeights) {
  GgufWriter clip;
  clip.kv_string("general.architecture", "clip").kv_u32("clip.has_vision_encoder", 1);
  clip.tensor("v.patch_embd.weight", {16, 16, 3, 768}, cat().block_type("F16"));
  const std::string mmproj = clip.write(path_for("mmproj.gguf"));
  const std::string model = write_gemma("e2b-for-mmproj.gguf", "e2b", "e2b-Q4_K_M");
  const nlohmann::json f = footprint_json({"--gguf", model, "--mmproj", mmproj});
  EXPECT_EQ(f["projector_weights_bytes"].get<std::uint64_t>(), 1179648U);
  EXPECT_GT(f["projector_compute_bytes"].get<std::uint64_t>(), 0U);
  const test::RunResult swapped = test::run_cli({"footprint", "--gguf", mmproj, "--ctx", "8k"});
  EXPECT_EQ(swapped.code, 3);
  EXPECT_NE(swapped.err.find("a multimodal projector (mmproj), not a model"), std::string::npos) << swapped.err;
  const test::RunResult both = test::run_cli({"footprint", "--gguf", model, "--model", "e2b", "--ctx", "8k"});
  EXPECT_EQ(both.code, 2);
}

// Hyperparameters beyond the identity must agree with the catalog's model.
TEST(Gguf, DisagreeingHyperparameterIsAnError) {
  GgufWriter w = test::gemma_gguf(cat(), cat().find_model("e2b"), typemap("e2b-Q4_K_M"));
  w.kv_u32("gemma4.attention.sliding_window", 4096);  // a second key of the same name: the reader refuses it
  const test::RunResult r = test::run_cli({"footprint", "--gguf", w.write(path_for("dup.gguf")), "--ctx", "8k"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("gemma4.attention.sliding_window' appears twice"), std::string::npos) << r.err;
}

// A file whose identity is E2B's but whose sliding window is not: the catalog's E2B would be the wrong plan.
TEST(Gguf, HyperparameterOtherThanTheCatalogsIsAnError) {
  Model other = cat().find_model("e2b");
  other.sliding_window = 1024;
  const GgufWriter w = test::gemma_gguf(cat(), other, typemap("e2b-Q4_K_M"));
  const test::RunResult r = test::run_cli({"footprint", "--gguf", w.write(path_for("window.gguf")), "--ctx", "8k"});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("gemma4.attention.sliding_window is 1024 (expected 512, as gemma-4-e2b has"), std::string::npos) << r.err;
}

// Truncated and hostile headers: each is exit 3 naming the byte, never a crash (the ASan/UBSan build runs these).
struct Hostile {
  const char* name;
  std::string bytes;
  const char* expected;  // in the message
};

GgufBytes start(std::uint64_t tensors, std::uint64_t kvs) {
  GgufBytes b;
  b.data = "GGUF";
  return b.u32(3).u64(tensors).u64(kvs);
}

std::string one_tensor(std::uint64_t dims, std::uint64_t ne0, std::uint64_t type, std::uint64_t offset) {
  GgufBytes b = start(1, 1);
  b.str("general.architecture").u32(8).str("gemma4").str("t.weight").u32(dims);
  for (std::uint64_t d = 0; d < dims; ++d) b.u64(d == 0 ? ne0 : 1);
  b.u32(type).u64(offset);
  return b.data;
}

class HostileGguf : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileGguf, IsExit3WithTheByteOffset) {
  const Hostile& h = GetParam();
  const std::string path = path_for(std::string(h.name) + ".gguf");
  { std::ofstream(path, std::ios::binary) << h.bytes; }
  const test::RunResult r = test::run_cli({"footprint", "--gguf", path, "--ctx", "8k"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find(h.expected), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// Byte offsets: magic 0, version 4, tensor count 8, metadata count 16, the first key's length 24 (its text 32).
// one_tensor: key 24 + 8 + 20 = 52, value type 52, value 56 + 8 + 6 = 70: the tensor info at 70, its name 70 + 8 + 8,
// n_dims at 86, one dimension 90, type 98 (four dimensions: type 122); data at round_up(110, 32) = 128, 32 F32 = 128 bytes,
// ending at 256.
INSTANTIATE_TEST_SUITE_P(
    Headers, HostileGguf,
    ::testing::Values(
        Hostile{"empty", "", "byte 0: the file is 0 bytes"},
        Hostile{"wrong-magic", "GGML" + std::string(20, '\0'), "byte 0: not a GGUF file"},
        Hostile{"version-1", GgufBytes{"GGUF"}.u32(1).u64(0).u64(0).data, "byte 4: GGUF version 1 (expected 2 or 3"},
        Hostile{"huge-tensor-count", start(1ULL << 40, 0).data,
                "byte 8: tensor count 1099511627776 is more than the file can hold"},
        Hostile{"huge-metadata-count", start(0, 1ULL << 62).data, "byte 16: metadata count 4611686018427387904 is more"},
        Hostile{"huge-string", start(0, 1).u64(1ULL << 60).data + std::string(16, '\0'),
                "byte 24: a metadata key of 1152921504606846976 bytes"},
        Hostile{"string-past-eof", start(0, 1).u64(100).data + "abcde", "byte 24: a metadata key of 100 bytes runs past the end"},
        Hostile{"bad-value-type", start(0, 1).str("k").u32(13).data, "byte 33: a metadata value type 13 (expected 0 to 12)"},
        Hostile{"nested-array", start(0, 1).str("k").u32(9).u32(9).u64(1).data, "byte 37: an array's element type 9"},
        Hostile{"huge-array", start(0, 1).str("k").u32(9).u32(4).u64(1ULL << 61).data,
                "byte 41: array of 2305843009213693952 uint32"},
        Hostile{"truncated-value", start(0, 1).str("k").u32(4).data + "ab", "byte 37: the file ends inside a metadata value"},
        Hostile{"n-dims-5", one_tensor(5, 32, 0, 0), "byte 86: tensor t.weight has n_dims 5 (expected 1 to 4)"},
        Hostile{"offset-past-eof", one_tensor(1, 32, 0, 0),
                "byte 70: tensor t.weight's data of 128 bytes from byte 128 runs past the end"},
        Hostile{"huge-tensor", one_tensor(4, 1ULL << 62, 0, 0), "byte 122: tensor t.weight is more than 2^64 bytes"},
        Hostile{"wrong-offset", one_tensor(1, 32, 0, 64), "byte 70: tensor t.weight has data offset 64 (expected 0"},
        Hostile{"unknown-ggml-type", one_tensor(1, 32, 34, 0), "byte 98: tensor t.weight has ggml type 34"},
        Hostile{"row-not-whole-blocks", one_tensor(1, 33, 8, 0),
                "byte 98: tensor t.weight has rows of 33 weights (expected a multiple of Q8_0"},
        Hostile{"long-tensor-name", start(1, 0).str(std::string(64, 'x')).data,
                "byte 24: a tensor name of 64 bytes (expected at most 63)"},
        Hostile{"bad-alignment", start(0, 1).str("general.alignment").u32(4).u32(33).data,
                "byte 53: general.alignment is not a uint32 power of two"}),
    [](const ::testing::TestParamInfo<Hostile>& info) {
      std::string n = info.param.name;
      for (char& ch : n) ch = ch == '-' ? '_' : ch;
      return n;
    });

// check reads a -m GGUF that exists (beside the config here, under a name that says nothing): its header gives
// the model and the weights, which for llama-quantize's E2B Q4_K_M types are the preset's, so the verdict and the
// device bytes are those of the same config naming the stock file.
TEST(Gguf, CheckReadsTheModelFileItNames) {
  test::gemma_gguf(cat(), cat().find_model("e2b"), typemap("e2b-Q4_K_M")).write(path_for("model.gguf"));
  const std::string config = path_for("serve.sh");
  std::ofstream(config) << "llama-server -m model.gguf -c 8192 -ngl 99\n";
  const std::string named = path_for("named.sh");
  std::ofstream(named) << "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 8192 -ngl 99\n";
  const test::RunResult a = test::run_cli({"check", config, "--gpu", "rtx3060-12g", "--json"});
  const test::RunResult b = test::run_cli({"check", named, "--gpu", "rtx3060-12g", "--json"});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  const nlohmann::json da = nlohmann::json::parse(a.out)["deployments"][0];
  const nlohmann::json db = nlohmann::json::parse(b.out)["deployments"][0];
  EXPECT_EQ(da["model"], "gemma-4-e2b");
  EXPECT_EQ(da["device_bytes"], db["device_bytes"]);
  EXPECT_NE(a.out.find("weights read from the GGUF header"), std::string::npos);
  // A file that does not exist falls back to its name, which here tells nothing: a data error.
  std::ofstream(path_for("wrong.sh")) << "llama-server -m " << path_for("model.gguf") << "x -c 8192\n";
  const test::RunResult c = test::run_cli({"check", path_for("wrong.sh"), "--gpu", "rtx3060-12g"});
  EXPECT_EQ(c.code, 3);
}

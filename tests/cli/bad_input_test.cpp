// Bad input, as issue 11 found it: each case once crashed, hung, reported exit 4, or read a file wrongly.
// Every case here runs the CLI in-process and asserts the documented contract: a distinct exit code, an
// empty stdout on exits 2 to 4, and one line of valid UTF-8 on stderr (README "Bad input").
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using fitcheck::test::run_cli;
using fitcheck::test::RunResult;

namespace {

fs::path scratch() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("fitcheck-bad-input-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string write(const std::string& name, const std::string& text) {
  const fs::path path = scratch() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

void expect_error(const RunResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 300);
  EXPECT_EQ(r.err.rfind("fitcheck: error: ", 0), 0U) << r.err.substr(0, 300);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err.substr(0, 300);
  EXPECT_TRUE(fitcheck::text::is_utf8(r.err));
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err.substr(0, 300);
}

// The mini catalog with one edit.
std::string mini_with(void (*edit)(nlohmann::json&)) {
  nlohmann::json j = nlohmann::json::parse(fitcheck::test::read_text(fitcheck::test::data_path("mini_catalog.json")));
  edit(j);
  return j.dump();
}

RunResult validate_text(const std::string& name, const std::string& text) {
  return run_cli({"validate", "--catalog", write(name, text)});
}

}  // namespace

TEST(BadCatalog, DeepNestingIsRefusedBeforeParsing) {
  // 40,000 levels once overflowed the stack in the walk over "source" strings.
  const std::string deep = "{\"a\":" + std::string(40000, '[') + std::string(40000, ']') + "}";
  expect_error(validate_text("deep.json", deep), 3, "nested deeper than 64 levels");
}

TEST(BadCatalog, BadValueInANestedListNamesItsPointer) {
  // The error path once read a parent node that was a destroyed temporary.
  const std::string text = mini_with([](nlohmann::json& j) { j["presets"][1]["rules"][0]["select"] = "sometimes"; });
  expect_error(validate_text("nested.json", text), 3, "/presets/1/rules/0/select: unknown select 'sometimes'");
}

TEST(BadCatalog, EmptyNameListsAreRefused) {
  const std::string text = mini_with([](nlohmann::json& c) { c["models"][0]["aliases"] = nlohmann::json::array(); });
  EXPECT_EQ(validate_text("aliases.json", text).code, 0);  // an empty alias list is fine
  // A model_names entry without stems once dereferenced front() of an empty list.
  const std::string builtin_names = R"({"model_names": [{"model": "tiny", "stems": [], "ollama_tags": [], "source": "t"}]})";
  nlohmann::json names = nlohmann::json::parse(builtin_names);
  nlohmann::json mini = nlohmann::json::parse(fitcheck::test::read_text(fitcheck::test::data_path("mini_catalog.json")));
  mini["model_names"] = names["model_names"];
  expect_error(validate_text("empty-stems.json", mini.dump()), 3, "/model_names/0/stems: expected a list of at least one string");
}

TEST(BadCatalog, HugeNumbersAreOutOfRangeNotAHang) {
  // max_context 2^64-1 once made vLLM's max-length search loop forever.
  const std::string text = mini_with([](nlohmann::json& j) { j["models"][0]["max_context"] = 18446744073709551615ULL; });
  expect_error(validate_text("max.json", text), 3, "/models/0/max_context: expected an integer from 1 to 16777216");
  const std::string wide = mini_with([](nlohmann::json& j) { j["models"][0]["hidden_size"] = 1ULL << 40; });
  expect_error(validate_text("wide.json", wide), 3, "/models/0/hidden_size");
}

TEST(BadCatalog, WhatTheCodeNeedsIsValidated) {
  // A catalog without Q8_0 once passed validate and then failed with exit 4 in the tensor model.
  const std::string no_q8 = mini_with([](nlohmann::json& j) {
    auto& b = j["block_types"];
    b.erase(std::remove_if(b.begin(), b.end(), [](const nlohmann::json& t) { return t["name"] == "Q8_0"; }), b.end());
    for (auto& t : b) t.erase("fallback");
  });
  expect_error(validate_text("no-q8.json", no_q8), 3, "unknown block type 'Q8_0'");
  // Compute units come with their clock, which is a clock.
  const std::string units = mini_with([](nlohmann::json& j) { j["hardware"][0]["compute_units"] = 28; });
  expect_error(validate_text("units.json", units), 3, "/hardware/0/boost_clock_mhz: missing required field");
  const std::string clock = mini_with([](nlohmann::json& j) {
    j["hardware"][0]["compute_units"] = 28;
    j["hardware"][0]["boost_clock_mhz"] = 1.777;
  });
  expect_error(validate_text("clock.json", clock), 3, "/hardware/0/boost_clock_mhz: expected a clock of 100 to 10000 MHz");
  // A measured share of the decode figure is a range: low above 0, not above high.
  const std::string share = mini_with([](nlohmann::json& j) {
    j["hardware"][0]["decode_measured_share"] = {{"low", 0.8}, {"high", 0.5}};
  });
  expect_error(validate_text("share.json", share), 3, "/hardware/0/decode_measured_share: expected 0 < low <= high <= 2");
  const std::string as = mini_with([](nlohmann::json& j) { j["hardware"][0]["decode_measured_share"] = {{"as", "mac-16g"}}; });
  expect_error(validate_text("as.json", as), 3, "takes its decode_measured_share as 'mac-16g', which is no profile with a share");
}

TEST(BadCatalog, DuplicatesAreRefused) {
  expect_error(validate_text("dupkey.json", "{\"catalog\": {\"name\": \"a\", \"name\": \"b\", \"version\": \"1\"}}"), 3,
               "duplicate key \"name\"");
  const std::string dup_block = mini_with([](nlohmann::json& j) { j["block_types"].push_back(j["block_types"][0]); });
  expect_error(validate_text("dupblock.json", dup_block), 3, "duplicate block type 'f32'");
  const std::string alias = mini_with([](nlohmann::json& j) {
    j["models"].push_back(j["models"][0]);
    j["models"][1]["id"] = "other";
    j["models"][1]["aliases"] = nlohmann::json::array({j["models"][0]["id"]});
  });
  expect_error(validate_text("alias.json", alias), 3, "duplicate model id or alias");
}

TEST(BadFiles, NotRegularFilesAreRefusedWithoutBlocking) {
  const fs::path fifo = scratch() / "fifo";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Once a FIFO without a writer blocked fitcheck forever.
  expect_error(run_cli({"check", fifo.string(), "--gpu", "rtx3090-24g"}), 3, "is not a regular file");
  expect_error(run_cli({"--gpu", "rtx3090-24g", "--catalog", fifo.string()}), 3, "is not a regular file");
  // /dev/zero as a catalog once grew until the machine ran out of memory.
  expect_error(run_cli({"--gpu", "rtx3090-24g", "--catalog", "/dev/zero"}), 3, "is not a regular file");
  expect_error(run_cli({"check", scratch().string(), "--gpu", "rtx3090-24g"}), 3, "is a directory");
}

TEST(BadFiles, OversizedFilesAreRefusedBeforeParsing) {
  const std::string big = write("big.json", std::string((16u << 20) + 1, ' '));
  expect_error(run_cli({"validate", "--catalog", big}), 3, "larger than 16 MiB");
  const std::string big_config = write("big.sh", std::string((4u << 20) + 1, ' '));
  expect_error(run_cli({"check", big_config, "--gpu", "rtx3090-24g"}), 3, "larger than 4 MiB");
}

TEST(BadOptions, NumbersAreShownAsTyped) {
  // -1 was once shown as 18446744073709551615.
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--ubatch", "-1"}), 2, "invalid --ubatch '-1'");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--parallel", "99999999999999999999"}), 2,
               "invalid --parallel '99999999999999999999'");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--fill", "1e3"}), 2, "invalid --fill '1e3'");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--min-bits", "0"}), 2, "invalid --min-bits '0'");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--vram", "99999999999999999999TiB"}), 2, "conflicting options");
  expect_error(run_cli({"--vram", "99999999999999999999TiB"}), 2, "invalid size");
}

TEST(BadOptions, SizesNeedAUnit) {
  for (const char* option : {"--vram", "--unified"}) expect_error(run_cli({option, "24"}), 2, "add a unit");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--ram", "64"}), 2, "invalid size '64': add a unit");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--reserve", "512"}), 2, "add a unit");
  expect_error(run_cli({"check", "examples/llama-server.sh", "--gpu", "rtx3060-12g", "--headroom", "1"}), 2, "add a unit");
}

TEST(BadOptions, BandwidthIsForCustomTargetsAndSpeedsNeedIt) {
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--bandwidth", "400"}), 2, "rtx3060-12g has its own (360 GB/s)");
  expect_error(run_cli({"--bandwidth", "400"}), 2, "--bandwidth needs a custom target");
  expect_error(run_cli({"--vram", "12GB", "--bandwidth", "0"}), 2, "invalid --bandwidth '0'");
  // Plans ranked by speed cannot be ranked without one.
  const char* no_bandwidth = "no bandwidth for a custom target: add --bandwidth GBs";
  expect_error(run_cli({"--vram", "12GB", "--allow-offload"}), 2, no_bandwidth);
  expect_error(run_cli({"--unified", "36GB", "--min-tps", "10"}), 2, no_bandwidth);
  expect_error(run_cli({"curve", "--vram", "12GB", "--model", "e2b"}), 2, no_bandwidth);
}

TEST(BadOptions, EmptyValuesAreErrors) {
  // `--gpu ""` was once taken as no GPU at all, and `--ram ""` as the default RAM.
  expect_error(run_cli({"--gpu", ""}), 2, "--gpu");
  expect_error(run_cli({"--gpu", "rtx3060-12g", "--ram", ""}), 2, "--ram");
  expect_error(run_cli({"check", "examples/llama-server.sh", "--gpu", "rtx3060-12g", "--headroom", ""}), 2, "--headroom");
}

TEST(BadOptions, ConflictingFormatsAreErrors) {
  // The last --format once won silently.
  const std::string f = write("conf.sh", "llama-server -hf ggml-org/gemma-4-E2B-it-GGUF -c 4096\n");
  expect_error(run_cli({"check", f, "--gpu", "rtx3060-12g", "--format", "vllm", "--format", "llama.cpp"}), 2,
               "conflicting options");
  expect_error(run_cli({"check", f, "--gpu", "rtx3060-12g", "--format", "json", "--format", "text"}), 2, "conflicting options");
}

TEST(BadOptions, CurveOverModelsAboveEveryMaximum) {
  // Once exited 0 with an empty curve.
  expect_error(run_cli({"curve", "--gpu", "rtx3060-12g", "--over", "models", "--ctx", "1000000"}), 2,
               "above every model's maximum");
}

TEST(BadConfigs, MessagesStayOnOneLine) {
  // A newline inside a quoted value once forged a second stderr line.
  const std::string f = write("newline.sh", "llama-server -m \"gemma-4-E2B-it-Q4_K_M.gguf\" -c \"40\n96x\"\n");
  expect_error(run_cli({"check", f, "--gpu", "rtx3060-12g"}), 3, "\\n");
  // Non-UTF-8 bytes in a message are replaced.
  const std::string g = write("latin1.sh", "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 4\xe9\xff\n");
  expect_error(run_cli({"check", g, "--gpu", "rtx3060-12g"}), 3, "\xEF\xBF\xBD");
}

TEST(BadConfigs, NonUtf8PathsStillGiveValidJsonAndJunit) {
  // The JSON writer once threw on a path that is not UTF-8 (exit 4), and the JUnit file was not well-formed.
  const std::string f = write("caf\xe9.sh", "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 4096 --bogus-\xff\n");
  const std::string junit = (scratch() / "junit.xml").string();
  const RunResult r = run_cli({"check", f, "--gpu", "rtx3060-12g", "--json", "--junit", junit});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::accept(r.out));
  const std::string xml = fitcheck::test::read_text(junit);
  EXPECT_TRUE(fitcheck::text::is_utf8(xml));
  EXPECT_EQ(fitcheck::test::xml_problem(xml), "");
  const RunResult text = run_cli({"check", f, "--gpu", "rtx3060-12g"});
  EXPECT_TRUE(fitcheck::text::is_utf8(text.out));
}

TEST(BadConfigs, WarningsAreBounded) {
  // A 4 MB config once printed 108 MB of warnings; the JSON reader was quadratic in its unknown keys.
  std::string shell = "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 4096";
  while (shell.size() < (3u << 20)) shell += " --unknown-option-" + std::string(200, 'x') + std::to_string(shell.size());
  const RunResult r = run_cli({"check", write("many.sh", shell + "\n"), "--gpu", "rtx3060-12g"});
  EXPECT_EQ(r.code, 0) << r.err.substr(0, 300);
  EXPECT_LT(r.out.size(), 64u << 10);
  EXPECT_NE(r.out.find("more warnings not shown"), std::string::npos);
  std::string json = "{\"schema_version\": 1, \"model\": \"gemma-4-e2b\", \"quant\": \"Q4_K_M\", \"context\": 4096";
  for (int i = 0; i < 100000; ++i) json += ", \"k" + std::to_string(i) + "\": 0";
  const RunResult j = run_cli({"check", write("many.json", json + "}"), "--gpu", "rtx3060-12g", "--json"});
  EXPECT_EQ(j.code, 0) << j.err.substr(0, 300);
  EXPECT_LT(j.out.size(), 64u << 10);
}

TEST(BadConfigs, ByteOrderMarkIsSkipped) {
  // A BOM once broke format detection and dropped the first env line.
  const std::string f = write("bom.Modelfile",
                              "\xEF\xBB\xBF"
                              "FROM gemma4:e2b\nPARAMETER num_ctx 4096\n");
  const std::string env = write("bom.env",
                                "\xEF\xBB\xBF"
                                "OLLAMA_NUM_PARALLEL=2\n");
  const RunResult r = run_cli({"check", f, "--env", env, "--gpu", "rtx3060-12g"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(ollama)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("over 2 sequences"), std::string::npos) << r.out;
}

TEST(BadConfigs, YamlDocumentMarkers) {
  // `---` once read as a llama.cpp args file; several documents were merged into one.
  const std::string one = write("one.yaml", "---\nmodel: google/gemma-4-E2B-it\nmax_model_len: 4096\n");
  const RunResult r = run_cli({"check", one, "--gpu", "h100-80g", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["deployments"][0]["format"], "vllm");
  const std::string two = write("two.yaml", "---\nmodel: google/gemma-4-E2B-it\n---\nmodel: google/gemma-4-31B-it\n");
  expect_error(run_cli({"check", two, "--gpu", "h100-80g"}), 3, "two.yaml:3: a second YAML document");
}

TEST(BadConfigs, DuplicateJsonKeysAreRefused) {
  const std::string f = write("dup.json",
                              "{\"schema_version\": 1,\n\"model\": \"gemma-4-e2b\",\n\"quant\": \"Q4_K_M\",\n"
                              "\"context\": 4096,\n\"context\": 131072}\n");
  expect_error(run_cli({"check", f, "--gpu", "rtx3060-12g"}), 3, "dup.json:5: duplicate key \"context\"");
}

TEST(BadConfigs, NumbersBeyondRangeAreDataErrors) {
  // Found by the catalog fuzzer: 1e400 made the JSON parser throw an exception that was not a parse error (exit 4).
  expect_error(validate_text("overflow.json", "{\"catalog\": {\"name\": \"a\", \"version\": 1e400}}"), 3,
               "a number out of range");
  const std::string f = write("overflow-config.json",
                              "{\"schema_version\": 1, \"model\": \"gemma-4-e2b\", "
                              "\"quant\": \"Q4_K_M\", \"context\": 1e400}");
  expect_error(run_cli({"check", f, "--gpu", "rtx3060-12g"}), 3, "a number out of range");
}

TEST(BadConfigs, JunitReportsAConfigItCouldNotRead) {
  // One config unreadable, one that fits: the JUnit file holds both, the unreadable one as an <error>.
  const std::string bad = write("broken.json", "{\"schema_version\": 1,\n");
  const std::string good = write("good.sh", "llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 4096\n");
  const std::string junit = (scratch() / "keep-going.xml").string();
  const RunResult r = run_cli({"check", bad, good, "--gpu", "rtx3060-12g", "--junit", junit});
  EXPECT_EQ(r.code, 3);
  const std::string xml = fitcheck::test::read_text(junit);
  EXPECT_EQ(fitcheck::test::xml_problem(xml), "");
  EXPECT_NE(xml.find("tests=\"2\" failures=\"0\" errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error message="), std::string::npos);
  EXPECT_NE(r.out.find("PASS " + good), std::string::npos) << r.out;
}

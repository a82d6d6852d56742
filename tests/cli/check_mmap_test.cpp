// llama.cpp memory-maps the GGUF by default, and the token and per-layer embedding tables it keeps in host RAM are
// only looked up, a row a token: the OS pages the rest. --no-mmap, --mlock and --load-mode none|dio|mlock read every
// page into RAM, and so does Ollama with PARAMETER use_mmap false (it passes --load-mode none).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/gguf_writer.hpp"
#include "support/test_support.hpp"

namespace {

using json = nlohmann::json;

std::uint64_t host_bytes(const std::string& text, const std::string& name) {
  const std::string path = fitcheck::test::temp_dir() + "/" + name;
  std::ofstream(path) << text << "\n";
  const auto r = fitcheck::test::run_cli({"check", path, "--gpu", "rtx3060-12g", "--json"});
  std::remove(path.c_str());
  EXPECT_EQ(r.code, 0) << r.err;
  return json::parse(r.out)["deployments"][0]["host_bytes"].get<std::uint64_t>();
}

const std::string k_e4b = "llama-server -m gemma-4-E4B-it-Q4_K_M.gguf -c 8192 -np 1 --fit off";

}  // namespace

// E4B Q4_K_M's host tables: per-layer embeddings 262,144 x 10,752 in Q6_K (210 B per 256) = 2,312,110,080 B and
// token_embd 262,144 x 2,560 in Q6_K = 550,502,400 B. Mapped, RAM holds the rows 8192 tokens touch:
// 8192 x (10,752 + 2,560) / 256 x 210 = 89,456,640 B; read whole, all 2,862,612,480 B: 2,773,155,840 B more.
TEST(CheckMmap, ReadingTheWholeFileKeepsTheTablesResident) {
  const std::uint64_t mapped = host_bytes(k_e4b, "mapped.sh");
  for (const char* flag : {"--no-mmap", "--mlock", "--load-mode none", "--load-mode dio"})
    EXPECT_EQ(host_bytes(k_e4b + " " + flag, "unmapped.sh") - mapped, 2773155840ULL) << flag;
  EXPECT_EQ(host_bytes(k_e4b + " --load-mode mmap", "mapped-again.sh"), mapped);
}

// Ollama's use_mmap false is llama-server's --load-mode none; the library's gemma4:e4b keeps the per-layer table
// in BF16 (recipe ollama-Q4_K_M): 2,818,572,288 x 2 = 5,637,144,576 B, all of it resident without mmap.
TEST(CheckMmap, OllamaUseMmapFalseReadsTheBlob) {
  const std::string modelfile = "FROM gemma4:e4b\nPARAMETER num_ctx 8192\nPARAMETER num_gpu 99\n";
  const std::uint64_t mapped = host_bytes(modelfile, "Modelfile");
  const std::uint64_t read = host_bytes(modelfile + "PARAMETER use_mmap false\n", "Modelfile");
  // Mapped: 8192 x (10,752 x 2 + 2,560 / 256 x 210) = 8192 x 23,604 = 193,363,968 B of the tables are resident.
  EXPECT_EQ(read - mapped, 5637144576ULL + 550502400ULL - 193363968ULL);
}

// Before v0.30 Ollama ran gemma4 on its own Go engine, which reads every tensor into its buffers (no mmap):
// nothing is paged. From v0.30 llama-server maps the blob and pages all of the tables but the rows in use:
// 5,637,144,576 + 550,502,400 - 193,363,968 = 5,994,283,008 B (the rows as in OllamaUseMmapFalseReadsTheBlob).
TEST(CheckMmap, OllamasOwnEngineMapsNothing) {
  const std::string path = fitcheck::test::temp_dir() + "/Modelfile";
  std::ofstream(path) << "FROM gemma4:e4b\nPARAMETER num_ctx 8192\nPARAMETER num_gpu 99\n";
  const auto paged = [&](const char* runtime) {
    const auto r = fitcheck::test::run_cli({"check", path, "--gpu", "rtx3060-12g", "--runtime", runtime, "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out)["deployments"][0]["footprint"]["host_paged_bytes"].get<std::uint64_t>();
  };
  EXPECT_EQ(paged("ollama@0.24.0"), 0U);
  EXPECT_EQ(paged("ollama@0.30.0"), 5994283008ULL);
  std::remove(path.c_str());
}

// footprint --no-mmap is the same fact: the E4B Q4_K_M tables at 8192 tokens, 2,773,155,840 B paged when mapped
// (ReadingTheWholeFileKeepsTheTablesResident), none without the map.
TEST(CheckMmap, FootprintNoMmapPagesNothing) {
  const auto paged = [](bool no_mmap) {
    std::vector<std::string> args = {"footprint", "--model", "e4b",   "--quant",     "Q4_K_M",
                                     "--ctx",     "8192",    "--gpu", "rtx3060-12g", "--json"};
    if (no_mmap) args.push_back("--no-mmap");
    const auto r = fitcheck::test::run_cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out)["footprint"]["host_paged_bytes"].get<std::uint64_t>();
  };
  EXPECT_EQ(paged(false), 2773155840ULL);
  EXPECT_EQ(paged(true), 0U);
}

// --gpu auto (cli/detect.cpp): the parsers on recorded tool outputs (tests/data/detect/, sources in its
// README), the mapping to catalog profiles, and the bounded running of a tool.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "cli/detect.hpp"
#include "cli/resolve.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"
#include "support/test_support.hpp"

using namespace fitcheck;
using namespace fitcheck::cli;

namespace {

std::string recorded(const std::string& name) { return test::read_text(test::data_path("detect/" + name)); }

// A machine whose tools print the recorded outputs named; a tool not named is missing.
ToolRunner machine(std::map<Tool, std::string> files) {
  return [files](Tool tool) -> std::optional<std::string> {
    const auto it = files.find(tool);
    if (it == files.end()) return std::nullopt;
    return recorded(it->second);
  };
}

Request auto_request() {
  Request r;
  r.gpu = "auto";
  return r;
}

}  // namespace

TEST(Detect, NvidiaSmiOneLineAGpuInMiB) {
  const std::vector<DetectedGpu> one = parse_nvidia_smi(recorded("nvidia-smi-rtx3060.txt"));
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0].vendor, "NVIDIA");
  EXPECT_EQ(one[0].name, "NVIDIA GeForce RTX 3060");
  EXPECT_EQ(one[0].memory_bytes, 12288ULL << 20);
  EXPECT_EQ(parse_nvidia_smi(recorded("nvidia-smi-two-gpus.txt")).size(), 2U);
  // A field the driver cannot report is printed in brackets; such a GPU is skipped, as is any other line.
  EXPECT_TRUE(parse_nvidia_smi("NVIDIA GB10, [Not Supported]\r\nNo devices were found\n").empty());
}

TEST(Detect, RocmSmiColumnsByName) {
  const std::vector<DetectedGpu> xt = parse_rocm_smi(recorded("rocm-smi-rx7900xt.csv"));
  ASSERT_EQ(xt.size(), 1U);
  EXPECT_EQ(xt[0].vendor, "AMD");
  EXPECT_EQ(xt[0].name, "Radeon RX 7900 XT");
  EXPECT_EQ(xt[0].memory_bytes, 21458059264ULL);
  const std::vector<DetectedGpu> two = parse_rocm_smi(recorded("rocm-smi-rx6800-and-igpu.csv"));
  ASSERT_EQ(two.size(), 2U);
  EXPECT_EQ(two[0].memory_bytes, 17163091968ULL);
  EXPECT_EQ(two[1].name, "Raphael");
  EXPECT_TRUE(parse_rocm_smi("WARNING: AMD GPU device(s) is/are in a low-power state\n").empty());
}

TEST(Detect, SysctlOnAppleSiliconOnly) {
  const std::optional<DetectedGpu> mac = parse_sysctl(recorded("sysctl-m1-max.txt"));
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(mac->vendor, "Apple");
  EXPECT_EQ(mac->name, "Apple M1 Max");
  EXPECT_EQ(mac->memory_bytes, 64ULL << 30);
  EXPECT_EQ(mac->memory_kind, MemoryKind::unified);
  EXPECT_FALSE(parse_sysctl("17179869184\nIntel(R) Core(TM) i7-8850H CPU @ 2.60GHz\n").has_value());
  EXPECT_FALSE(parse_sysctl("").has_value());
}

TEST(Detect, MeminfoTotalInKiB) {
  EXPECT_EQ(parse_meminfo(recorded("proc-meminfo.txt")), 16344972ULL * 1024);
  EXPECT_FALSE(parse_meminfo("MemFree: 1 kB\n").has_value());
}

TEST(Detect, ProfilesByNameAndMemory) {
  const Catalog& c = builtin_catalog();
  const auto profile = [&](const std::string& file, const std::vector<DetectedGpu>& gpus) {
    const Hardware* h = detected_profile(c, gpus.at(0));
    return h ? h->id : "none for " + file;
  };
  // The 12 GB RTX 3060, not the 8 GB one of the same name.
  EXPECT_EQ(profile("rtx3060", parse_nvidia_smi(recorded("nvidia-smi-rtx3060.txt"))), "rtx3060-12g");
  // "HBM3" is dropped from the end: the H100 80GB.
  EXPECT_EQ(profile("h100", parse_nvidia_smi(recorded("nvidia-smi-h100.txt"))), "h100-80g");
  EXPECT_EQ(profile("rx7900xt", parse_rocm_smi(recorded("rocm-smi-rx7900xt.csv"))), "rx7900xt-20g");
  EXPECT_EQ(profile("m1 max", {*parse_sysctl(recorded("sysctl-m1-max.txt"))}), "m1max-64g");
  EXPECT_EQ(detected_profile(c, parse_nvidia_smi(recorded("nvidia-smi-quadro-rtx4000.txt")).at(0)), nullptr);
  // A name the catalog has with a memory it does not: no profile (a custom target follows).
  EXPECT_EQ(detected_profile(c, {"NVIDIA", "NVIDIA GeForce RTX 3060", 6ULL << 30, MemoryKind::vram}), nullptr);
}

TEST(Detect, AutoBecomesAProfileAndTheHostsRam) {
  const Request r =
      with_detected_hardware(builtin_catalog(), auto_request(),
                             machine({{Tool::nvidia_smi, "nvidia-smi-two-gpus.txt"}, {Tool::meminfo, "proc-meminfo.txt"}}));
  EXPECT_EQ(r.gpu, "rtx4090-24g");   // the larger of the two
  EXPECT_EQ(r.ram, "16737251328B");  // 16344972 KiB
  // --ram as given wins; a Mac has no separate host RAM.
  Request given = auto_request();
  given.ram = "64GB";
  EXPECT_EQ(with_detected_hardware(builtin_catalog(), given, machine({{Tool::nvidia_smi, "nvidia-smi-rtx3060.txt"}})).ram,
            "64GB");
  const Request mac = with_detected_hardware(builtin_catalog(), auto_request(),
                                             machine({{Tool::sysctl, "sysctl-m1-max.txt"}, {Tool::meminfo, "proc-meminfo.txt"}}));
  EXPECT_EQ(mac.gpu, "m1max-64g");
  EXPECT_TRUE(mac.ram.empty());
}

TEST(Detect, AGpuTheCatalogLacksIsACustomTargetOfItsMemory) {
  const Catalog& c = builtin_catalog();
  const Request quadro =
      with_detected_hardware(c, auto_request(), machine({{Tool::nvidia_smi, "nvidia-smi-quadro-rtx4000.txt"}}));
  EXPECT_TRUE(quadro.gpu.empty());
  EXPECT_EQ(quadro.vram, "8589934592B");
  const Hardware hw = *resolve_hardware(c, quadro);
  EXPECT_EQ(hw.id, "custom");
  EXPECT_EQ(hw.name, "detected Quadro RTX 4000 (8.00 GiB VRAM)");
  EXPECT_EQ(hw.bandwidth_gbs, 0.0);  // no speeds unless --bandwidth says
  // An AMD card keeps its vendor, so its backend is ROCm, not the CUDA of a plain --vram target.
  const Request amd = with_detected_hardware(c, auto_request(), machine({{Tool::rocm_smi, "rocm-smi-rx6800-and-igpu.csv"}}));
  EXPECT_EQ(resolve_target(c, amd).backend, Backend::rocm);
}

TEST(Detect, NothingFoundIsAUsageError) {
  try {
    with_detected_hardware(builtin_catalog(), auto_request(), machine({{Tool::meminfo, "proc-meminfo.txt"}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::usage);
    EXPECT_STREQ(e.what(),
                 "could not detect a GPU (nvidia-smi, rocm-smi and sysctl found nothing): give --gpu ID or --vram SIZE");
  }
  Request both = auto_request();
  both.vram = "12GB";
  EXPECT_THROW(with_detected_hardware(builtin_catalog(), both, machine({})), Error);
}

TEST(Detect, ToolsRunBoundedInTime) {
  EXPECT_EQ(run_command({"echo", "12288"}, 5000), "12288\n");
  EXPECT_FALSE(run_command({"fitcheck-no-such-tool"}, 5000).has_value());  // missing: nothing found
  EXPECT_FALSE(run_command({"false"}, 5000).has_value());                  // failed: nothing found
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(run_command({"sleep", "30"}, 200).has_value());  // killed at the deadline
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  if (std::filesystem::exists("/proc/meminfo")) EXPECT_TRUE(parse_meminfo(run_tool(Tool::meminfo).value_or("")).has_value());
}

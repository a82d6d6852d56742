#pragma once
// --gpu auto: the GPU (or Apple-silicon Mac) this machine has, from the vendors' own tools: nvidia-smi,
// rocm-smi, sysctl, and the host's RAM from /proc/meminfo. The parsers are pure functions of a tool's output,
// tested on recorded outputs (tests/data/detect/); running the tools is bounded in time, and a tool that is
// missing or fails finds nothing.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/request.hpp"
#include "fitcheck/catalog.hpp"

namespace fitcheck::cli {

struct DetectedGpu {
  std::string vendor;  // NVIDIA, AMD, Apple
  std::string name;    // as the tool prints it: "NVIDIA GeForce RTX 3060", "Apple M3 Max"
  std::uint64_t memory_bytes = 0;
  MemoryKind memory_kind = MemoryKind::vram;
};

// `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`: one "name, MiB" line a GPU.
std::vector<DetectedGpu> parse_nvidia_smi(std::string_view output);
// `rocm-smi --showproductname --showmeminfo vram --csv`: a header naming the columns, one "cardN,..." row a GPU.
std::vector<DetectedGpu> parse_rocm_smi(std::string_view output);
// `sysctl -n hw.memsize machdep.cpu.brand_string`: bytes of RAM, then the chip ("Apple M3 Max"); nullopt
// on anything but Apple silicon.
std::optional<DetectedGpu> parse_sysctl(std::string_view output);
// /proc/meminfo: MemTotal in bytes.
std::optional<std::uint64_t> parse_meminfo(std::string_view text);

enum class Tool { nvidia_smi, rocm_smi, sysctl, meminfo };
// A tool's output, or nullopt when it is missing, fails or runs too long.
using ToolRunner = std::function<std::optional<std::string>(Tool)>;
// The real machine's tools, each given at most a few seconds.
std::optional<std::string> run_tool(Tool tool);
// argv[0] from PATH, its stdout (stderr dropped); nullopt when it cannot start, fails, or runs past
// `timeout_ms` (then it is killed: --gpu auto never hangs on a stuck driver).
std::optional<std::string> run_command(std::vector<const char*> argv, int timeout_ms);

// The catalog profile a detected GPU is (by name, and memory within a few percent), else nullptr.
const Hardware* detected_profile(const Catalog& catalog, const DetectedGpu& gpu);

// The request with --gpu auto replaced by what the tools found: a profile id, or a --vram/--unified size with
// the detected name and vendor; for a discrete GPU, the host's RAM as the --ram default. Throws
// Error(Errc::usage) when nothing is found.
Request with_detected_hardware(const Catalog& catalog, Request r, const ToolRunner& run);

}  // namespace fitcheck::cli

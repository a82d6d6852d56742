#include "cli/detect.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/text.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

extern char** environ;

namespace fitcheck::cli {
namespace {

constexpr std::size_t k_max_output = 64 * 1024;  // more than any of these tools prints for a few GPUs
constexpr int k_tool_timeout_ms = 5000;          // nvidia-smi can take a second or two on a cold driver

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text::trim(text.substr(start, end - start));
    if (!line.empty()) out.push_back(line);
    start = end + 1;
  }
  return out;
}

std::vector<std::string> fields(std::string_view line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t comma = line.find(',');; comma = line.find(',', start)) {
    out.emplace_back(text::trim(line.substr(start, comma == std::string_view::npos ? line.size() - start : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// A memory size a tool printed, within what a GPU can have (nullopt for "[N/A]" and other text).
std::optional<std::uint64_t> amount(std::string_view text, std::uint64_t unit) {
  const std::optional<std::uint64_t> n = parse_count(text::trim(text));
  if (!n || *n == 0 || *n > (1ULL << 50) / unit) return std::nullopt;
  return *n * unit;
}

std::optional<std::size_t> column(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (text::equals_ignoring_case(header[i], name)) return i;
  }
  return std::nullopt;
}

// The name's words, '-' and '_' taken as spaces ("A100-SXM4-80GB" -> A100 SXM4 80GB).
std::vector<std::string> name_words(const std::string& name) {
  std::vector<std::string> out;
  std::string word;
  for (const char c : name + " ") {
    if (c == ' ' || c == '-' || c == '_' || c == '\t') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return out;
}

bool memory_close(const Hardware& h, const DetectedGpu& gpu) {
  // Drivers report a little less than the nominal size (an RTX 4090: 24564 of 24576 MiB) or exactly it.
  const double profile = static_cast<double>(h.memory_bytes);
  return std::fabs(static_cast<double>(gpu.memory_bytes) - profile) <= 0.04 * profile;
}

// The GPU to plan for: the largest of the first tool that finds one (NVIDIA, then AMD, then Apple silicon).
std::optional<DetectedGpu> first_found(const ToolRunner& run) {
  const auto largest = [](const std::vector<DetectedGpu>& gpus) -> std::optional<DetectedGpu> {
    if (gpus.empty()) return std::nullopt;
    return *std::max_element(gpus.begin(), gpus.end(),
                             [](const DetectedGpu& a, const DetectedGpu& b) { return a.memory_bytes < b.memory_bytes; });
  };
  if (const std::optional<std::string> out = run(Tool::nvidia_smi)) {
    if (std::optional<DetectedGpu> gpu = largest(parse_nvidia_smi(*out))) return gpu;
  }
  if (const std::optional<std::string> out = run(Tool::rocm_smi)) {
    if (std::optional<DetectedGpu> gpu = largest(parse_rocm_smi(*out))) return gpu;
  }
  if (const std::optional<std::string> out = run(Tool::sysctl)) return parse_sysctl(*out);
  return std::nullopt;
}

std::optional<std::string> read_small_file(const char* path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::string text(k_max_output, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  return text;
}

}  // namespace

std::vector<DetectedGpu> parse_nvidia_smi(std::string_view output) {
  std::vector<DetectedGpu> gpus;
  for (const std::string_view line : lines(output)) {
    const std::size_t comma = line.rfind(',');  // names hold no comma; the memory is the last field
    if (comma == std::string_view::npos) continue;
    const std::string name(text::trim(line.substr(0, comma)));
    const std::optional<std::uint64_t> bytes = amount(line.substr(comma + 1), k_mib);  // nounits: MiB
    if (!name.empty() && bytes) gpus.push_back({"NVIDIA", name, *bytes, MemoryKind::vram});
  }
  return gpus;
}

std::vector<DetectedGpu> parse_rocm_smi(std::string_view output) {
  std::vector<DetectedGpu> gpus;
  std::optional<std::size_t> name_at;
  std::optional<std::size_t> bytes_at;
  for (const std::string_view line : lines(output)) {
    const std::vector<std::string> row = fields(line);
    if (text::equals_ignoring_case(row.front(), "device")) {  // the header; rocm-smi's column order varies
      name_at = column(row, "Card Series");
      bytes_at = column(row, "VRAM Total Memory (B)");
    } else if (name_at && bytes_at && text::lower(row.front()).rfind("card", 0) == 0 &&
               row.size() > std::max(*name_at, *bytes_at)) {
      const std::optional<std::uint64_t> bytes = amount(row[*bytes_at], 1);
      const std::string& name = row[*name_at];
      if (bytes) gpus.push_back({"AMD", name == "N/A" || name.empty() ? "AMD GPU" : name, *bytes, MemoryKind::vram});
    }
  }
  return gpus;
}

std::optional<DetectedGpu> parse_sysctl(std::string_view output) {
  std::optional<std::uint64_t> bytes;
  std::string brand;
  for (const std::string_view line : lines(output)) {
    if (const std::optional<std::uint64_t> n = amount(line, 1))
      bytes = n;
    else
      brand = std::string(line);
  }
  // Apple silicon says "Apple M3 Max"; an Intel Mac's "Intel(R) Core(TM) ..." has no GPU fitcheck plans for.
  if (!bytes || brand.rfind("Apple ", 0) != 0) return std::nullopt;
  return DetectedGpu{"Apple", brand, *bytes, MemoryKind::unified};
}

std::optional<std::uint64_t> parse_meminfo(std::string_view text) {
  for (const std::string_view line : lines(text)) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    std::string_view value = text::trim(line.substr(9));
    if (value.size() < 3 || !text::equals_ignoring_case(value.substr(value.size() - 2), "kB")) return std::nullopt;
    return amount(value.substr(0, value.size() - 2), k_kib);  // the kernel's kB are KiB
  }
  return std::nullopt;
}

namespace {

struct Child {
  pid_t pid = 0;
  int stdout_fd = -1;
};

// argv[0] from PATH with its stdout on a pipe and its stderr on /dev/null; nullopt when it cannot start.
std::optional<Child> spawn(std::vector<const char*> argv) {
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // Its own process group, so that a timeout ends what it started too (a wrapper script's children).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  Child child;
  const int spawned = posix_spawnp(&child.pid, argv[0], &actions, &attributes, const_cast<char* const*>(argv.data()), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    return std::nullopt;
  }
  child.stdout_fd = pipe_fds[0];
  return child;
}

// Reads `fd` to its end or to the deadline (then false); keeps at most k_max_output bytes.
bool read_until(int fd, std::chrono::steady_clock::time_point deadline, std::string& out) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int ready = left.count() > 0 ? poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;  // the deadline passed, or poll failed: stop the child
    char buffer[4096];
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got <= 0) return true;
    if (out.size() < k_max_output) out.append(buffer, static_cast<std::size_t>(got));
  }
}

}  // namespace

std::optional<std::string> run_command(std::vector<const char*> argv, int timeout_ms) {
  const std::optional<Child> child = spawn(std::move(argv));
  if (!child) return std::nullopt;  // not installed: nothing found, not an error
  std::string out;
  const bool in_time =
      read_until(child->stdout_fd, std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms), out);
  close(child->stdout_fd);
  if (!in_time) kill(-child->pid, SIGKILL);  // the process group this function started, by its id
  int status = 0;
  while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {}
  if (!in_time || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

std::optional<std::string> run_tool(Tool tool) {
  switch (tool) {
    case Tool::nvidia_smi:
      return run_command({"nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"}, k_tool_timeout_ms);
    case Tool::rocm_smi:
      return run_command({"rocm-smi", "--showproductname", "--showmeminfo", "vram", "--csv"}, k_tool_timeout_ms);
    case Tool::sysctl: return run_command({"sysctl", "-n", "hw.memsize", "machdep.cpu.brand_string"}, k_tool_timeout_ms);
    case Tool::meminfo: return read_small_file("/proc/meminfo");
  }
  return std::nullopt;
}

const Hardware* detected_profile(const Catalog& catalog, const DetectedGpu& gpu) {
  const std::vector<std::string> words = name_words(gpu.name);
  // Tools add words profiles spell otherwise ("NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB"): drop them from
  // the end, down to the model number, until a profile of the detected memory answers.
  const auto model = std::find_if(words.begin(), words.end(), [](const std::string& w) {
    return std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
  });
  const std::size_t shortest = model == words.end() ? words.size() : static_cast<std::size_t>(model - words.begin()) + 1;
  for (std::size_t n = words.size(); n >= shortest && n > 0; --n) {
    std::string query;
    for (std::size_t i = 0; i < n; ++i) query += (i ? " " : "") + words[i];
    std::vector<const Hardware*> found = catalog.match_hardware(query);
    std::erase_if(found, [&](const Hardware* h) { return h->memory_kind != gpu.memory_kind || !memory_close(*h, gpu); });
    if (found.size() == 1) return found.front();
    if (found.size() > 1) return nullptr;  // two profiles of that name and memory: not ours to pick
  }
  return nullptr;
}

Request with_detected_hardware(const Catalog& catalog, Request r, const ToolRunner& run) {
  if (!r.vram.empty() || !r.unified.empty())
    throw Error(Errc::usage, "conflicting options: give only one of --gpu, --vram and --unified");
  const std::optional<DetectedGpu> gpu = first_found(run);
  if (!gpu) {
    throw Error(Errc::usage,
                "could not detect a GPU (nvidia-smi, rocm-smi and sysctl found nothing): give --gpu ID or --vram SIZE");
  }
  const bool unified = gpu->memory_kind == MemoryKind::unified;
  if (const Hardware* profile = detected_profile(catalog, *gpu)) {
    r.gpu = profile->id;
  } else {  // a GPU the catalog lacks: a custom target of its memory, under its own name and vendor
    r.gpu.clear();
    (unified ? r.unified : r.vram) = std::to_string(gpu->memory_bytes) + "B";
    r.custom_name = "detected " + gpu->name;
    const bool known = std::any_of(catalog.vendors.begin(), catalog.vendors.end(),
                                   [&](const VendorRules& v) { return v.vendor == gpu->vendor; });
    if (known) r.custom_vendor = gpu->vendor;
  }
  if (!unified && r.ram.empty()) {  // the host this GPU sits in, as the kernel counts its RAM
    if (const std::optional<std::string> meminfo = run(Tool::meminfo)) {
      if (const std::optional<std::uint64_t> ram = parse_meminfo(*meminfo)) r.ram = std::to_string(*ram) + "B";
    }
  }
  return r;
}

}  // namespace fitcheck::cli

#pragma once
// The llama.cpp and Ollama defaults that changed across releases (data/runtime_versions.json): which release a
// deployment runs, and the defaults a config that says nothing gets under it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fitcheck/enum_names.hpp"

namespace fitcheck {

struct Catalog;

// How a runtime numbers its releases: llama.cpp's build (b10573), Ollama's X.Y.Z (0.22.0).
enum class VersionScheme { build, semver };
inline constexpr EnumName<VersionScheme> k_version_scheme_names[] = {{"build", VersionScheme::build},
                                                                     {"semver", VersionScheme::semver}};

// A release: {10573} for b10573, {0, 22, 0} for 0.22; parts left out compare as 0.
struct Version {
  std::vector<std::uint64_t> parts;
  int compare(const Version& other) const;
  bool operator<(const Version& other) const { return compare(other) < 0; }
  bool operator<=(const Version& other) const { return compare(other) <= 0; }
  bool operator==(const Version& other) const { return compare(other) == 0; }
};

// "b10573" or "10573" (build); "0.22", "v0.22.1", "0.30.0-rc15" (semver: a pre-release reads as its release).
// nullopt when the text is not of the scheme's form.
std::optional<Version> parse_version(VersionScheme scheme, std::string_view text);
// As people write it: "b10573", "0.22.0".
std::string version_text(VersionScheme scheme, const Version& version);

struct VersionStep {
  Version from;  // the first release with this value
  std::uint64_t value = 0;
};

struct VersionedSetting {
  std::string setting;
  std::vector<VersionStep> steps;  // oldest first
};

struct RuntimeVersions {
  std::string runtime;  // "llama.cpp", "ollama"
  VersionScheme scheme = VersionScheme::build;
  Version newest;       // the newest release fitcheck knows: the default
  Version gemma4_from;  // the first release that runs Gemma 4
  std::vector<VersionedSetting> settings;
  // The setting's value at `version` (its last step at or before it). check_catalog guarantees each setting the
  // code reads, with a step at gemma4_from or before, so a miss is Error(Errc::internal).
  std::uint64_t value(std::string_view setting, const Version& version) const;
  std::string text(const Version& version) const { return version_text(scheme, version); }
};

// The settings the code reads, by runtime (check_catalog requires each).
inline constexpr const char* k_llama_version_settings[] = {
    "flash_attn", "parallel", "kv_unified", "context", "fit", "fit_margin_mib", "fit_min_context", "flash_attn_kv_copy"};
inline constexpr const char* k_ollama_version_settings[] = {"llama_server", "flash_attn", "sliding_memory",    "parallel",
                                                            "batch",        "mmap",       "flash_attn_kv_copy"};

// A release of a runtime as a deployment runs it, and where that was decided.
struct RuntimeRelease {
  const RuntimeVersions* runtime = nullptr;
  Version version;
  std::string origin;  // "the newest fitcheck knows", "--runtime", "the image tag ..."
  std::string text() const { return runtime->runtime + " " + runtime->text(version); }
};

// llama-server's defaults at a release, for the options a command line leaves out.
struct LlamaDefaults {
  bool flash_attn = true;
  bool bench_flash_attn = false;  // llama-bench with no -fa
  std::uint64_t parallel = 1;     // llama-server with no -np (llama-cli: 1)
  bool kv_unified = false;
  std::uint64_t context = 0;  // no -c; 0: the model's context
  bool fit = false;           // --fit on by default
  std::uint64_t fit_margin_bytes = 0;
  std::uint64_t fit_min_context = 0;
  bool flash_attn_kv_copy = true;  // flash attention's copy of a quantized K/V is in the compute buffer (b9489 on)
};
LlamaDefaults llama_defaults(const RuntimeRelease& release);

// Ollama's at a release.
struct OllamaDefaults {
  bool llama_server = true;  // runs llama-server (else its own Go engine)
  bool flash_attn = true;
  std::uint64_t sliding_memory = 0;  // the Go engine's sliding cells per sequence; 0: llama.cpp's rule
  std::uint64_t parallel = 1;
  std::uint64_t batch = 512;
  bool mmap = true;                // the weights file is memory-mapped (the Go engine reads it into its own buffers)
  bool flash_attn_kv_copy = true;  // its llama.cpp build copies a quantized K/V in the compute buffer
};
OllamaDefaults ollama_defaults(const RuntimeRelease& release);

// The newest release of a runtime ("llama.cpp", "ollama") the catalog knows.
RuntimeRelease newest_release(const Catalog& catalog, std::string_view runtime);
// "llama.cpp@b10573", "ollama@0.22": Error(Errc::usage) with a suggestion for an unknown runtime, a version not of
// its form, or a release before Gemma 4.
RuntimeRelease parse_runtime_choice(const Catalog& catalog, std::string_view text);
// A release of `runtime` a config states (an image tag, a log line): nullopt when `version` is not of its form;
// Error(Errc::data) for a release before Gemma 4.
std::optional<RuntimeRelease> stated_release(const Catalog& catalog, std::string_view runtime, std::string_view version,
                                             const std::string& origin);

}  // namespace fitcheck

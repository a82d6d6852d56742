#include "fitcheck/runtime_versions.hpp"

#include <algorithm>

#include "fitcheck/catalog.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck {
namespace {

// A run of digits as a number, bounded (no release number has more than 9 digits).
std::optional<std::uint64_t> digits(std::string_view text) {
  if (text.size() > 9) return std::nullopt;
  return parse_count(text);
}

const char* form_of(VersionScheme scheme) {
  return scheme == VersionScheme::build ? "a build such as b10573" : "a release such as 0.22 or 0.30.1";
}

std::vector<std::string> runtime_names(const Catalog& catalog) {
  std::vector<std::string> names;
  for (const RuntimeVersions& r : catalog.runtime_versions) names.push_back(r.runtime);
  return names;
}

const RuntimeVersions& versions_of(const Catalog& catalog, std::string_view runtime) {
  for (const RuntimeVersions& r : catalog.runtime_versions) {
    if (r.runtime == runtime) return r;
  }
  throw Error(Errc::internal, "runtime '" + std::string(runtime) + "' has no versions in the catalog");
}

// Gemma 4 runs from a release on: before it, nothing fitcheck models can load the model.
void require_gemma4(const RuntimeRelease& r, Errc code, const std::string& what) {
  if (r.runtime->gemma4_from <= r.version) return;
  throw Error(code, what + " " + r.text() + " cannot run Gemma 4, which " + r.runtime->runtime + " supports from " +
                        r.runtime->text(r.runtime->gemma4_from) + " (use that release or a later one)");
}

}  // namespace

int Version::compare(const Version& other) const {
  const std::size_t n = std::max(parts.size(), other.parts.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t a = i < parts.size() ? parts[i] : 0;
    const std::uint64_t b = i < other.parts.size() ? other.parts[i] : 0;
    if (a != b) return a < b ? -1 : 1;
  }
  return 0;
}

std::optional<Version> parse_version(VersionScheme scheme, std::string_view text) {
  if (scheme == VersionScheme::build) {
    if (!text.empty() && (text.front() == 'b' || text.front() == 'B')) text.remove_prefix(1);
    const std::optional<std::uint64_t> n = digits(text);
    if (!n || *n == 0) return std::nullopt;
    return Version{{*n}};
  }
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  text = text.substr(0, text.find('-'));  // 0.30.0-rc15: the release it leads to
  Version v;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::optional<std::uint64_t> n = digits(text.substr(start, dot - start));
    if (!n || v.parts.size() == 3) return std::nullopt;
    v.parts.push_back(*n);
    start = dot + 1;
  }
  if (v.parts.size() < 2) return std::nullopt;
  return v;
}

std::string version_text(VersionScheme scheme, const Version& version) {
  if (scheme == VersionScheme::build) return "b" + std::to_string(version.parts.empty() ? 0 : version.parts.front());
  std::string out;
  for (std::size_t i = 0; i < 3; ++i) {
    out += (i ? "." : "") + std::to_string(i < version.parts.size() ? version.parts[i] : 0);
  }
  return out;
}

std::uint64_t RuntimeVersions::value(std::string_view setting, const Version& version) const {
  for (const VersionedSetting& s : settings) {
    if (s.setting != setting) continue;
    const VersionStep* at = nullptr;
    for (const VersionStep& step : s.steps) {
      if (step.from <= version) at = &step;
    }
    if (at) return at->value;
  }
  throw Error(Errc::internal, runtime + " setting '" + std::string(setting) + "' has no value at " + text(version));
}

LlamaDefaults llama_defaults(const RuntimeRelease& release) {
  const RuntimeVersions& r = *release.runtime;
  const Version& v = release.version;
  LlamaDefaults d;
  d.flash_attn = r.value("flash_attn", v) != 0;
  d.bench_flash_attn = r.value("bench_flash_attn", v) != 0;
  d.parallel = r.value("parallel", v);
  d.kv_unified = r.value("kv_unified", v) != 0;
  d.context = r.value("context", v);
  d.fit = r.value("fit", v) != 0;
  d.fit_margin_bytes = checked_mul(r.value("fit_margin_mib", v), std::uint64_t{1} << 20, "--fit-target");
  d.fit_min_context = r.value("fit_min_context", v);
  d.flash_attn_kv_copy = r.value("flash_attn_kv_copy", v) != 0;
  return d;
}

OllamaDefaults ollama_defaults(const RuntimeRelease& release) {
  const RuntimeVersions& r = *release.runtime;
  const Version& v = release.version;
  OllamaDefaults d;
  d.llama_server = r.value("llama_server", v) != 0;
  d.flash_attn = r.value("flash_attn", v) != 0;
  d.sliding_memory = r.value("sliding_memory", v);
  d.parallel = r.value("parallel", v);
  d.batch = r.value("batch", v);
  d.mmap = r.value("mmap", v) != 0;
  d.flash_attn_kv_copy = r.value("flash_attn_kv_copy", v) != 0;
  return d;
}

RuntimeRelease newest_release(const Catalog& catalog, std::string_view runtime) {
  const RuntimeVersions& r = versions_of(catalog, runtime);
  return {&r, r.newest, "the newest fitcheck knows"};
}

RuntimeRelease parse_runtime_choice(const Catalog& catalog, std::string_view text) {
  const std::size_t at = text.find('@');
  const std::string name(text.substr(0, at));
  const RuntimeVersions* runtime = nullptr;
  for (const RuntimeVersions& r : catalog.runtime_versions) {
    if (r.runtime == name || (name == "llama-cpp" && r.runtime == "llama.cpp")) runtime = &r;
  }
  if (!runtime) {
    const std::string guess = did_you_mean(name, runtime_names(catalog));
    throw Error(Errc::usage, "unknown runtime '" + name + "' in --runtime " + std::string(text) +
                                 (guess.empty() ? " (expected llama.cpp@bN or ollama@X.Y)" : " (" + guess + ")"));
  }
  const std::string example = runtime->runtime + "@" + runtime->text(runtime->newest);
  if (at == std::string_view::npos)
    throw Error(Errc::usage,
                "--runtime " + std::string(text) + " names no version (expected RUNTIME@VERSION, e.g. " + example + ")");
  const std::optional<Version> version = parse_version(runtime->scheme, text.substr(at + 1));
  if (!version) {
    throw Error(Errc::usage, "invalid " + runtime->runtime + " version '" + std::string(text.substr(at + 1)) + "' (expected " +
                                 form_of(runtime->scheme) + ", e.g. --runtime " + example + ")");
  }
  RuntimeRelease release{runtime, *version, "--runtime"};
  require_gemma4(release, Errc::usage, "--runtime:");
  return release;
}

std::optional<RuntimeRelease> stated_release(const Catalog& catalog, std::string_view runtime, std::string_view version,
                                             const std::string& origin) {
  const RuntimeVersions& r = versions_of(catalog, runtime);
  const std::optional<Version> v = parse_version(r.scheme, version);
  if (!v) return std::nullopt;
  RuntimeRelease release{&r, *v, origin};
  require_gemma4(release, Errc::data, origin + " names");
  return release;
}

}  // namespace fitcheck

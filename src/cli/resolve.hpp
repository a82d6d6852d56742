#pragma once
// The second step of the command line (ripgrep's LowArgs -> HiArgs): a parsed Request, which holds the
// flags as typed, meets the catalog and becomes typed, validated values. Every usage error about a flag's
// value is raised here, once, before any command runs.
#include <cstdint>
#include <optional>
#include <string>

#include "cli/request.hpp"
#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/check.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/planner.hpp"
#include "readers/readers.hpp"

namespace fitcheck::cli {

struct Target {
  Hardware hardware;
  Budget budget;
};

struct Resolved {
  Backend backend = Backend::cpu;
  std::optional<Target> target;  // the hardware and its budget under the backend, when one was given
};

// The hardware named by --gpu, --vram or --unified (at most one), or none.
std::optional<Hardware> resolve_hardware(const Catalog& catalog, const Request& r);
Resolved resolve_target(const Catalog& catalog, const Request& r);
// Host RAM a discrete GPU's host offers (--ram, or the catalog's host), less what the OS keeps.
std::uint64_t resolve_host_ram(const Catalog& catalog, const Request& r);
// Speed parameters, host RAM and the offload switch; only with a target (speed options without one are an error).
std::optional<SpeedSetup> resolve_speed(const Catalog& catalog, const Request& r, const std::optional<Target>& target,
                                        Backend backend);
Settings resolve_settings(const Catalog& catalog, const Runtime& runtime, const Request& r);
// footprint, recommend and curve --runtime llama.cpp@bN: the catalog's runtime at that release (its defaults,
// the allocation rules that changed across releases, its name in the output); the newest without it.
Runtime resolve_runtime(const Catalog& catalog, const Request& r);
// The recommendation policy from the catalog and --prefer, --need, --text-only (and the KV fallback when
// the user chose no KV type).
void resolve_policy(const Catalog& catalog, const Request& r, Constraints& c);
// --min-bits; nullopt when not given.
std::optional<unsigned> resolve_min_bits(const Request& r);

struct CheckOptions {
  readers::ReadOptions read;
  std::string output = "text";  // text, json, github
  Headroom headroom;
  double host_bandwidth_gbs = 0;  // --ram-bw; 0: the catalog's typical host
  std::optional<double> min_tps;  // --min-tps
};
// The output `check` asked for: the output kind given to --format, else json with --json, else text.
std::string check_output(const Request& r);
CheckOptions resolve_check_options(const Catalog& catalog, const Request& r);
// The hardware of one deployment: the command line's target, else the file's own.
Hardware deployment_hardware(const Catalog& catalog, const Request& r, const Deployment& d);

}  // namespace fitcheck::cli

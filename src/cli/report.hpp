#pragma once
// Rendering of results as text (for people) and JSON (schema_version 1, for scripts).
// The JSON wire format is documented in README "JSON output"; tests pin every object's key set.
#include <optional>
#include <string>

#include "fitcheck/budget.hpp"
#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/curve.hpp"
#include "fitcheck/planner.hpp"

namespace fitcheck::cli {

struct FootprintReport {
  const Catalog& catalog;
  const Runtime& runtime;
  Footprint footprint;
  const Hardware* hardware = nullptr;  // set when a target was given
  std::optional<Budget> budget;
  std::vector<RoleBytes> roles;     // non-empty: show the per-role weights
  std::optional<SpeedSetup> speed;  // with a target: speed parameters
  std::optional<Verdict> verdict;   // with a target: speed, offload plan, and the final fit
};

struct RecommendReport {
  const Catalog& catalog;
  const Runtime& runtime;
  const Hardware& hardware;
  const Plan& plan;
  bool all = false;  // text: also the full table of every model and preset
};

std::string json_footprint(const FootprintReport& r);
std::string text_footprint(const FootprintReport& r);
std::string json_recommend(const RecommendReport& r);
std::string text_recommend(const RecommendReport& r);
// `fitcheck curve`: the points and where they come from.
struct CurveReport {
  const Catalog& catalog;
  const Runtime& runtime;
  const Hardware& hardware;
  const Budget& budget;
  const Curve& curve;
  const SpeedSetup& speed;
  const Settings& settings;
  std::string preset_choice;  // why this preset, when the user named none
};
std::string json_curve(const CurveReport& r);
std::string text_curve(const CurveReport& r);
std::string svg_curve(const CurveReport& r);
std::string csv_curve(const CurveReport& r);
// "gemma-4-31b Q4_K_M on GeForce RTX 4090: decode speed and memory vs context", or over models.
std::string curve_title(const CurveReport& r);
// The highest decode tokens/s of the curve's points (0 when none runs).
double max_decode_tps(const Curve& c);

// `fitcheck check`: each config with its verdict.
struct CheckItem {
  Deployment deployment;
  Hardware hardware;
  CheckResult result;
};
struct CheckReport {
  const Catalog& catalog;
  std::vector<CheckItem> items;
  std::vector<Error> errors;  // configs (or deployments in them) that could not be read or checked
  std::string headroom;       // as given ("10%", "1GiB"), empty for none
  bool lenient = false;
  std::optional<double> min_tps;  // --min-tps: a deployment that decodes slower does not pass
  // Every config read, and every deployment fits (and is fast enough under --min-tps).
  bool all_fit() const;
  // The worst outcome: 3 when a config could not be read, else 1 when a deployment does not fit, else 0.
  int exit_code() const;
};
std::string text_check(const CheckReport& r);
std::string json_check(const CheckReport& r);
std::string github_check(const CheckReport& r);
// An error as a GitHub workflow annotation, on the config file's line where it has one (for stderr: stdout
// stays empty). file is empty for an error in no file (a bad flag, an unknown GPU).
std::string github_error(const std::string& file, std::size_t line, const std::string& reason);
std::string junit_check(const CheckReport& r);

// `gpus`: the profiles `list gpus` shows (all, or those its words filter).
std::string json_list(const Catalog& catalog, const std::string& what, const std::vector<const Hardware*>& gpus);
std::string text_list(const Catalog& catalog, const std::string& what, const std::vector<const Hardware*>& gpus);
std::string json_validate(const Catalog& catalog);
std::string text_validate(const Catalog& catalog);

// Words shared by both renderings.
std::string kv_type_label(const Settings& s);
std::string compute_basis(const Runtime& runtime, Backend backend);
std::string projector_compute_basis(const Catalog& catalog);
std::string format_tps(double tps);
// "Budget: 22.49 GiB of device memory = 23.99 GiB VRAM - 0.50 GiB cuda runtime reserve - 1.00 GiB headroom"
std::string budget_line(const Hardware& hw, const Budget& b);
// "measured llama.cpp decode on this GPU is 48-61% of these figures (...)"; empty where the profile has no
// decode_measured_share.
std::string measured_share_text(const Hardware& hw);
// The same as a line of its own under a budget line ("Speed: ...\n"); empty where the profile has none.
std::string measured_share_line(const Hardware& hw);
// Shell completion scripts (bash, zsh, fish) and the roff man page, from the command line's definition.
std::string completion_script(const std::string& shell);
std::string man_page();
std::string vllm_basis();

}  // namespace fitcheck::cli

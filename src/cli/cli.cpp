#include "fitcheck/version.hpp"
#include "cli/cli.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/detect.hpp"
#include "cli/report.hpp"
#include "cli/request.hpp"
#include "cli/resolve.hpp"
#include "core/text.hpp"
#include "fitcheck/names.hpp"
#include "readers/gguf.hpp"
#include "readers/input_file.hpp"
#include "readers/readers.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

std::string message_line(std::string_view what);

const Model& longest_model(const Catalog& catalog) {
  return *std::max_element(catalog.models.begin(), catalog.models.end(),
                           [](const Model& a, const Model& b) { return a.max_context < b.max_context; });
}

Catalog read_catalog_file(const std::string& path) {
  std::string text;
  try {
    text = readers::read_input_file(path, readers::k_max_catalog_bytes, "one JSON file holding every section");
  } catch (const Error& e) {
    throw Error(Errc::data, "cannot read catalog '" + path + "': " + e.reason());
  }
  return load_catalog({{path, text}}, path);
}

// --gguf FILE [--mmproj FILE]: the model and its weights from the files' headers; else --model and --quant.
struct FootprintWeights {
  const Model* model = nullptr;
  Preset preset;  // the catalog's, or one named after the file
  std::optional<WeightPlan> plan;
};

FootprintWeights footprint_weights(const Catalog& catalog, const Runtime& runtime, const Request& r) {
  if (!r.hf.empty()) {
    if (!r.gguf.empty() || !r.model.empty() || !r.quant.empty())
      throw Error(Errc::usage,
                  "conflicting options: --hf names the model and its quantization; drop --gguf, --model and --quant");
    try {
      const ModelMatch m = match_hf_repo(catalog, r.hf);
      return {m.model, *m.preset, std::nullopt};
    } catch (const Error& e) {  // a name on the command line: a usage error
      throw Error(Errc::usage, "--hf " + e.reason());
    }
  }
  if (r.gguf.empty()) {
    if (!r.mmproj.empty())
      throw Error(Errc::usage, "--mmproj FILE goes with --gguf FILE (with --model, use --vision or --audio)");
    if (r.model.empty() || r.quant.empty()) throw Error(Errc::usage, "footprint needs --model and --quant, or --gguf FILE");
    return {&catalog.find_model(r.model), catalog.find_preset(r.quant), std::nullopt};
  }
  if (!r.model.empty() || !r.quant.empty()) {
    throw Error(Errc::usage,
                "conflicting options: --gguf reads the model and its tensor types from the file; drop --model and --quant");
  }
  const readers::GgufModel file = readers::read_gguf_model(catalog, r.gguf);
  if (file.kind != readers::GgufModel::Kind::model) {
    const bool projector = file.kind == readers::GgufModel::Kind::projector;
    throw Error::in_file(r.gguf, 0,
                         std::string(projector ? "a multimodal projector (mmproj)" : "a drafter (MTP head)") +
                             ", not a model (expected a model file; give a projector as --mmproj)");
  }
  FootprintWeights w{file.model, {}, readers::gguf_weights(catalog, file, runtime)};
  w.preset.id = std::filesystem::path(r.gguf).filename().string();
  if (!r.mmproj.empty()) {
    const readers::GgufModel projector = readers::read_gguf_model(catalog, r.mmproj);
    if (projector.kind != readers::GgufModel::Kind::projector) {
      throw Error::in_file(
          r.mmproj, 0,
          "not a multimodal projector: its architecture is '" + projector.architecture + "' (expected clip, an mmproj file)");
    }
    w.plan->projector_bytes = projector.tensor_bytes;
  }
  return w;
}

// --draft FILE / --hfd REPO: the model's MTP drafter at --draft-ctx (default: the context); 0 without one. A file
// that exists must be a drafter of the catalog's architecture; a repository must name the same model.
std::uint64_t draft_context(const Catalog& catalog, const Model& model, const Request& r, std::uint64_t context) {
  if (!r.draft.empty() && !r.hfd.empty()) throw Error(Errc::usage, "conflicting options: --draft FILE or --hfd REPO, not both");
  if (r.draft.empty() && r.hfd.empty()) {
    if (!r.draft_ctx.empty()) throw Error(Errc::usage, "--draft-ctx goes with --draft FILE or --hfd REPO");
    return 0;
  }
  if (!r.draft.empty() && std::filesystem::exists(r.draft) &&
      readers::read_gguf_model(catalog, r.draft).kind != readers::GgufModel::Kind::drafter) {
    throw Error::in_file(r.draft, 0, "not an MTP drafter (expected a GGUF whose metadata names nextn_predict_layers)");
  }
  const std::string& name = r.draft.empty() ? r.hfd : r.draft;
  const Model* named = model_named_in(catalog, name);
  if (named && named != &model) {
    throw Error(Errc::usage, "the drafter '" + name + "' is " + named->id + "'s, not " + model.id + "'s: give the model's own");
  }
  return r.draft_ctx.empty() ? context : parse_context(r.draft_ctx);
}

int run_footprint(const Catalog& catalog, const Request& r, std::string& out) {
  const Runtime runtime = resolve_runtime(catalog, r);
  FootprintWeights weights = footprint_weights(catalog, runtime, r);
  const Model& model = *weights.model;
  Settings s = resolve_settings(catalog, runtime, r);
  // A projector file is loaded whole, every encoder it holds, as llama-server --mmproj does.
  if (weights.plan && weights.plan->projector_bytes && !s.wants_projector()) s.vision = model.has_modality("image");
  // -hf downloads and loads the repository's mmproj too (llama.cpp common/arg.cpp --mmproj-auto), unless --text-only.
  if (!r.hf.empty() && !r.text_only) {
    s.vision = model.has_modality("image");
    s.audio = model.has_modality("audio");
  }
  s.context = parse_context(r.ctx);
  s.draft_context = draft_context(catalog, model, r, s.context);
  const Resolved resolved = resolve_target(catalog, r);
  s.backend = resolved.backend;
  const std::optional<Target>& target = resolved.target;
  require_context(model, s.context);
  validate_settings(catalog, model, s);
  const SetupOf of{catalog, model, weights.preset, runtime};
  const ModelSetup setup = weights.plan ? make_setup(of, s, std::move(*weights.plan)) : make_setup(of, s);
  FootprintReport report{catalog, runtime, footprint_at(setup, s.context), nullptr, std::nullopt, {}, std::nullopt, std::nullopt};
  if ((r.explain && !r.json) || (r.tensors && r.json)) report.roles = weights_by_role(setup.weights);
  report.speed = resolve_speed(catalog, r, target, s.backend);  // rejects speed options without a target
  if (target) {
    report.hardware = &target->hardware;
    report.budget = target->budget;
    report.verdict = judge(report.footprint, setup.table, target->budget, report.speed);
    if (Speed* speed = report.verdict->speed ? &*report.verdict->speed : nullptr; speed && s.draft_context != 0)
      speed->mtp = mtp_range(setup.table, resident_placement(setup.table, s.backend), report.speed->params, speed->decode_tps);
  }
  out = r.json ? json_footprint(report) : text_footprint(report);
  return report.verdict && !report.verdict->qualifies ? 1 : 0;
}

int run_recommend(const Catalog& catalog, const Request& r, std::string& out) {
  const Runtime runtime = resolve_runtime(catalog, r);
  const Resolved resolved = resolve_target(catalog, r);
  if (!resolved.target)
    throw Error(Errc::usage, "recommend needs a target: add --gpu ID (see 'fitcheck list gpus'), --vram SIZE or --unified SIZE");
  const Target& target = *resolved.target;
  Constraints c;
  c.min_bits = catalog.policy.min_bits;
  c.min_context = catalog.policy.min_context;
  c.settings = resolve_settings(catalog, runtime, r);
  c.settings.backend = resolved.backend;
  c.min_bits = resolve_min_bits(r).value_or(c.min_bits);
  const Model* longest = &longest_model(catalog);
  // The default minimum never asks more than the catalog's longest model can hold; an explicit one is checked.
  c.min_context = r.min_ctx.empty() ? std::min(c.min_context, longest->max_context) : parse_context(r.min_ctx);
  if (c.min_context == 0 || c.min_context > longest->max_context) {
    throw Error(Errc::usage, "invalid --min-ctx " + std::to_string(c.min_context) + ": use 1 to " +
                                 std::to_string(longest->max_context) + " (" + longest->id + "'s maximum)");
  }
  c.settings.context = c.min_context;
  c.speed = resolve_speed(catalog, r, resolved.target, resolved.backend);
  resolve_policy(catalog, r, c);
  for (const Model& m : catalog.models) {
    if (meets_needs(c, m)) validate_settings(catalog, m, settings_for(c, m));
  }
  const Plan plan = recommend(catalog, target.budget, runtime, c);
  const RecommendReport report{catalog, runtime, target.hardware, plan, r.all};
  out = r.json ? json_recommend(report) : text_recommend(report);
  return plan.chosen ? 0 : 1;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  if (!file || !(file << text) || !file.flush()) {
    throw Error(Errc::data, "cannot write '" + path + "': check that its folder exists and is writable");
  }
}

int run_curve(const Catalog& catalog, const Request& r, std::string& out) {
  const Runtime runtime = resolve_runtime(catalog, r);
  const Resolved resolved = resolve_target(catalog, r);
  if (!resolved.target)
    throw Error(Errc::usage, "curve needs a target: add --gpu ID (see 'fitcheck list gpus'), --vram SIZE or --unified SIZE");
  const Target& target = *resolved.target;
  Settings s = resolve_settings(catalog, runtime, r);
  s.backend = resolved.backend;
  s.context = r.ctx.empty() ? catalog.policy.min_context : parse_context(r.ctx);
  const SpeedSetup speed = *resolve_speed(catalog, r, resolved.target, resolved.backend);
  Curve curve;
  std::string why;
  if (r.over == "models") {
    if (!r.model.empty() || !r.quant.empty())
      throw Error(Errc::usage, "--over models sweeps every model and preset: drop --model/--quant");
    const Model& longest = longest_model(catalog);
    if (s.context > longest.max_context) {
      throw Error(Errc::usage, "context " + std::to_string(s.context) + " is above every model's maximum (" + longest.id + ": " +
                                   std::to_string(longest.max_context) + " tokens); use --ctx " +
                                   format_context(longest.max_context) + " or less");
    }
    for (const Model& m : catalog.models) {
      if (supports_modalities(m, s) && s.context <= m.max_context) validate_settings(catalog, m, s);
    }
    curve = model_curve(catalog, runtime, s, target.budget, speed);
  } else {
    if (r.model.empty()) throw Error(Errc::usage, "curve needs --model ID (or --over models); see 'fitcheck list models'");
    if (!r.ctx.empty()) throw Error(Errc::usage, "--ctx sets the context of --over models; a context curve sweeps every context");
    const Model& model = catalog.find_model(r.model);
    validate_settings(catalog, model, s);
    PresetChoice choice{r.quant.empty() ? nullptr : &catalog.find_preset(r.quant), ""};
    if (!choice.preset) choice = curve_preset(catalog, model, runtime, s, target.budget, catalog.policy.min_bits);
    why = choice.why;
    curve = context_curve(make_setup({catalog, model, *choice.preset, runtime}, s), target.budget, speed);
  }
  const CurveReport report{catalog, runtime, target.hardware, target.budget, curve, speed, s, why};
  if (!r.svg_path.empty()) write_file(r.svg_path, svg_curve(report));
  if (!r.csv_path.empty()) write_file(r.csv_path, csv_curve(report));
  out = r.json ? json_curve(report) : text_curve(report);
  return 0;
}

// `list gpus WORDS` shows the profiles the words name; with none, exit 1 (a valid question, a negative answer).
int run_list(const Catalog& catalog, const Request& r, std::string& out) {
  if (!r.list_words.empty() && r.list_what != "gpus") throw Error(Errc::usage, "list " + r.list_what + " takes no filter words");
  std::string filter;
  for (const std::string& w : r.list_words) filter += (filter.empty() ? "" : " ") + w;
  std::vector<const Hardware*> gpus;
  if (filter.empty()) {
    for (const Hardware& h : catalog.hardware) gpus.push_back(&h);
  } else {
    gpus = catalog.filter_hardware(filter);
  }
  if (gpus.empty() && !r.json) {
    out = "No GPU profile matches '" + filter + "' (see 'fitcheck list gpus').\n";
    return 1;
  }
  out = r.json ? json_list(catalog, r.list_what, gpus) : text_list(catalog, r.list_what, gpus);
  return gpus.empty() ? 1 : 0;
}

void reject_unmodelled(Deployment& d, bool lenient) {
  if (d.unmodelled.empty()) return;
  if (!lenient) {
    const ConfigNote& n = d.unmodelled.front();
    readers::fail_at(d.path, n.line, n.message + ", which fitcheck does not model (remove it, or check with --lenient)");
  }
  for (const ConfigNote& n : d.unmodelled) d.warnings.push_back({n.line, n.message + ": not modelled (--lenient)"});
}

// One deployment's verdict; a data error in it (an unmodelled option, a context the model cannot hold)
// is that deployment's, reported with the others.
struct CheckRun {
  const Catalog& catalog;
  const Request& request;
  CheckOptions options;
  std::optional<std::uint64_t> reserve;
  std::uint64_t host_ram = 0;
};

void check_one(const CheckRun& run, Deployment d, CheckReport& report) {
  const Catalog& catalog = run.catalog;
  try {
    reject_unmodelled(d, run.request.lenient);
    if (run.request.cpu_only) d.backend = Backend::cpu;
    const Hardware hw = deployment_hardware(catalog, run.request, d);
    require_supported_target(d, hw);  // a usage error, before config errors take the file's line
    const CheckOptions& o = run.options;
    const CheckTarget target{hw, run.reserve, run.host_ram, o.headroom, o.host_bandwidth_gbs, o.min_tps};
    const CheckResult result = readers::at_line(d.path, d.line, [&] { return check_deployment(catalog, d, target); });
    if (!result.fitted.empty()) d.notes.push_back({0, result.fitted});
    if (result.paged_bytes)
      d.notes.push_back({0, format_gib(result.paged_bytes) +
                                " of the experts kept on the CPU do not fit in host RAM: llama.cpp maps "
                                "them from the file, so they are read from disk as tokens route to them "
                                "(decoding slows; --no-mmap or --mlock would fail)"});
    // The measured share is of decoding bound by the device's memory, not of a placement the host bounds.
    if (const std::string share = measured_share_text(hw); !share.empty() && result.speed.basis == "bandwidth")
      d.notes.push_back({0, share});
    if (result.draft_bytes)
      d.notes.push_back(
          {0, "the MTP drafter adds " + format_gib(result.draft_bytes) +
                  " on the device (its file and its draft context's compute buffer; llama.cpp's --fit does not count it)"});
    report.items.push_back({std::move(d), hw, result});
  } catch (const Error& e) {
    if (e.code() != Errc::data) throw;
    report.errors.push_back(d.name.empty() || e.file().empty() ? e
                                                               : Error::in_file(e.file(), e.line(), d.name + ": " + e.reason()));
  }
}

// Every file is checked: one that cannot be read is reported (exit 3) and the others still are.
int run_check(const Catalog& catalog, const Request& r, std::string& out, std::string& diagnostics) {
  CheckRun run{catalog, r, resolve_check_options(catalog, r), std::nullopt, resolve_host_ram(catalog, r)};
  const CheckOptions& o = run.options;
  if (!r.reserve.empty()) run.reserve = parse_size_option(r.reserve, SizeUnits::decimal);
  CheckReport report{catalog, {}, {}, r.headroom, r.lenient, o.min_tps};
  for (const std::string& path : r.files) {
    readers::ReadResult read;
    try {
      const std::string text = readers::read_input_file(path, readers::k_max_config_bytes, "a config file");
      read = readers::read_deployments(catalog, path, text, o.read);
    } catch (const Error& e) {
      if (e.code() != Errc::data) throw;
      report.errors.push_back(e);
    }
    for (Error& e : read.errors) report.errors.push_back(std::move(e));
    for (Deployment& d : read.deployments) check_one(run, std::move(d), report);
  }
  if (!r.junit_path.empty()) write_file(r.junit_path, junit_check(report));
  const bool github = o.output == "github";
  for (const Error& e : report.errors)
    diagnostics += github ? github_error(e.file(), e.line(), e.reason()) : "fitcheck: error: " + message_line(e.what()) + "\n";
  if (report.items.empty()) return report.exit_code();  // nothing read: stdout stays empty, as for any error
  out = o.output == "json" ? json_check(report) : github ? github_check(report) : text_check(report);
  return report.exit_code();
}

int dispatch_command(const Catalog& catalog, const Request& r, std::string& out, std::string& diagnostics) {
  switch (r.command) {
    case Command::footprint: return run_footprint(catalog, r, out);
    case Command::curve: return run_curve(catalog, r, out);
    case Command::check: return run_check(catalog, r, out, diagnostics);
    case Command::list: return run_list(catalog, r, out);
    case Command::validate: out = r.json ? json_validate(catalog) : text_validate(catalog); return 0;
    default: return run_recommend(catalog, r, out);
  }
}

int dispatch(const Request& r, std::string& out, std::string& diagnostics) {
  if (r.command == Command::help) {
    out = r.help_text;
    return 0;
  }
  if (r.command == Command::completions || r.command == Command::man) {
    out = r.command == Command::man ? man_page() : completion_script(r.shell);
    return 0;
  }
  if (r.command == Command::version) {
    // The tool, the catalog it carries, and the llama.cpp build whose allocation rules it models.
    const Catalog& catalog = builtin_catalog();
    const Runtime& runtime = catalog.default_runtime();
    out = std::string("fitcheck ") + version() + " (catalog " + catalog.name + " " + catalog.version + "; models " + runtime.id +
          " " + runtime.version + ")\n";
    return 0;
  }
  // validate checks the built-in catalog whole: every citation and key (the answers read it without the citations).
  const bool builtin_whole = r.catalog_path.empty() && r.command == Command::validate;
  const Catalog owned = !r.catalog_path.empty() ? read_catalog_file(r.catalog_path)
                        : builtin_whole         ? load_catalog(builtin_fragments(true), "builtin")
                                                : Catalog{};
  const Catalog& catalog = r.catalog_path.empty() && !builtin_whole ? builtin_catalog() : owned;
  // --gpu auto asks the machine's tools once, before any command resolves its target.
  if (text::equals_ignoring_case(r.gpu, "auto"))
    return dispatch_command(catalog, with_detected_hardware(catalog, r, run_tool), out, diagnostics);
  return dispatch_command(catalog, r, out, diagnostics);
}

// An error message as one line of valid UTF-8, of bounded length (a message can quote what a file says).
std::string message_line(std::string_view what) {
  constexpr std::size_t k_max_message = 2000;
  std::string line = text::one_line(what.substr(0, k_max_message));
  if (what.size() > k_max_message) line += "...";
  return line;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool annotate = false;  // `check --format github`: errors become workflow annotations
  try {
    const Request request = parse_args(args);
    annotate = request.command == Command::check && check_output(request) == "github";
    std::string result, diagnostics;
    const int code = dispatch(request, result, diagnostics);
    err << diagnostics;  // check: the configs it could not read (it checked the others)
    out << result;       // written only once everything succeeded: never a partial document
    out.flush();
    if (!out) throw Error(Errc::data, "cannot write the output: standard output is closed or full");
    return code;
  } catch (const Error& e) {
    if (annotate)
      err << github_error(e.file(), e.line(), e.reason());
    else
      err << "fitcheck: error: " << message_line(e.what()) << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    err << "fitcheck: error: internal error: " << message_line(e.what()) << " (please report this as a bug)\n";
    return static_cast<int>(Errc::internal);
  }
}

}  // namespace fitcheck::cli

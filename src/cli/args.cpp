#include <CLI/CLI.hpp>

#include "fitcheck/enum_names.hpp"
#include "fitcheck/version.hpp"
#include "cli/request.hpp"
#include "core/text.hpp"
#include "fitcheck/error.hpp"

namespace fitcheck::cli {
namespace {

constexpr EnumName<Command> k_command_names[] = {{"recommend", Command::recommend},
                                                 {"footprint", Command::footprint},
                                                 {"curve", Command::curve},
                                                 {"check", Command::check},
                                                 {"list", Command::list},
                                                 {"validate", Command::validate},
                                                 {"completions", Command::completions},
                                                 {"man", Command::man}};

void add_common(CLI::App& app, Request& r) {
  app.add_flag("--json", r.json, "Print one JSON document (schema_version 1) on stdout");
  app.add_option("--catalog", r.catalog_path, "Use this catalog JSON file instead of the built-in one");
}

void add_hardware(CLI::App& app, Request& r) {
  app.add_option("--gpu", r.gpu,
                 "Hardware profile: its id or name as people type it, e.g. rtx3060-12g, 3060, 'RTX 4090', 'm3 max 36' (see "
                 "'fitcheck list gpus'), or auto: this machine's GPU (nvidia-smi, rocm-smi, sysctl)");
  app.add_option("--vram", r.vram, "A custom discrete GPU with this much VRAM, e.g. 12GB (GB as on the box: 12GB = 12GiB)");
  app.add_option("--unified", r.unified,
                 "A custom Apple-style unified-memory machine with this much RAM, e.g. 48GB (GB as on the box: 48GB = 48GiB)");
  app.add_option("--bandwidth", r.bandwidth,
                 "Memory bandwidth of a --vram/--unified target in GB/s, for speeds (default: none, speeds unknown)");
  app.add_option("--backend", r.backend,
                 "llama.cpp backend: cpu, cuda, rocm, metal or vulkan (default: from the hardware; cpu without one)")
      ->check(CLI::IsMember({"cpu", "cuda", "rocm", "metal", "vulkan"}));
  app.add_option("--reserve", r.reserve,
                 "Runtime reserve taken off device memory, with a unit (default: per platform, e.g. 512MiB for CUDA)");
  app.add_option(
      "--headroom", r.headroom,
      "Device memory a plan leaves free: a size (2GiB) or a share of the budget (10%); default 1GiB, llama.cpp --fit's margin");
}

void add_runtime(CLI::App& app, Request& r) {
  app.add_option("--runtime", r.runtimes,
                 "The llama.cpp release whose rules apply, e.g. llama.cpp@b9488 (default: the newest fitcheck knows)");
  app.add_option("--kv-type", r.kv_type, "KV cache type for K and V: f16, bf16, q8_0, q5_1, q5_0, q4_1, q4_0, ...");
  app.add_option("--cache-type-k,--ctk", r.cache_type_k, "KV cache type for K only");
  app.add_option("--cache-type-v,--ctv", r.cache_type_v, "KV cache type for V only");
  app.add_option("--ubatch", r.ubatch, "Physical batch size (llama.cpp -ub, default 512)");
  app.add_option("--parallel", r.parallel, "Parallel sequences (llama.cpp -np, default 1)");
  app.add_option("--flash-attn", r.flash_attn, "Flash attention on or off (default on)")->check(CLI::IsMember({"on", "off"}));
  app.add_flag("--swa-full", r.swa_full, "Full-size cache for sliding-window layers (llama.cpp --swa-full)");
  app.add_flag("--kv-unified", r.kv_unified, "One unified KV cache for all sequences (llama.cpp -kvu)");
  app.add_flag("--no-kv-offload,--nkvo", r.no_kv_offload,
               "KV cache in host RAM, attention on the CPU (llama.cpp -nkvo / --no-kv-offload)");
  app.add_flag("--vision", r.vision, "Load the vision projector (mmproj) to take images");
  app.add_flag("--audio", r.audio, "Load the audio projector (mmproj; E2B and E4B only)");
  app.add_option("--mmproj-type", r.mmproj_type, "mmproj weight type: F16 (default), BF16 or Q8_0");
  app.add_flag("--no-repack", r.no_repack, "CPU backend: no repacked copy of Q4_K-class weights (llama.cpp --no-repack)");
  app.add_flag("--no-mmap", r.no_mmap,
               "Read the whole weights file into RAM (llama.cpp --no-mmap, --mlock): no table row stays on disk");
}

void add_speed(CLI::App& app, Request& r) {
  app.add_flag("--allow-offload", r.allow_offload,
               "Let a model that does not fit in VRAM run with layers or experts in host RAM");
  app.add_option("--ram", r.ram,
                 "Host RAM of a discrete-GPU machine, e.g. 64GB (GB as on the DIMMs: 64GB = 64GiB; default 32GiB)");
  app.add_option("--ram-bw", r.ram_bw, "Host RAM bandwidth in GB/s (default 51.2, dual-channel DDR4-3200)");
  app.add_option("--fill", r.fill, "Tokens already in the context for decode_tps (default 1024)");
  app.add_option("--min-tps", r.min_tps,
                 "Keep only plans that decode at least this many tokens/s (default 0; 5 with --allow-offload)");
}

// `fitcheck --gpu X` means `fitcheck recommend --gpu X`.
// `fitcheck` alone prints the help: a bare recommend has nothing to answer.
std::vector<std::string> with_default_command(std::vector<std::string> args) {
  if (args.empty()) return {"--help"};
  const bool bare_help_or_version =
      args.size() == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "--version" || args[0] == "-V");
  if (bare_help_or_version) return args;
  if (value_named(k_command_names, args[0])) return args;
  args.insert(args.begin(), "recommend");
  return args;
}

// Every option that takes a value refuses an empty one: `--gpu ""` is a mistake, not "no GPU".
void require_values(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands({})) {
    for (CLI::Option* opt : sub->get_options()) {
      if (opt->get_expected_min() == 0) continue;  // a flag
      opt->check(CLI::Validator(
          [](std::string& value) { return value.empty() ? std::string("an empty value (give one)") : std::string(); }, "",
          "nonempty"));
    }
  }
}

}  // namespace

std::unique_ptr<CLI::App> make_app(Request& r) {
  auto owned = std::make_unique<CLI::App>(
      "fitcheck: which Gemma 4 model, quantization and context fit your GPU or Mac, and how much memory each part takes.",
      "fitcheck");
  CLI::App& app = *owned;
  app.set_version_flag("--version,-V", std::string("fitcheck ") + version());
  app.require_subcommand(0, 1);

  CLI::App* recommend = app.add_subcommand("recommend", "The largest model, quant and context that fit (the default command)");
  add_common(*recommend, r);
  add_hardware(*recommend, r);
  add_runtime(*recommend, r);
  add_speed(*recommend, r);
  recommend->add_option("--min-bits", r.min_bits, "Quality floor: presets with at least this many bits (default 4)");
  recommend->add_option("--min-ctx", r.min_ctx, "Minimum context a plan must hold (default 8192; 32k, 128K accepted)");
  recommend
      ->add_option("--prefer", r.prefer,
                   "What to favour for the largest model that fits: balanced (default), speed, quality, context")
      ->check(CLI::IsMember({"balanced", "speed", "quality", "context"}));
  recommend->add_option("--need", r.needs, "Input the model must take: images or audio (audio: E2B, E4B, 12B); repeatable");
  recommend->add_flag("--text-only", r.text_only,
                      "Leave out the multimodal projector that llama-server -hf and Ollama load by default");
  recommend->add_flag("--all", r.all, "Also print every model and preset (the full table)");

  CLI::App* fp = app.add_subcommand("footprint", "Memory footprint of one deployment");
  add_common(*fp, r);
  add_hardware(*fp, r);
  add_runtime(*fp, r);
  fp->add_option("--model", r.model, "Model id or alias, e.g. gemma-4-31b or 31b (or give --gguf)");
  fp->add_option("--quant", r.quant, "Weight preset, e.g. Q4_K_M (or give --gguf)");
  fp->add_option("--gguf", r.gguf,
                 "A GGUF model file (the first part of a split one): its header's exact tensor types and shapes, instead of "
                 "--model and --quant");
  fp->add_option("--mmproj", r.mmproj, "With --gguf: the projector's GGUF file, loaded as llama-server --mmproj does");
  fp->add_option("--hf", r.hf,
                 "A GGUF repository as llama-server -hf takes it, REPO[:QUANT] (e.g. unsloth/gemma-4-26B-A4B-it-GGUF:UD-Q4_K_XL; "
                 "without :QUANT llama.cpp's default), resolved offline; loads its projector as -hf does (--text-only: not)");
  fp->add_flag("--text-only", r.text_only, "With --hf: leave the repository's projector out (llama-server --no-mmproj)");
  fp->add_option("--draft", r.draft,
                 "Load the model's MTP drafter from this GGUF file (llama-server -md with --spec-type draft-mtp); its header is "
                 "checked when the file exists");
  fp->add_option("--hfd", r.hfd, "Load the model's MTP drafter from this repository (llama-server -hfd), resolved offline");
  fp->add_option("--draft-ctx", r.draft_ctx, "The drafter's context (llama-server -cd; default: --ctx)");
  fp->add_option("--ctx", r.ctx, "Context in tokens, e.g. 32768, 32k, 128K")->required();
  add_speed(*fp, r);
  fp->add_flag("--cpu", r.cpu_only, "Run on the CPU only (no GPU offload)");
  fp->add_flag("--explain", r.explain, "Show the compute buffers' basis and the weights per tensor role and type (text)");
  fp->add_flag("--tensors", r.tensors, "Add a 'tensors' array (role, type, count, bytes) to the JSON");

  CLI::App* curve = app.add_subcommand("curve", "Predicted tokens/s and memory against the budget, over context or over models");
  add_common(*curve, r);
  add_hardware(*curve, r);
  add_runtime(*curve, r);
  add_speed(*curve, r);
  curve->add_option("--model", r.model, "Model id or alias (required with --over context)");
  curve->add_option("--quant", r.quant, "Weight preset (default: the best that fits at 8K, see README)");
  curve->add_option("--ctx", r.ctx, "Context for --over models (default 8192)");
  curve->add_option("--over", r.over, "What the x axis sweeps: context (default) or models")
      ->check(CLI::IsMember({"context", "models"}));
  curve->add_option("--svg", r.svg_path, "Write the chart as a standalone SVG file");
  curve->add_option("--csv", r.csv_path, "Write the points as CSV");

  CLI::App* check =
      app.add_subcommand("check", "CI gate: do these deployment configs fit the target? (exit 0 all fit, 1 any does not)");
  add_common(*check, r);
  check
      ->add_option("files", r.files,
                   "Deployment configs: fitcheck JSON, llama-server command lines, Ollama Modelfiles, vLLM configs")
      ->required();
  check->add_option("--gpu", r.gpu,
                    "Hardware profile id or name, e.g. rtx3060-12g or 'RTX 4090', or auto (overrides a target in the file)");
  check->add_option("--vram", r.vram, "A custom discrete GPU with this much VRAM, e.g. 12GB (GB as on the box: 12GB = 12GiB)");
  check->add_option("--unified", r.unified, "A custom unified-memory Mac with this much RAM, e.g. 48GB (48GB = 48GiB)");
  check->add_option("--reserve", r.reserve, "Runtime reserve taken off device memory (default: per platform)");
  check->add_option("--ram", r.ram,
                    "Host RAM of a discrete-GPU machine, for layers kept on the CPU, or a --cpu machine's RAM, e.g. 64GB "
                    "(default 32GiB)");
  check->add_flag("--cpu", r.cpu_only,
                  "A machine without a GPU: llama.cpp's CPU backend, everything in its --ram less the OS reserve");
  check->add_option("--headroom", r.headroom, "Memory to keep free: a share of the budget (10%) or a size (1GiB); default 0");
  check->add_option("--bandwidth", r.bandwidth, "Memory bandwidth of a --vram/--unified target in GB/s, for speeds");
  check->add_option("--ram-bw", r.ram_bw, "Host RAM bandwidth in GB/s, for layers kept on the CPU (default 51.2)");
  check->add_option("--min-tps", r.min_tps,
                    "Fail a deployment that decodes slower than this many tokens/s (or at an unknown speed): a speed gate");
  check
      ->add_option("--format", r.formats,
                   "The config kind (fitcheck, llama.cpp, ollama, vllm; default: recognized by content) and/or the "
                   "output (text, json, github); repeat it for both")
      ->allow_extra_args(false);
  check->add_option("--model", r.model,
                    "The model the configs load where they do not name it, or name it by a path that does not tell "
                    "(model.gguf): as a config would (a GGUF file or Hugging Face repository; an Ollama tag; a vLLM model id)");
  check->add_option("--runtime", r.runtimes,
                    "The release a config runs where it states none, e.g. llama.cpp@b10573 or ollama@0.22 (repeat for both; "
                    "default: the newest fitcheck knows; an image tag or a log's version wins)");
  check->add_option("--env", r.env_file,
                    "KEY=VALUE lines: Ollama settings (default: OLLAMA_* from the environment), and the ${VAR} of compose and "
                    "other wrappers (docker compose --env-file)");
  check->add_option("--junit", r.junit_path, "Also write a JUnit XML report to this file");
  check->add_flag("--lenient", r.lenient,
                  "Check configs whose options change memory in ways fitcheck does not model (a warning, not an error)");

  CLI::App* list = app.add_subcommand("list", "List the catalog: models, quants, kv-types or gpus");
  add_common(*list, r);
  list->add_option("what", r.list_what, "models, quants, kv-types or gpus")
      ->required()
      ->check(CLI::IsMember({"models", "quants", "kv-types", "gpus"}));
  list->add_option("words", r.list_words,
                   "gpus: only the profiles whose id, name or vendor holds these words, e.g. 4090, m3 max");

  CLI::App* validate = app.add_subcommand("validate", "Load and validate the catalog (the built-in one, or --catalog FILE)");
  add_common(*validate, r);

  CLI::App* completions = app.add_subcommand("completions", "Print a shell completion script: bash, zsh or fish");
  completions->add_option("shell", r.shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  app.add_subcommand("man", "Print the manual page (roff)");
  require_values(app);
  return owned;
}

Request parse_args(const std::vector<std::string>& raw_args) {
  Request r;
  const std::unique_ptr<CLI::App> app = make_app(r);
  const std::vector<std::string> args = with_default_command(raw_args);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app->parse(reversed);
  } catch (const CLI::CallForHelp&) {
    r.command = Command::help;
    const std::vector<CLI::App*> parsed = app->get_subcommands();
    r.help_text = parsed.empty() ? app->help() : parsed.front()->help();
    return r;
  } catch (const CLI::CallForVersion&) {
    r.command = Command::version;
    return r;
  } catch (const CLI::ParseError& e) {
    throw Error(Errc::usage, text::one_line(e.what()) + " (run 'fitcheck --help')");
  }
  const std::vector<CLI::App*> parsed = app->get_subcommands();
  r.command =
      parsed.empty() ? Command::recommend : value_named(k_command_names, parsed.front()->get_name()).value_or(Command::recommend);
  return r;
}

}  // namespace fitcheck::cli

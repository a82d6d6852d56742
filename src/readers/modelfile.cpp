// Ollama: a Modelfile (FROM, PARAMETER ...) and the OLLAMA_* settings the server reads.
#include <algorithm>

#include "fitcheck/names.hpp"
#include "fitcheck/units.hpp"
#include "readers/readers.hpp"

namespace fitcheck::readers {
namespace {

struct Line {
  std::string instruction;  // upper case
  std::string args;
  std::size_t line = 0;
};

// Instructions with their arguments; """ blocks (TEMPLATE, SYSTEM, MESSAGE, LICENSE) are skipped whole.
std::vector<Line> modelfile_lines(const std::string& path, std::string_view text) {
  const std::vector<std::string_view> lines = split_lines(text);
  std::vector<Line> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string content = trim(lines[i]);
    if (content.empty() || content[0] == '#') continue;
    const std::size_t space = content.find_first_of(" \t");
    Line l{content.substr(0, space), space == std::string::npos ? "" : trim(std::string_view(content).substr(space)), i + 1};
    std::transform(l.instruction.begin(), l.instruction.end(), l.instruction.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const std::size_t open = l.args.find("\"\"\"");
    if (open != std::string::npos && l.args.find("\"\"\"", open + 3) == std::string::npos) {
      std::size_t close = i + 1;
      while (close < lines.size() && lines[close].find("\"\"\"") == std::string_view::npos) ++close;
      if (close == lines.size()) {
        fail_at(path, l.line, l.instruction + " opens a \"\"\" block that never closes (expected a closing \"\"\")");
      }
      i = close;
    }
    out.push_back(std::move(l));
  }
  return out;
}

const char* const k_harmless_parameters[] = {
    "temperature", "top_k",       "top_p",           "min_p",         "typical_p",        "stop",
    "seed",        "num_predict", "repeat_penalty",  "repeat_last_n", "presence_penalty", "frequency_penalty",
    "num_keep",    "num_thread",  "use_mlock",       "mirostat",      "mirostat_eta",     "mirostat_tau",
    "tfs_z",       "numa",        "penalize_newline"};
const char* const k_harmless_instructions[] = {"TEMPLATE", "SYSTEM", "MESSAGE", "LICENSE", "REQUIRES", "RENDERER", "PARSER"};
const char* const k_harmless_env[] = {"OLLAMA_HOST",      "OLLAMA_MODELS",       "OLLAMA_KEEP_ALIVE",  "OLLAMA_MAX_LOADED_MODELS",
                                      "OLLAMA_MAX_QUEUE", "OLLAMA_ORIGINS",      "OLLAMA_DEBUG",       "OLLAMA_NOPRUNE",
                                      "OLLAMA_NOHISTORY", "OLLAMA_LOAD_TIMEOUT", "OLLAMA_LLM_LIBRARY", "OLLAMA_TMPDIR"};

// What fitcheck reads; with the harmless lists, what a did-you-mean may suggest.
const char* const k_modelled_parameters[] = {"num_ctx", "num_gpu", "num_batch", "use_mmap"};
const char* const k_modelled_instructions[] = {"FROM", "PARAMETER", "ADAPTER"};
const char* const k_modelled_env[] = {"OLLAMA_KV_CACHE_TYPE",  "OLLAMA_NUM_PARALLEL", "OLLAMA_FLASH_ATTENTION",
                                      "OLLAMA_CONTEXT_LENGTH", "OLLAMA_GPU_OVERHEAD", "OLLAMA_SCHED_SPREAD"};

// FROM a GGUF path (imported) rather than a library tag.
bool is_file_reference(const std::string& ref) {
  return ref.find(".gguf") != std::string::npos || ref.rfind('.', 0) == 0 || ref.rfind('/', 0) == 0;
}

ModelMatch match_ollama_name(const Catalog& catalog, const std::string& name) {
  return is_file_reference(name) ? match_gguf_file(catalog, name) : match_ollama_tag(catalog, name);
}

void from(const Catalog& catalog, Deployment& d, const Line& l) {
  d.line = l.line;
  d.model_text = l.args;
  const ModelMatch m = match_or_hint(d, l.line, l.args, [&](const std::string& n) { return match_ollama_name(catalog, n); });
  d.model = m.model;
  d.preset = m.preset;
}

void parameter(Deployment& d, const Line& l) {
  const std::size_t space = l.args.find_first_of(" \t");
  const std::string name = l.args.substr(0, space);
  const std::string value = space == std::string::npos ? "" : trim(std::string_view(l.args).substr(space));
  const Word at{"PARAMETER " + name, l.line, false};
  if (name == "num_ctx") {
    d.context = count_value(d.path, at, value, "a number of tokens");
    d.context_line = l.line;
  } else if (name == "num_gpu") {
    if (value == "-1")
      d.gpu_layers.reset();  // Ollama's automatic placement: as many as fit
    else
      d.gpu_layers = count_value(d.path, at, value, "a number of layers (-1: automatic)");
  } else if (name == "num_batch") {
    d.settings.ubatch = positive_count(d.path, at, value, "a positive batch size");
  } else if (name == "use_mmap") {
    // false: Ollama starts llama-server with --load-mode none (llm/llama_server.go appendLoadModeArgs).
    d.settings.mmap = parse_switch(value) != std::optional<bool>(false);
  } else if (!listed(k_harmless_parameters, name)) {
    warn_unknown(d, l.line, "unknown PARAMETER " + name, name, [] { return both(k_modelled_parameters, k_harmless_parameters); });
  }
}

void environment(const Catalog& catalog, Deployment& d, const ReadOptions& options) {
  std::string kv_type;
  std::size_t kv_line = 0;
  for (const Entry& e : options.env) {
    const Word at{e.key, e.line, false};
    const std::string where = options.env_source;
    const auto fail = [&](const std::string& why) { fail_at(where, e.line, why); };
    if (e.key == "OLLAMA_KV_CACHE_TYPE") {
      kv_type = at_line(where, e.line, [&] { return catalog.find_kv_type(e.value).id; });
      kv_line = e.line;
    } else if (e.key == "OLLAMA_NUM_PARALLEL") {
      d.settings.parallel = positive_count(where, at, e.value, "a positive number of sequences");
    } else if (e.key == "OLLAMA_FLASH_ATTENTION") {
      const std::optional<bool> on = parse_switch(e.value);
      if (!on) fail("OLLAMA_FLASH_ATTENTION expects 1, 0, true or false, got '" + e.value + "'");
      d.settings.flash_attn = *on;
    } else if (e.key == "OLLAMA_CONTEXT_LENGTH") {
      if (!d.context) {
        d.context = count_value(where, at, e.value, "a number of tokens");
        d.context_line = 0;
        d.notes.push_back({0, "context " + e.value + " from OLLAMA_CONTEXT_LENGTH (" + where + ")"});
      }
    } else if (e.key == "OLLAMA_GPU_OVERHEAD") {
      d.extra_reserve_bytes = count_value(where, at, e.value, "a number of bytes");
    } else if (e.key == "OLLAMA_SCHED_SPREAD") {
      d.unmodelled.push_back({0, "OLLAMA_SCHED_SPREAD spreads the model over several GPUs"});
    } else if (e.key.rfind("OLLAMA_", 0) == 0 && !listed(k_harmless_env, e.key)) {
      warn_unknown(d, 0, "unknown setting " + e.key + " in " + where, e.key, [] { return both(k_modelled_env, k_harmless_env); });
    }
  }
  if (!kv_type.empty()) {
    if (d.settings.flash_attn || kv_type == "f16") {
      d.settings.kv_type_k = d.settings.kv_type_v = kv_type;
    } else {
      d.notes.push_back({0, "OLLAMA_KV_CACHE_TYPE " + kv_type + " (" + options.env_source + " line " + std::to_string(kv_line) +
                                ") needs flash attention: Ollama keeps f16"});
    }
  }
}

// The engine of the release: llama-server (its rules), or Ollama's own Go engine before ollama#16031 (its
// sliding cache; one buffer for all sequences), and the note saying which release's defaults apply.
void apply_engine(Deployment& d, const RuntimeRelease& release, const OllamaDefaults& defaults) {
  d.settings.flash_attn_kv_copy = defaults.flash_attn_kv_copy;
  std::string applied = defaults.llama_server ? "it runs llama-server" : "its own engine (before llama-server)";
  if (!defaults.llama_server) {
    d.settings.sliding_memory = defaults.sliding_memory;
    d.settings.kv_unified = true;  // the Go engine's cache is one buffer shared by the sequences
    d.settings.mmap = d.settings.mmap && defaults.mmap;
    applied += ", whose sliding layers keep " + std::to_string(defaults.sliding_memory) +
               " cells a sequence plus num_batch; its compute buffer is counted as llama.cpp's" +
               (defaults.mmap ? "" : "; it reads the weights into RAM (no mmap)");
  }
  applied += std::string("; flash attention ") + (d.settings.flash_attn ? "on" : "off");
  note_release(d, release, applied);
}

}  // namespace

Deployment read_modelfile(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options) {
  Deployment d;
  d.path = path;
  d.format = ConfigFormat::ollama;
  d.settings = default_settings(catalog.default_runtime());
  const RuntimeRelease release = deployment_release(catalog, "ollama", std::nullopt, options.runtimes);
  const OllamaDefaults defaults = ollama_defaults(release);
  d.settings.parallel = defaults.parallel;
  d.settings.ubatch = defaults.batch;
  d.settings.flash_attn = defaults.flash_attn;
  bool projector_file = false, library_tag = false;
  for (const Line& l : modelfile_lines(path, text)) {
    if (l.instruction == "FROM") {
      if (l.args.empty()) fail_at(path, l.line, "FROM needs a model (expected e.g. FROM " + example_ollama_tag(catalog) + ")");
      if (l.args.find("mmproj") != std::string::npos) {
        projector_file = true;  // an imported model's vision projector
        continue;
      }
      if (d.model) fail_at(path, l.line, "a second model FROM (expected one model, and at most one mmproj file)");
      from(catalog, d, l);
      library_tag = !is_file_reference(l.args);
    } else if (l.instruction == "PARAMETER") {
      parameter(d, l);
    } else if (l.instruction == "ADAPTER") {
      d.unmodelled.push_back({l.line, "ADAPTER loads a LoRA adapter"});
    } else if (!listed(k_harmless_instructions, l.instruction)) {
      warn_unknown(d, l.line, "unknown instruction " + l.instruction, l.instruction,
                   [] { return both(k_modelled_instructions, k_harmless_instructions); });
    }
  }
  model_from_hint(d, [&](const std::string& n) { return match_ollama_name(catalog, n); });
  if (!d.model) fail_at(path, 0, "no FROM line (expected FROM <model>, e.g. FROM " + example_ollama_tag(catalog) + ")");
  environment(catalog, d, options);
  if ((library_tag && catalog.deployment.ollama.loads_projector) || projector_file) {
    d.settings.vision = d.model->has_modality("image");
    d.settings.audio = d.model->has_modality("audio");
  }
  d.settings.batch = d.settings.ubatch;  // Ollama passes num_batch as both -b and -ub
  apply_engine(d, release, defaults);
  if (d.settings.parallel > 1) {
    d.notes.push_back({0, "Ollama gives each of the " + std::to_string(d.settings.parallel) +
                              " parallel sequences the whole context: llama-server runs with -c context x sequences"});
  }
  if (!d.context) {
    d.notes.push_back({0, "no num_ctx or OLLAMA_CONTEXT_LENGTH: Ollama's default context for the GPU's VRAM"});
  }
  // Ollama passes no -ngl unless num_gpu is set (llm/llama_server.go), so llama-server's --fit places the layers.
  d.fit_layers = !d.gpu_layers;
  finish_deployment(d);
  return d;
}

}  // namespace fitcheck::readers

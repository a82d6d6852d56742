#include "readers/readers.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "readers/wrappers.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"
#include <filesystem>

#include "readers/gguf.hpp"
#include "readers/llama_log.hpp"
#include "readers/ollama_text.hpp"
#include "readers/shell_vars.hpp"

namespace fitcheck::readers {
namespace {

bool has_word(std::string_view text, std::string_view word) {
  for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || std::string_view(" \t\n/\\\"'=").find(text[at - 1]) != std::string_view::npos;
    const std::size_t end = at + word.size();
    const bool ends = end == text.size() || std::string_view(" \t\r\n\"'.-").find(text[end]) != std::string_view::npos;
    if (starts && ends) return true;
  }
  return false;
}

std::string first_instruction(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    const std::size_t b = line.find_first_not_of(" \t\r");
    if (b != std::string_view::npos && line[b] != '#') {
      const std::size_t e = line.find_first_of(" \t\r", b);
      std::string word(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
      std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      return word;
    }
    start = end + 1;
  }
  return "";
}

// A line that is not a comment runs or talks to Ollama (its command, its environment, its API port, its log).
bool mentions_ollama(std::string_view text) {
  for (const std::string_view line : split_lines(text)) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    for (const char* marker : {"ollama ", "OLLAMA_", "KvSize:", ":11434", "lib\\ollama", "lib/ollama",
                               "level=INFO source=", "msg=\"gpu memory\"", "gpu memory id=", "model weights device="}) {
      if (line.find(marker) != std::string_view::npos) return true;
    }
  }
  return false;
}

// A `docker run` (or podman) of a llama.cpp image, whose entrypoint is llama-server.
bool runs_llama_image(std::string_view text) {
  if (!has_word(text, "docker") && !has_word(text, "podman")) return false;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t start = text.find_first_not_of(" \t\r\n", at);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(text.find_first_of(" \t\r\n", start), text.size());
    if (is_llama_cpp_image(std::string(text.substr(start, end - start)))) return true;
    at = end;
  }
  return false;
}

// The library names of the catalog's Ollama tags ("gemma4:"), to find a tag in free text.
std::vector<std::string> ollama_tag_prefixes(const Catalog& catalog) {
  std::vector<std::string> prefixes;
  for (const ModelName& n : catalog.deployment.names) {
    for (const std::string& tag : n.ollama_tags) {
      const std::string prefix = tag.substr(0, tag.find(':') + 1);
      if (std::find(prefixes.begin(), prefixes.end(), prefix) == prefixes.end()) prefixes.push_back(prefix);
    }
  }
  return prefixes;
}

}  // namespace

std::optional<ConfigFormat> parse_format(std::string_view name) {
  if (name == "llama-cpp" || name == "llama-server") return ConfigFormat::llama_cpp;  // spellings people use too
  return value_named(k_format_names, name);
}

Wrapper detect_wrapper(std::string_view text) {
  if (is_llama_preset(text)) return Wrapper::llama_preset;
  bool swap = false;
  for (const std::string_view line : split_lines(text)) {
    const auto top = [&](std::string_view key) { return line.rfind(key, 0) == 0; };
    if (top("services:")) return Wrapper::compose;
    if (top("apiVersion:")) return Wrapper::kubernetes;
    if (top("servingEngineSpec:")) return Wrapper::helm_vllm;
    if (top("variants:")) return Wrapper::vllm_recipe;
    const std::size_t indent = line.find_first_not_of(' ');
    swap = swap || top("models:") || top("macros:") ||
           (indent != std::string_view::npos && indent > 0 && line.substr(indent).rfind("cmd:", 0) == 0);
  }
  return swap ? Wrapper::llama_swap : Wrapper::none;
}

ConfigFormat detect_format(const std::string& path, std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) fail_at(path, 0, "the file is empty (expected a deployment config)");
  if (text[first] == '{') return ConfigFormat::fitcheck;
  if (text.substr(first, 3) == "---") return ConfigFormat::vllm;  // a YAML document marker, not an args file
  const std::string instruction = first_instruction(text);
  if (instruction == "FROM" || instruction == "PARAMETER") return ConfigFormat::ollama;
  if (mentions_ollama(text)) return ConfigFormat::ollama;  // before llama-server: Ollama runs it too
  if (has_word(text, "llama-server") || has_word(text, "llama-cli") || has_word(text, "llama-completion") ||
      has_word(text, "llama-bench") || is_llama_log(text) || runs_llama_image(text))
    return ConfigFormat::llama_cpp;
  if (has_word(text, "vllm") || text.find("vllm.entrypoints") != std::string_view::npos) return ConfigFormat::vllm;
  if (first_instruction(text).rfind('-', 0) == 0) return ConfigFormat::llama_cpp;  // an args file (comments allowed)
  const bool yaml_keys = text.find("max_model_len") != std::string_view::npos ||
                         text.find("max-model-len") != std::string_view::npos ||
                         text.find("gpu_memory_utilization") != std::string_view::npos ||
                         text.find("gpu-memory-utilization") != std::string_view::npos;
  if (yaml_keys) return ConfigFormat::vllm;
  fail_at(path, 0,
          "cannot tell what kind of config this is (expected fitcheck JSON, a llama-server command, an Ollama "
          "Modelfile or a vLLM config; name it with --format)");
}

namespace {

// What names the model when an Ollama text does not: check --model, or an error saying to pass it.
void require_model_hint(const Catalog& catalog, const std::string& path, const ReadOptions& options, const char* what) {
  if (!options.model)
    fail_at(path, 0,
            std::string(what) + " names no model (expected check --model TAG, e.g. --model " + example_ollama_tag(catalog) + ")");
}

// An Ollama text that is not a Modelfile: the llama-server command its log shows it starting (Ollama >= 0.30),
// its settings as an env file, or a command, an API request or a log read as the Modelfile it amounts to.
Deployment read_ollama_text(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options) {
  if (const std::optional<std::string> command = ollama_server_command(text)) {
    Deployment d = read_llama_command(catalog, path, *command);
    const std::size_t line = static_cast<std::size_t>(std::count(command->begin(), command->end(), '\n')) + 1;
    d.notes.insert(d.notes.begin(), {line, "read as the llama-server command the Ollama log shows it starting"});
    return d;
  }
  if (is_ollama_env_file(text)) {
    require_model_hint(catalog, path, options, "Ollama's settings (KEY=VALUE lines)");
    ReadOptions with_file = options;
    with_file.env = env_lines(path, text);
    with_file.env_source = path;
    return read_modelfile(catalog, path, "", with_file);
  }
  const std::optional<OllamaText> read = ollama_as_modelfile(text, ollama_tag_prefixes(catalog));
  if (!read) return read_modelfile(catalog, path, text, options);
  if (!read->names_model) require_model_hint(catalog, path, options, "the Ollama log");
  Deployment d = read_modelfile(catalog, path, read->modelfile, options);
  note_gpus(d, read->gpus, read->gpus_line, "the load request spreads GPULayers over " + std::to_string(read->gpus) + " GPUs");
  return d;
}

Deployment read_as(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options) {
  switch (options.format ? *options.format : detect_format(path, text)) {
    case ConfigFormat::llama_cpp: return read_llama_command(catalog, path, text);
    case ConfigFormat::ollama: {
      const std::optional<std::pair<std::size_t, std::string>> version = ollama_version(text);
      const StatedRelease stated(
          version ? at_line(path, version->first,
                            [&] { return stated_release(catalog, "ollama", version->second, "the log's version"); })
                  : std::nullopt);
      const std::string instruction = first_instruction(text);
      if (instruction == "FROM" || instruction == "PARAMETER") return read_modelfile(catalog, path, text, options);
      return read_ollama_text(catalog, path, text, options);
    }
    case ConfigFormat::vllm: return read_vllm(catalog, path, text);
    default: return read_fitcheck_json(catalog, path, text);
  }
}

// What a deployment says about a file is printed: each message one line of valid UTF-8, of bounded length,
// and at most k_max_notes of each kind (a file of thousands of unknown options gets a count, not a flood).
void bound_notes(std::vector<ConfigNote>& notes, const char* kind) {
  constexpr std::size_t k_max_note = 300;
  for (ConfigNote& n : notes) {
    const bool cut = n.message.size() > k_max_note;
    n.message = text::one_line(std::string_view(n.message).substr(0, k_max_note)) + (cut ? "..." : "");
  }
  if (notes.size() <= k_max_notes) return;
  const std::size_t more = notes.size() - k_max_notes;
  notes.resize(k_max_notes);
  notes.push_back({0, std::to_string(more) + " more " + kind + " not shown"});
}

}  // namespace

namespace {

void bound(Deployment& d) {
  note_gpus(d, d.vllm_settings.tensor_parallel_size, 0,
            "tensor_parallel_size " + std::to_string(d.vllm_settings.tensor_parallel_size));
  bound_notes(d.notes, "notes");
  bound_notes(d.warnings, "warnings");
  bound_notes(d.unmodelled, "unmodelled options");
}

void read_wrapped(FileContext& f, Wrapper wrapper, std::string_view text) {
  if (wrapper == Wrapper::llama_preset) return read_llama_preset(f);
  const std::vector<YAML::Node> documents = load_yaml(f.path, text);
  for (const YAML::Node& doc : documents) {
    if (wrapper == Wrapper::kubernetes) {
      read_kubernetes(f, doc);
      continue;
    }
    if (!doc.IsMap()) fail_at(f.path, line_of(doc), "expected a YAML mapping at the top of the file");
    if (wrapper == Wrapper::compose)
      read_compose(f, doc);
    else if (wrapper == Wrapper::helm_vllm)
      read_helm_vllm(f, doc);
    else if (wrapper == Wrapper::vllm_recipe)
      read_vllm_recipe(f, doc);
    else
      read_llama_swap(f, doc);
  }
}

}  // namespace

namespace {

// A shell script's own variables (`NAME=value`, `export NAME=value`, each value expanded with those before it),
// in file order; empty when the text assigns none.
std::vector<std::pair<std::string, std::string>> script_variables(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> vars;
  for (std::string_view line : split_lines(text)) {
    line.remove_prefix(std::min(line.size(), line.find_first_not_of(" \t")));
    if (line.rfind("export ", 0) == 0) line.remove_prefix(7);
    const std::size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, eq);
    const bool identifier =
        std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) &&
        !std::isdigit(static_cast<unsigned char>(name[0]));
    std::string_view value = line.substr(eq + 1);
    if (!identifier || (value.find_first_of(" \t") != std::string_view::npos && value.front() != '"')) continue;
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    Expansion e = expand_parameters(value, lookup_in(vars), 4096);
    if (e.unset.empty() && e.text.find("${") == std::string::npos) vars.emplace_back(name, std::move(e.text));
  }
  return vars;
}

// A command in a shell script, with the script's variables expanded (`--model "${MODEL_PATH}"`).
Deployment read_script(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options) {
  const bool command = !options.format && text.find('$') != std::string_view::npos;
  const std::vector<std::pair<std::string, std::string>> vars = command ? script_variables(text) : decltype(vars){};
  if (vars.empty()) return read_as(catalog, path, text, options);
  const std::string expanded = expand_parameters(text, lookup_in(vars), 2 * text.size() + 4096).text;
  return read_as(catalog, path, expanded, options);
}

}  // namespace

namespace {

// The folder of the config being read when model files are read (the CLI's check), else nullopt: readers that
// run without it (the fuzzers, the library) never touch the file system for a name.
thread_local std::optional<std::filesystem::path> t_config_folder;

thread_local std::optional<std::string> t_model_hint;  // check --model
thread_local std::optional<std::string> t_target_gpu;  // check --gpu's profile
thread_local std::vector<RuntimeRelease> t_runtimes;   // check --runtime
thread_local std::optional<RuntimeRelease> t_stated;   // a release the file states around a command

struct ConfigFolderScope {
  ConfigFolderScope(const ReadOptions& options, const std::string& path) {
    if (options.read_model_files) t_config_folder = std::filesystem::path(path).parent_path();
    t_model_hint = options.model;
    t_target_gpu = options.target_gpu;
    t_runtimes = options.runtimes;
  }
  ~ConfigFolderScope() {
    t_config_folder.reset();
    t_model_hint.reset();
    t_target_gpu.reset();
    t_runtimes.clear();
    t_stated.reset();
  }
  ConfigFolderScope(const ConfigFolderScope&) = delete;
  ConfigFolderScope& operator=(const ConfigFolderScope&) = delete;
};

std::optional<std::filesystem::path> existing_file(const std::string& model_path) {
  std::error_code ec;
  for (const std::filesystem::path& p : {std::filesystem::path(model_path), *t_config_folder / model_path}) {
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ModelFileRead> read_model_file(const Catalog& catalog, const std::string& model_path) {
  if (!t_config_folder || model_path.empty()) return std::nullopt;
  const std::optional<std::filesystem::path> file = existing_file(model_path);
  if (!file) return std::nullopt;
  const GgufModel g = read_gguf_model(catalog, file->string());
  if (g.kind != GgufModel::Kind::model) {
    throw Error(Errc::data, "model file " + model_path + " is " +
                                (g.kind == GgufModel::Kind::projector ? "a projector (mmproj)" : "a drafter") +
                                ", not a model (expected the model's GGUF after -m)");
  }
  return ModelFileRead{g.model, std::make_shared<const WeightPlan>(gguf_weights(catalog, g, catalog.default_runtime()))};
}

ReadResult read_deployments(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options) {
  const ConfigFolderScope scope(options, path);
  text = without_bom(text);
  if (text.find('\0') != std::string_view::npos) fail_at(path, 0, "binary data (expected a text config file)");
  ReadResult result;
  const Wrapper wrapper = options.format ? Wrapper::none : detect_wrapper(text);
  if (wrapper == Wrapper::none) {
    result.deployments.push_back(read_script(catalog, path, text, options));
  } else {
    // --env: the variables a compose file's ${VAR} reads, as docker compose --env-file gives them.
    std::vector<std::pair<std::string, std::string>> vars;
    for (const Entry& e : options.env) vars.emplace_back(e.key, e.value);
    FileContext f{catalog, path, split_lines(text), lookup_in(std::move(vars)), result, {}};
    read_wrapped(f, wrapper, text);
    if (result.deployments.empty() && result.errors.empty()) {
      std::string skipped;
      for (const std::string& s : f.skipped) skipped += (skipped.empty() ? "" : ", ") + s;
      fail_at(path, 0,
              "no llama-server or vllm serve found (expected a service, container or model that runs one" +
                  (skipped.empty() ? std::string() : "; skipped: " + skipped) + ")");
    }
  }
  for (Deployment& d : result.deployments) bound(d);
  return result;
}

const std::optional<std::string>& model_hint() { return t_model_hint; }

const std::optional<std::string>& target_gpu_hint() { return t_target_gpu; }

RuntimeRelease deployment_release(const Catalog& catalog, std::string_view runtime, const std::optional<RuntimeRelease>& stated,
                                  const std::vector<RuntimeRelease>& chosen) {
  if (stated) return *stated;
  if (t_stated && t_stated->runtime->runtime == runtime) return *t_stated;
  for (const std::vector<RuntimeRelease>* list : {&chosen, static_cast<const std::vector<RuntimeRelease>*>(&t_runtimes)}) {
    for (const RuntimeRelease& r : *list) {
      if (r.runtime->runtime == runtime) return r;
    }
  }
  return newest_release(catalog, runtime);
}

StatedRelease::StatedRelease(std::optional<RuntimeRelease> release) : m_before(t_stated) {
  if (release) t_stated = std::move(release);
}

StatedRelease::~StatedRelease() { t_stated = m_before; }

void note_release(Deployment& d, const RuntimeRelease& release, const std::string& applied) {
  std::string note = release.text() + "'s defaults (" + release.origin + ")";
  if (release.runtime->newest < release.version)
    note += ", read as the newest fitcheck knows, " + release.runtime->text(release.runtime->newest);
  d.notes.push_back({0, note + (applied.empty() ? "" : ": " + applied)});
}

std::uint64_t count_value(const std::string& path, const Word& option, const std::string& value, const char* expected) {
  const std::optional<std::uint64_t> n = parse_count(value);
  if (!n) fail_at(path, option.line, option.text + " expects " + expected + ", got '" + value + "'");
  return *n;
}

std::uint64_t positive_count(const std::string& path, const Word& option, const std::string& value, const char* expected) {
  const std::uint64_t n = count_value(path, option, value, expected);
  if (n == 0) fail_at(path, option.line, option.text + " 0 (expected " + expected + ")");
  return n;
}

ConfigNote ignored(std::size_t line, const std::string& what, const std::string& name, const std::vector<std::string>& known) {
  const std::string guess = did_you_mean(name, known);
  return {line, what + (guess.empty() ? " (ignored)" : " (ignored; " + guess + ")")};
}

namespace {
constexpr std::string_view k_no_model = "no model named";
}  // namespace

bool names_no_model(const std::string& reason) { return reason.rfind(k_no_model, 0) == 0; }

void finish_deployment(Deployment& d) {
  if (!d.model) fail_at(d.path, 0, std::string(k_no_model) + " (expected the model the deployment loads)");
  if (d.context) at_line(d.path, d.context_line, [&] { require_context(*d.model, *d.context); });
}

}  // namespace fitcheck::readers

// vLLM: a `vllm serve --config` YAML file, or a `vllm serve` / api_server command line.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "fitcheck/names.hpp"
#include "fitcheck/units.hpp"
#include "readers/readers.hpp"

namespace fitcheck::readers {
namespace {

// Options that do not change GPU memory (--enforce-eager is read: it captures no CUDA graphs).
const char* const k_harmless[] = {"host",
                                  "port",
                                  "api-key",
                                  "served-model-name",
                                  "trust-remote-code",
                                  "disable-log-requests",
                                  "disable-log-stats",
                                  "enable-prefix-caching",
                                  "no-enable-prefix-caching",
                                  "enable-chunked-prefill",
                                  "max-logprobs",
                                  "generation-config",
                                  "tool-call-parser",
                                  "enable-auto-tool-choice",
                                  "reasoning-parser",
                                  "chat-template",
                                  "uvicorn-log-level",
                                  "seed",
                                  "download-dir",
                                  "tokenizer",
                                  "revision",
                                  "tokenizer-mode",
                                  "enforce-eager",
                                  "swap-space",
                                  "limit-mm-per-prompt",
                                  "config",
                                  "load-format",
                                  "disable-custom-all-reduce",
                                  "distributed-executor-backend",
                                  "allowed-origins",
                                  "model-name",
                                  "override-generation-config",
                                  "long-prefill-token-threshold"};

std::string option_key(std::string key) {
  while (!key.empty() && key[0] == '-') key.erase(0, 1);
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

struct Setting {
  std::string key;  // dashed, without leading dashes
  std::string value;
  std::size_t line = 0;
  std::string shown;  // as written, for messages
};

// Options whose value fitcheck reads.
const char* const k_modelled[] = {"model",        "max-model-len",          "gpu-memory-utilization", "kv-cache-dtype",
                                  "max-num-seqs", "max-num-batched-tokens", "tensor-parallel-size"};

// Every option fitcheck knows, written as `s` is: --dashed-flag on a command line, snake_case in YAML.
std::vector<std::string> known_options(const Setting& s) {
  const bool flag = s.shown.rfind("--", 0) == 0;
  std::vector<std::string> names = both(k_modelled, k_harmless);
  for (std::string& name : names) {
    if (flag)
      name.insert(0, "--");
    else
      std::replace(name.begin(), name.end(), '-', '_');
  }
  return names;
}

double fraction_value(const std::string& path, const Setting& s) {
  const std::optional<double> v = parse_decimal(s.value);
  if (!v || !(*v > 0 && *v <= 1))
    fail_at(path, s.line, s.shown + " expects a share of GPU memory above 0 and at most 1, got '" + s.value + "'");
  return *v;
}

std::uint64_t positive(const std::string& path, const Setting& s, const char* expected) {
  return positive_count(path, Word{s.shown, s.line, false}, s.value, expected);
}

// The catalog model whose assistant checkpoint a speculative config's "model" names ("gemma-4-31b-it-assistant"),
// or null when the name does not say.
const Model* assistant_of(const Catalog& catalog, const std::string& model) {
  if (text::lower(model).find("assistant") == std::string::npos) return nullptr;
  try {
    return match_hf_id(catalog, model).model;
  } catch (const Error&) {
    return nullptr;
  }
}

// --speculative-config JSON: Gemma 4's MTP drafter (method mtp / gemma4_mtp, or the assistant checkpoint as the
// draft model, as vLLM detects it) and the weightless ngram and suffix proposers are modelled; other drafters
// (EAGLE, DFlash, a separate draft model) are not.
void speculative(const Catalog& catalog, Deployment& d, const Setting& s) {
  const nlohmann::json j = nlohmann::json::parse(s.value, nullptr, false);
  const auto text_of = [&](const char* key) {
    const auto it = j.is_object() ? j.find(key) : j.end();
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string method = text_of("method");
  const std::string model = text_of("model");
  const Model* named = assistant_of(catalog, model);
  VllmSettings& v = d.vllm_settings;
  const auto tokens = j.is_object() ? j.find("num_speculative_tokens") : j.end();
  if (tokens != j.end() && tokens->is_number_unsigned() && tokens->get<std::uint64_t>() > 0) {
    v.speculative_tokens = tokens->get<std::uint64_t>();
  }
  if (j.is_object() && (method == "ngram" || method == "suffix")) {
    v.speculative = true;
  } else if (j.is_object() && (method == "mtp" || method == "gemma4_mtp" || (method.empty() && named))) {
    const Model& owner = named ? *named : *d.model;  // no model named: the target's own drafter
    if (!owner.drafter || owner.drafter->checkpoint_bytes == 0) {
      d.unmodelled.push_back({s.line, s.shown + " loads " + owner.id + "'s MTP drafter, whose checkpoint the catalog lacks"});
      return;
    }
    v.speculative = true;
    v.drafter_model = owner.id;
  } else {
    const std::string what = !method.empty()  ? " with method '" + method + "'"
                             : !model.empty() ? " with draft model '" + model + "'"
                                              : " '" + s.value.substr(0, 60) + "'";
    d.unmodelled.push_back({s.line, s.shown + what + " loads a drafter"});
  }
}

void apply(const Catalog& catalog, Deployment& d, const Setting& s) {
  const std::string& path = d.path;
  const std::string& k = s.key;
  if (k == "model" || k == "model-id") {  // --model_id: KServe's Hugging Face runtime
    d.line = s.line;
    d.model_text = s.value;
    const ModelMatch m = match_or_hint(d, s.line, s.value, [&](const std::string& n) { return match_hf_id(catalog, n); });
    d.model = m.model;
    d.preset = m.preset;
  } else if (k == "max-model-len") {
    d.context = at_line(path, s.line, [&] { return parse_context(s.value); });
    d.context_line = s.line;
  } else if (k == "gpu-memory-utilization") {
    d.gpu_memory_utilization = fraction_value(path, s);
  } else if (k == "kv-cache-dtype") {
    const auto& dtypes = catalog.deployment.vllm.kv_cache_dtypes;
    const bool known = std::any_of(dtypes.begin(), dtypes.end(), [&](const VllmKvDtype& t) { return t.id == s.value; });
    if (!known) {
      std::string ids;
      for (const VllmKvDtype& t : dtypes) ids += (ids.empty() ? "" : ", ") + t.id;
      fail_at(path, s.line, "unknown kv_cache_dtype '" + s.value + "' (expected one of " + ids + ")");
    }
    d.vllm_settings.kv_cache_dtype = s.value;
  } else if (k == "max-num-seqs") {
    d.vllm_settings.max_num_seqs = positive(path, s, "a positive number of sequences");
  } else if (k == "max-num-batched-tokens") {
    d.vllm_settings.max_num_batched_tokens = positive(path, s, "a positive number of tokens");
  } else if (k == "tensor-parallel-size" || k == "tp") {
    d.vllm_settings.tensor_parallel_size = positive(path, s, "a positive number of GPUs");
    if (d.vllm_settings.tensor_parallel_size > 1)
      d.unmodelled.push_back({s.line, s.shown + " " + s.value + " runs the model over several GPUs (tensor parallel)"});
  } else if (k == "dtype") {
    if (s.value != "auto" && s.value != "bfloat16" && s.value != "float16" && s.value != "half") {
      d.unmodelled.push_back({s.line, s.shown + " " + s.value + " changes the weights' size"});
    }
  } else if (k == "enforce-eager") {  // a flag, or YAML's enforce_eager: true
    d.vllm_settings.cuda_graphs = s.value == "false" || s.value == "False" || s.value == "0";
  } else if (k == "forwarded") {
    d.warnings.push_back({s.line, "'" + s.value +
                                      "' passes on the script's own arguments, which fitcheck cannot see: "
                                      "checked without them (check the command that runs the script)"});
  } else if (k == "quantization" || k == "q" || k == "speculative-config") {
    // Read after the model (scheme_from_method, speculative): they depend on it.
  } else if (k == "pipeline-parallel-size" || k == "pp") {
    if (s.value != "1")
      d.unmodelled.push_back({s.line, s.shown + " " + s.value + " runs the model over several GPUs (pipeline parallel)"});
  } else if (k == "kv-cache-memory-bytes" || k == "kv-cache-memory" || k == "cpu-offload-gb" || k == "block-size") {
    d.unmodelled.push_back({s.line, s.shown + " changes how vLLM allocates memory"});
  } else if (!listed(k_harmless, k)) {
    warn_unknown(d, s.line, "unknown option " + s.shown, s.shown, [&] { return known_options(s); });
  }
}

std::vector<Setting> yaml_settings(const std::string& path, std::string_view text) {
  std::vector<Setting> out;
  for (const Entry& e : flat_yaml(path, text)) {
    const std::string key = option_key(e.key);
    if (!e.scalar && listed(k_modelled, key)) fail_at(path, e.line, e.key + " expects a single value, not a list or a mapping");
    out.push_back({key, e.value, e.line, e.key});
  }
  return out;
}

// A script's own arguments passed on ("$@", "$*", "${ARGS[@]}"): whoever runs the script chooses them.
bool forwarded(const std::string& word) {
  return word == "$@" || word == "$*" ||
         (word.rfind("${", 0) == 0 && (word.find("[@]}") != std::string::npos || word.find("[*]}") != std::string::npos));
}

bool is_vllm_program(const std::vector<Word>& words, std::size_t i) {
  const std::string& w = words[i].text;
  const bool serve = (w == "vllm" || (w.size() > 5 && w.compare(w.size() - 5, 5, "/vllm") == 0)) && i + 1 < words.size() &&
                     (words[i + 1].text == "serve" || words[i + 1].text == "run");
  return serve || w.find("vllm.entrypoints") != std::string::npos;
}

std::vector<Setting> command_settings(const std::string& path, const std::vector<Word>& words) {
  std::size_t i = 0;
  while (i < words.size() && !is_vllm_program(words, i)) ++i;
  if (i < words.size()) {
    i += words[i].text == "vllm" || words[i].text.find("/vllm") != std::string::npos ? 2 : 1;
  } else {  // the image's entrypoint runs vllm serve: `docker run ... vllm/vllm-openai --model X ...`
    i = 0;
    while (i < words.size() && words[i].text != "--model" && words[i].text.rfind("--model=", 0) != 0) ++i;
  }
  if (i >= words.size())
    fail_at(path, 0, "no vllm serve command found (expected 'vllm serve MODEL --option value ...' or a YAML config)");
  std::vector<Setting> out;
  for (; i < words.size(); ++i) {
    const Word& w = words[i];
    if (w.separator) {
      if (w.text != "\n") break;
      continue;
    }
    if (forwarded(w.text)) {
      out.push_back({"forwarded", w.text, w.line, w.text});
      continue;
    }
    if (w.text.rfind('-', 0) != 0) {
      out.push_back({"model", w.text, w.line, "model"});  // vllm serve's positional model
      continue;
    }
    std::string name = w.text, value;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < words.size() && !words[i + 1].separator && words[i + 1].text.rfind('-', 0) != 0) {
      value = words[++i].text;
    }
    const std::string key = option_key(name == "-tp" ? "tensor-parallel-size" : name == "-q" ? "quantization" : name);
    out.push_back({key, value, w.line, name});
  }
  return out;
}

// A command line, not a YAML file: a line (not a comment) that runs vllm serve or the API server module.
bool mentions_command(std::string_view text) {
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    const std::size_t first = line.find_first_not_of(" \t");
    const bool comment = first == std::string_view::npos || line[first] == '#';
    if (!comment && (line.find("vllm serve") != std::string_view::npos || line.find("vllm run") != std::string_view::npos ||
                     line.find("vllm.entrypoints") != std::string_view::npos || line.find("--model ") != std::string_view::npos))
      return true;
    start = end + 1;
  }
  return false;
}

// --quantization METHOD for a checkpoint whose name does not say its scheme: vLLM's method names
// (vllm/model_executor/layers/quantization/__init__.py) to the weights fitcheck models for them.
// AutoRound's method (vLLM's INCConfig, "inc", formerly "auto-round") leaves the bits to the checkpoint: a name that
// says int8 (read as the generic 8-bit scheme) is AutoRound's 8-bit one, anything else its default W4A16.
void autoround_from_method(const Catalog& catalog, Deployment& d) {
  if (!d.preset) return;
  const std::string& named = d.preset->id;
  if (named == "FP8") d.preset = catalog.weights_named("AutoRound-int8");
  if (named == "BF16" || named == "W4A16") d.preset = catalog.weights_named("AutoRound-int4");
}

void scheme_from_method(const Catalog& catalog, Deployment& d, const Setting& s) {
  const std::string method = text::lower(s.value);
  if (method == "auto-round" || method == "auto_round" || method == "autoround" || method == "inc") {
    autoround_from_method(catalog, d);
    return;
  }
  // compressed-tensors reads its scheme from the checkpoint's config: the name must say it (-w4a16-ct, -FP8-dynamic).
  if ((method == "compressed-tensors" || method == "compressed_tensors") && d.preset && d.preset->id != "BF16") return;
  const char* scheme = method.rfind("modelopt", 0) == 0                              ? "NVFP4"
                       : method.rfind("fp8", 0) == 0 || method == "ptpc_fp8"         ? "FP8"
                       : method.rfind("awq", 0) == 0 || method.rfind("gptq", 0) == 0 ? "W4A16"
                                                                                     : nullptr;
  if (!scheme) {
    d.unmodelled.push_back({s.line, s.shown + " " + s.value + " changes the weights' size"});
    return;
  }
  if (d.preset && d.preset->id == "BF16") d.preset = catalog.weights_named(scheme);
}

}  // namespace

Deployment read_vllm(const Catalog& catalog, const std::string& path, std::string_view text) {
  Deployment d;
  d.path = path;
  d.format = ConfigFormat::vllm;
  const bool command = mentions_command(text);
  const std::vector<Setting> settings = command ? command_settings(path, shell_words(path, text)) : yaml_settings(path, text);
  for (const Setting& s : settings) apply(catalog, d, s);
  for (const Setting& s : settings) {
    if (d.model && (s.key == "quantization" || s.key == "q")) scheme_from_method(catalog, d, s);
  }
  if (model_from_hint(d, [&](const std::string& n) { return match_hf_id(catalog, n); })) {
    for (const Setting& s : settings) {
      if (s.key == "quantization" || s.key == "q") scheme_from_method(catalog, d, s);
    }
  }
  for (const Setting& s : settings) {
    if (d.model && s.key == "speculative-config") speculative(catalog, d, s);
  }
  if (!d.model)
    fail_at(
        path, 0,
        "no model (expected 'model: <org>/" + example_stem(catalog) + "' or 'vllm serve <org>/" + example_stem(catalog) + "')");
  if (!d.context)
    d.notes.push_back(
        {0, "no max_model_len: vLLM uses the model's maximum of " + std::to_string(d.model->max_context) + " tokens"});
  finish_deployment(d);
  return d;
}

}  // namespace fitcheck::readers

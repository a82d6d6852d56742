#include "fitcheck/names.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "fitcheck/error.hpp"

namespace fitcheck {
namespace {

using text::lower;

const std::vector<ModelName>& names_of(const Catalog& catalog) {
  if (!catalog.deployment.present()) {
    throw Error(Errc::data, "catalog " + catalog.source + " has no model_names: deployment configs cannot be matched");
  }
  return catalog.deployment.names;
}

// Letters and digits only, lower case: "Gemma4-31B", "gemma-4-31B-it" and "google_gemma-4-31B" all hold "gemma431b".
std::string squeezed(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The model whose stem a name holds, however it is spelled ("gemma4-12b-it-qat-q4", "Gemma4-31B-Q8_0",
// "gemma-4-26B-A4B.i1-IQ3_XS"): the longest stem found wins.
const Model* model_in_name(const Catalog& catalog, std::string_view name) {
  const std::string haystack = squeezed(name);
  const Model* best = nullptr;
  std::size_t best_length = 0;
  for (const ModelName& n : names_of(catalog)) {
    for (const std::string& stem : n.stems) {
      const std::string key = squeezed(stem);
      if (key.size() > best_length && haystack.find(key) != std::string::npos) {
        best = &catalog.find_model(n.model);
        best_length = key.size();
      }
    }
  }
  return best;
}

std::string example_stems(const Catalog& catalog);

// What every model's first stem starts with ("gemma4"): a name without it is another family's model.
std::string family_key(const Catalog& catalog) {
  std::string key;
  bool first = true;
  for (const ModelName& n : names_of(catalog)) {
    const std::string stem = squeezed(n.stems.front());
    if (first) key = stem;
    first = false;
    std::size_t same = 0;
    while (same < key.size() && same < stem.size() && key[same] == stem[same]) ++same;
    key.resize(same);
  }
  return key;
}

// Whether a name states a parameter count ("9B", "8b", "0.6B", "27B-A3B"), as model names do and local
// names such as model.gguf do not.
bool states_a_size(std::string_view name) {
  for (std::size_t i = 1; i < name.size(); ++i) {
    const bool unit = name[i] == 'b' || name[i] == 'B';
    const bool ends = i + 1 == name.size() || !std::isalpha(static_cast<unsigned char>(name[i + 1]));
    if (unit && ends && std::isdigit(static_cast<unsigned char>(name[i - 1]))) return true;
  }
  return false;
}

// A name of another family's model (it states a size but holds no Gemma 4 stem): Error(Errc::data) that
// readers of several deployments skip.
void reject_other_family(const Catalog& catalog, std::string_view name) {
  const std::string key = family_key(catalog);
  if (key.empty() || !states_a_size(name) || squeezed(name).find(key) != std::string::npos) return;
  throw Error(Errc::data, "'" + std::string(name) + "'" + k_other_family + " (fitcheck plans " + example_stems(catalog) + ")");
}

bool is_delimiter(char c) { return c == '-' || c == '_' || c == '.' || c == ' '; }

// Whether `word` occurs in `name` between delimiters (or the ends).
bool holds_word(const std::string& name, const std::string& word) {
  for (std::size_t at = name.find(word); at != std::string::npos; at = name.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    if ((at == 0 || is_delimiter(name[at - 1])) && (end == name.size() || is_delimiter(name[end]))) return true;
  }
  return false;
}

// The preset or publisher recipe a name holds ("...-UD-Q4_K_XL", "..._q4_0-it", "...-qat-q4"): the longest
// name found wins, so UD-Q4_K_XL beats its alias Q4_K_XL.
const Preset* weights_in_name(const Catalog& catalog, const std::string& name_lower) {
  const Preset* best = nullptr;
  std::size_t best_length = 0;
  for (const std::vector<Preset>* list : {&catalog.presets, &catalog.recipes}) {
    for (const Preset& p : *list) {
      std::vector<std::string> names = p.aliases;
      names.push_back(p.id);
      for (const std::string& n : names) {
        const std::string word = lower(n);
        if (word.size() > best_length && holds_word(name_lower, word)) {
          best = &p;
          best_length = word.size();
        }
      }
    }
  }
  return best;
}

std::string example_stems(const Catalog& catalog) {
  std::string out;
  for (const ModelName& n : names_of(catalog)) out += (out.empty() ? "" : ", ") + n.stems.front();
  return out;
}

std::string_view base_name(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "-00001-of-00003" at the end of a split GGUF's stem.
std::string without_split_suffix(std::string name) {
  const std::size_t of = name.rfind("-of-");
  if (of == std::string::npos || of < 6 || name[of - 6] != '-') return name;
  const bool digits =
      std::all_of(name.begin() + static_cast<long>(of) - 5, name.begin() + static_cast<long>(of),
                  [](unsigned char c) { return std::isdigit(c); }) &&
      name.size() > of + 4 &&
      std::all_of(name.begin() + static_cast<long>(of) + 4, name.end(), [](unsigned char c) { return std::isdigit(c); });
  return digits ? name.substr(0, of - 6) : name;
}

const Preset& quant_tag(const Catalog& catalog, std::string_view tag, std::string_view whole) {
  if (const Preset* p = catalog.weights_named(tag)) return *p;
  if (lower(tag) == "fp16") return catalog.find_preset("F16");
  std::vector<std::string> ids;
  for (const Preset& p : catalog.presets) ids.push_back(p.id);
  const std::string guess = did_you_mean(tag, ids);
  throw Error(Errc::data, "unknown quantization '" + std::string(tag) + "' in '" + std::string(whole) + "' (" +
                              (guess.empty() ? "see 'fitcheck list quants'" : guess) + ")");
}

// A publisher's own mix of a preset ("unsloth-Q4_K_M", "ggml-org-Q4_0", "ollama-Q4_K_M") where the catalog has
// one, else the stock preset.
const Preset& publisher_mix(const Catalog& catalog, const std::string& publisher, const Preset& preset) {
  const Preset* mix = catalog.weights_named(publisher + "-" + preset.id);
  return mix ? *mix : preset;
}

// A stock preset in a file whose name carries a publisher's own prefix is that publisher's mix of it.
const Preset& publisher_of_file(const Catalog& catalog, const std::string& name_lower, const Preset& preset) {
  if (preset.is_recipe()) return preset;
  for (const FilePrefix& f : catalog.file_prefixes) {
    if (name_lower.rfind(f.prefix, 0) == 0) return publisher_mix(catalog, f.publisher, preset);
  }
  return preset;
}

}  // namespace

ModelMatch match_gguf_file(const Catalog& catalog, std::string_view path) {
  const std::string file(base_name(path));
  std::string name = lower(file);
  if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".gguf") != 0) {
    throw Error(Errc::data, "model '" + std::string(path) + "' is not a .gguf file (expected <model>-<preset>.gguf, e.g. " +
                                names_of(catalog).front().stems.front() + "-Q4_K_M.gguf)");
  }
  name = without_split_suffix(name.substr(0, name.size() - 5));
  const Preset* preset = weights_in_name(catalog, name);
  const Model* model = model_in_name(catalog, name);
  if (!model) reject_other_family(catalog, file);
  if (!preset || !model) {
    throw Error(Errc::data, "cannot tell the " + std::string(!model ? "model" : "quantization") + " from file name '" + file +
                                "' (expected a name holding a model of " + example_stems(catalog) +
                                " and a quantization such as Q4_K_M or UD-Q4_K_XL; or give it with --model and --quant)");
  }
  return {model, &publisher_of_file(catalog, name, *preset)};
}

ModelMatch match_hf_repo(const Catalog& catalog, std::string_view repo) {
  const std::size_t colon = repo.find(':');
  const std::string_view path = repo.substr(0, colon);
  const std::size_t slash = path.find('/');
  std::string name = lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  const std::string suffix = "-gguf";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    name.resize(name.size() - suffix.size());
  }
  const Model* model = slash == std::string_view::npos ? nullptr : model_in_name(catalog, name);
  if (!model) reject_other_family(catalog, path);
  if (!model) {
    throw Error(Errc::data, "cannot tell the model from repository '" + std::string(path) +
                                "' (expected <user>/<model>-GGUF[:QUANT] with a model of " + example_stems(catalog) + ")");
  }
  const Preset& preset = colon == std::string_view::npos ? catalog.find_preset(catalog.deployment.hf_default_preset)
                                                         : quant_tag(catalog, repo.substr(colon + 1), repo);
  // A -qat repository's files are quantized from the QAT checkpoint: its own recipe where the catalog has one;
  // else the publisher's own mix of the preset (unsloth-Q4_K_M, ggml-org-Q4_0) where the catalog has one.
  const Preset* qat = name.find("-qat") != std::string::npos ? catalog.weights_named("QAT-" + preset.id) : nullptr;
  const std::string owner(slash == std::string_view::npos ? "" : path.substr(0, slash));
  return {model, qat ? qat : &publisher_mix(catalog, owner, preset)};
}

ModelMatch match_ollama_tag(const Catalog& catalog, std::string_view tag) {
  for (const char* prefix : {"hf.co/", "huggingface.co/"}) {
    if (lower(tag).rfind(prefix, 0) == 0) return match_hf_repo(catalog, tag.substr(std::string_view(prefix).size()));
  }
  const OllamaRules& rules = catalog.deployment.ollama;
  const std::string name = lower(tag);
  std::string all_tags;
  const ModelName* best = nullptr;
  std::size_t best_length = 0;
  for (const ModelName& n : names_of(catalog)) {
    for (const std::string& t : n.ollama_tags) {
      all_tags += (all_tags.empty() ? "" : ", ") + t;
      const bool prefix = name.rfind(lower(t), 0) == 0 && (name.size() == t.size() || name[t.size()] == '-');
      if (prefix && t.size() > best_length) {
        best = &n;
        best_length = t.size();
      }
    }
  }
  if (!best) {
    throw Error(Errc::data, "cannot tell the model from Ollama tag '" + std::string(tag) + "' (expected one of " + all_tags +
                                ", optionally with a quantization suffix such as -q8_0)");
  }
  const Model& model = catalog.find_model(best->model);
  const Preset& preset = name.size() == best_length ? catalog.find_preset(rules.default_preset)
                                                    : quant_tag(catalog, name.substr(best_length + 1), tag);
  // The library's blobs were quantized by Ollama's own quantizer.
  return {&model, &publisher_mix(catalog, "ollama", preset)};
}

const ModelName* names_of_model(const Catalog& catalog, std::string_view model) {
  for (const ModelName& n : catalog.deployment.names) {
    if (n.model == model) return &n;
  }
  return nullptr;
}

const Preset& launch_weights(const Catalog& catalog, const Model& model, const Preset& preset) {
  const ModelName* n = names_of_model(catalog, model.id);
  if (!n || n->launch_repo.empty()) return preset;
  return publisher_mix(catalog, n->launch_repo.substr(0, n->launch_repo.find('/')), preset);
}

const Model* model_named_in(const Catalog& catalog, std::string_view name) { return model_in_name(catalog, name); }

bool names_other_family(const std::string& message) { return message.find(k_other_family) != std::string::npos; }

std::string example_ollama_tag(const Catalog& catalog) {
  for (auto it = names_of(catalog).rbegin(); it != names_of(catalog).rend(); ++it) {
    if (!it->ollama_tags.empty()) return it->ollama_tags.front();
  }
  return "<library>:<tag>";
}

std::string example_stem(const Catalog& catalog) { return names_of(catalog).back().stems.front(); }

ModelMatch match_hf_id(const Catalog& catalog, std::string_view id) {
  std::string_view name = id;
  while (!name.empty() && (name.back() == '/' || name.back() == '\\')) name.remove_suffix(1);
  const Model* model = model_in_name(catalog, base_name(name));
  if (!model && name.find('$') == std::string_view::npos && name.find('<') == std::string_view::npos)
    reject_other_family(catalog, name);
  if (!model) {
    throw Error(Errc::data, "cannot tell the model from '" + std::string(id) + "' (expected a Hugging Face id such as <org>/" +
                                example_stem(catalog) + ")");
  }
  const Preset* scheme = weights_in_name(catalog, lower(base_name(name)));  // -NVFP4, -AWQ-4bit, -FP8-dynamic
  return {model, scheme ? scheme : &catalog.find_preset("BF16")};
}

}  // namespace fitcheck

#pragma once
// How deployment configs name a model, mapped to the catalog with its `model_names` data:
// GGUF file names (<stem>-<preset>.gguf), llama.cpp -hf repositories (<org>/<stem>-GGUF[:QUANT]),
// Ollama tags (gemma4:<size>[-it][-<quant>]) and Hugging Face ids (google/<stem>: BF16 safetensors).
// Each throws Error(Errc::data) saying what it expected when the name does not match.
#include <string_view>

#include "fitcheck/catalog.hpp"

namespace fitcheck {

// The words of the error for a model of another family ("'unsloth/Qwen3.5-9B-GGUF' is not a Gemma 4 model"): a
// file of several deployments skips that one and reads the rest.
inline constexpr const char* k_other_family = " is not a Gemma 4 model";
bool names_other_family(const std::string& message);

struct ModelMatch {
  const Model* model = nullptr;
  const Preset* preset = nullptr;  // null: the name does not say
};

// "models/gemma-4-31B-it-Q4_K_M.gguf", split files ("-00001-of-00002.gguf") included.
ModelMatch match_gguf_file(const Catalog& catalog, std::string_view path);
// "ggml-org/gemma-4-26B-A4B-it-GGUF:Q4_K_M"; without ":QUANT" the preset is llama.cpp's default.
ModelMatch match_hf_repo(const Catalog& catalog, std::string_view repo);
// How the catalog names `model` (its file stems, Ollama tags, launch repository); null when it does not (a catalog
// without deployments).
const ModelName* names_of_model(const Catalog& catalog, std::string_view model);
// The weights of `preset` as the launch line downloads them: the launch repository's publisher's own mix of it
// where the catalog has one (bartowski-Q4_K_M), else the stock preset.
const Preset& launch_weights(const Catalog& catalog, const Model& model, const Preset& preset);
// "gemma4:e4b", "gemma4:26b-a4b-it-q8_0", "hf.co/<org>/<repo>:QUANT" (Ollama pulls GGUF repos too).
ModelMatch match_ollama_tag(const Catalog& catalog, std::string_view tag);
// "google/gemma-4-31B-it", or a local folder of that name: the safetensors weights, BF16.
ModelMatch match_hf_id(const Catalog& catalog, std::string_view id);
// The model whose stem any name holds, however spelled ("ggml-org/gemma-4-31B-it-assistant-GGUF"); null when none.
const Model* model_named_in(const Catalog& catalog, std::string_view name);

// Examples for messages, taken from the catalog's names (so that a message never names a model the
// catalog does not hold): an Ollama tag and a repository stem of the largest model.
std::string example_ollama_tag(const Catalog& catalog);
std::string example_stem(const Catalog& catalog);

}  // namespace fitcheck

#pragma once
// The files around server commands, each read into a FileContext (readers/container.hpp): docker compose,
// Kubernetes manifests (with KServe), the vLLM production stack's Helm values, llama-swap configs.
#include <string_view>

#include "readers/container.hpp"

namespace fitcheck::readers {

enum class Wrapper { none, compose, kubernetes, helm_vllm, llama_swap, llama_preset, vllm_recipe };

// Recognized from the top-level keys of a YAML text; none for anything else.
Wrapper detect_wrapper(std::string_view text);

void read_compose(FileContext& f, const YAML::Node& root);
void read_kubernetes(FileContext& f, const YAML::Node& document);
void read_helm_vllm(FileContext& f, const YAML::Node& root);
void read_llama_swap(FileContext& f, const YAML::Node& root);
void read_vllm_recipe(FileContext& f, const YAML::Node& root);
// llama-server's --models-preset INI file: one deployment a model section.
bool is_llama_preset(std::string_view text);
void read_llama_preset(FileContext& f);
// Whether llama-server's option `name` takes a value (false: a switch); nullopt for a name it does not have.
std::optional<bool> llama_option_takes_value(const std::string& name);

// Runs `read` on one named part of a file; its data error goes to f.out.errors, prefixed with `name`.
template <class Read>
void read_part(FileContext& f, const std::string& name, Read read) {
  try {
    read();
  } catch (const Error& e) {
    if (e.code() != Errc::data) throw;
    f.out.errors.push_back(Error::in_file(f.path, e.line(), name + ": " + e.reason()));
  }
}

}  // namespace fitcheck::readers

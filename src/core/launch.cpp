#include "fitcheck/launch.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "fitcheck/names.hpp"

namespace fitcheck {
namespace {

// The flags that reproduce the plan: its offload split when it has one, else every layer on the GPU.
std::string flags(const Candidate& c) {
  return c.verdict.offload ? c.verdict.offload->args : llama_flags(c.footprint.settings, 99, 0);
}

std::optional<std::string> ollama_tag(const Catalog& catalog, const ModelName& n, const std::string& quant) {
  const OllamaRules& rules = catalog.deployment.ollama;
  if (n.ollama_tags.empty()) return std::nullopt;
  if (quant == rules.default_preset) return n.ollama_tags.front();
  const bool tagged = std::find(rules.quant_tags.begin(), rules.quant_tags.end(), quant) != rules.quant_tags.end();
  if (!tagged) return std::nullopt;
  return n.ollama_tags.back() + "-" + text::lower(quant);
}

}  // namespace

Launch launch_of(const Catalog& catalog, const Candidate& c) {
  Launch launch;
  const ModelName* n = names_of_model(catalog, c.model);
  if (!n) return launch;
  const Settings& s = c.footprint.settings;
  if (!n->launch_repo.empty()) {
    launch.llama_server = "llama-server -hf " + n->launch_repo + ":" + c.quant + " " + flags(c);
    if (!s.wants_projector()) launch.llama_server += " --no-mmproj";
  }
  // Ollama places whole layers by its own estimate and cannot keep experts in host RAM (--n-cpu-moe): an offload
  // plan has no Ollama line that runs it.
  const std::optional<std::string> tag = c.verdict.offload ? std::nullopt : ollama_tag(catalog, *n, c.quant);
  if (tag) {
    std::string env = "OLLAMA_CONTEXT_LENGTH=" + std::to_string(s.context);
    if (s.kv_type_k != "f16") env += " OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=" + s.kv_type_k;
    launch.ollama = env + " ollama run " + *tag;
  }
  return launch;
}

}  // namespace fitcheck

#pragma once
// The command lines that start a plan: llama-server with the model's GGUF repository (-hf REPO:QUANT) and the
// plan's flags, and, where Ollama's library ships the preset and the plan is whole on the GPU, `ollama run` with the
// context it needs.
#include <optional>
#include <string>

#include "fitcheck/catalog.hpp"
#include "fitcheck/planner.hpp"

namespace fitcheck {

struct Launch {
  std::string llama_server;           // empty when the catalog names no GGUF repository for the model
  std::optional<std::string> ollama;  // nullopt: no tag for the preset in Ollama's library, or an offload plan
};

Launch launch_of(const Catalog& catalog, const Candidate& candidate);

}  // namespace fitcheck

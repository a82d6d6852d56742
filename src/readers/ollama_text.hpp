#pragma once
// Ollama deployments described by a command, an API request or a server log (see ollama_text.cpp).
#include <cstdint>
#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "readers/config_text.hpp"

namespace fitcheck::readers {

// What an Ollama text amounts to: its Modelfile (FROM the first library tag starting with one of
// `tag_prefixes`, num_ctx from "num_ctx", the log's KvSize or `ollama ps`'s CONTEXT column, num_gpu from "num_gpu", GPULayers or
// "offloaded N/M layers"), line for line, and the GPUs a load request spreads the layers over.
struct OllamaText {
  std::string modelfile;
  bool names_model = false;  // a FROM line: the text names a library tag
  std::uint64_t gpus = 0;    // the most GPU IDs one load request's GPULayers lists (0: none listed)
  std::size_t gpus_line = 0;
};
// nullopt when the text names no tag and holds no load request or offload line (nothing to read).
std::optional<OllamaText> ollama_as_modelfile(std::string_view text, const std::vector<std::string>& tag_prefixes);

// The llama-server command an Ollama log shows it starting (Ollama >= 0.30 runs llama-server:
// `msg="starting llama-server" cmd="...llama-server --model <blob> -c 4096 ..."`), as shell text on the line it
// came from (earlier lines left empty); nullopt when the log shows none.
std::optional<std::string> ollama_server_command(std::string_view text);

// Whether the text is Ollama's settings as KEY=VALUE lines (a Docker or systemd env file): every line that is
// not a comment assigns a variable, and one of them is an OLLAMA_* setting.
bool is_ollama_env_file(std::string_view text);

// The release an Ollama log prints ("Listening on 127.0.0.1:11434 (version 0.20.2)", "version=0.20.2"), with
// its line; nullopt when none.
std::optional<std::pair<std::size_t, std::string>> ollama_version(std::string_view text);

}  // namespace fitcheck::readers

#pragma once
// Ollama deployments described by a command, an API request or a server log (see ollama_text.cpp).
#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "readers/config_text.hpp"

namespace fitcheck::readers {

// The Modelfile the text amounts to (FROM the first library tag starting with one of `tag_prefixes`, num_ctx
// from "num_ctx" or the log's KvSize, num_gpu from "num_gpu" or GPULayers), line for line; nullopt when the
// text names no such tag.
std::optional<std::string> ollama_as_modelfile(std::string_view text, const std::vector<std::string>& tag_prefixes);

// The release an Ollama log prints ("Listening on 127.0.0.1:11434 (version 0.20.2)", "version=0.20.2"), with
// its line; nullopt when none.
std::optional<std::pair<std::size_t, std::string>> ollama_version(std::string_view text);

}  // namespace fitcheck::readers

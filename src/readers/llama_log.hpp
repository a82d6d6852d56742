#pragma once
// llama.cpp load logs as the options they report (see llama_log.cpp).
#include <optional>
#include <string_view>
#include <vector>

#include "readers/config_text.hpp"

namespace fitcheck::readers {

// Whether a text holds the lines llama.cpp prints when it loads a model.
bool is_llama_log(std::string_view text);
// The options the log reports, each at the line it was read from: -m (the file loaded), -c, -np, -b, -ub,
// -fa, -ctk, -ctv (the first of each), and -ngl when not every layer was offloaded.
std::vector<Word> log_words(std::string_view text);
// The build number a log prints ("version: 9692 (f3e182816)", "build: 8724 (...)"), or nullopt.
std::optional<std::string> log_build(std::string_view text);

}  // namespace fitcheck::readers

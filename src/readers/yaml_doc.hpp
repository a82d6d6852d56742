#pragma once
// YAML through yaml-cpp, bounded before it parses: the files around deployment commands (docker compose,
// Kubernetes manifests, Helm values, llama-swap configs) and vLLM's `--config` files are untrusted input.
// Errors: Error(Errc::data) "<file>:<line>: ...". Lines are 1-based; 0 when a node has no place.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace fitcheck::readers {

// Bounds checked on the text before yaml-cpp sees it (README "Bad input"): yaml-cpp parses nested
// collections by recursion, and an alias is a shared node that a walk over the tree would visit again.
inline constexpr std::size_t k_max_yaml_indent = 256;      // columns of leading spaces on a line
inline constexpr std::size_t k_max_yaml_flow_depth = 64;   // [ and { open at once
inline constexpr std::size_t k_max_yaml_line_items = 32;   // "- - - x": nested sequences started on one line
inline constexpr std::size_t k_max_yaml_aliases = 1000;    // *alias references in a file
inline constexpr std::size_t k_max_yaml_documents = 1000;  // --- separated documents

// Every document of the text (a stream of `---` separated documents); a parse error names its line.
std::vector<YAML::Node> load_yaml(const std::string& path, std::string_view text);

// The 1-based line of a node, 0 when it has none.
std::size_t line_of(const YAML::Node& node);
// A mapping's value for `key`, also through YAML merge keys (`<<: *defaults`); an undefined node when
// `map` is not a mapping or has no such key.
YAML::Node child(const YAML::Node& map, std::string_view key);
// The value's text when it is a scalar; an error naming `what` and the line when it is a list or a mapping.
std::string scalar_text(const std::string& path, const YAML::Node& node, const std::string& what);
// The same for `child(map, key)`, nullopt when absent or null.
std::optional<std::string> scalar_child(const std::string& path, const YAML::Node& map, std::string_view key);

}  // namespace fitcheck::readers

#pragma once
// Untrusted JSON in (the catalog, fitcheck deployment files): parsed only after its nesting depth is
// bounded, with duplicate keys rejected rather than silently merged.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace fitcheck {

// Deeper nesting than any catalog or deployment file needs; bounded so that no walk can exhaust the stack.
inline constexpr std::size_t k_max_json_depth = 64;

struct JsonProblem {
  std::size_t byte = 0;    // 1-based position of the byte where parsing stopped; 0 when unknown
  std::string what;        // "malformed JSON", "nested deeper than 64 levels", "duplicate key \"id\""
  bool truncated = false;  // the text ended early
  bool duplicate_key = false;
};

// Parses `text` into `out`; on a problem returns it and leaves `out` unspecified. Without reject_duplicate_keys
// (text the tests have parsed with it) a repeated key keeps its last value.
std::optional<JsonProblem> parse_json(std::string_view text, nlohmann::json& out, bool reject_duplicate_keys = true);

}  // namespace fitcheck

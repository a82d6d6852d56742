#pragma once
// Parameter expansion as docker compose (and POSIX sh, for the forms it shares) writes it: ${VAR},
// ${VAR:-default}, ${VAR-default}, ${VAR:+alternative}, ${VAR:?message}, ${VAR?message}, $VAR and $$ (a
// literal $). Used for compose files and llama-swap macros, and meant for shell scripts too. The variables
// come from a lookup the caller supplies (the file's own environment and defaults); nothing is read from the
// process environment.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fitcheck::readers {

// A variable's value, or nullopt when it is not set.
using VarLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct Expansion {
  std::string text;
  std::vector<std::string> unset;  // variables that were not set and had no default (their text is kept as written)
};

// Expands `text`. A default is itself expanded (${A:-${B:-x}}); an expanded value is not expanded again.
// An unset variable without a default keeps its text as written and is listed in `unset`; a `$` that starts
// no expansion stays as it is. Bounded: the result is at most `max_bytes` (longer results are cut there).
Expansion expand_parameters(std::string_view text, const VarLookup& lookup, std::size_t max_bytes = 1U << 20);

// A lookup over NAME=VALUE pairs (the last one of a name wins), falling back to `next` when given.
VarLookup lookup_in(std::vector<std::pair<std::string, std::string>> vars, VarLookup next = nullptr);

}  // namespace fitcheck::readers

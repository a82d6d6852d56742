#include "core/json_input.hpp"

#include <set>
#include <vector>

namespace fitcheck {
namespace {

using nlohmann::json;

// The offset of the first bracket that opens level max_depth + 1, outside strings; npos when none does.
std::size_t too_deep_at(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

struct DuplicateKey {
  std::string key;
};

}  // namespace

std::optional<JsonProblem> parse_json(std::string_view text, json& out, bool reject_duplicate_keys) {
  const std::size_t deep = too_deep_at(text, k_max_json_depth);
  if (deep != std::string_view::npos) {
    return JsonProblem{deep, "nested deeper than " + std::to_string(k_max_json_depth) + " levels", false};
  }
  std::vector<std::set<std::string>> keys;  // one set per open object (arrays hold an unused one)
  const json::parser_callback_t on_event = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: keys.emplace_back(); break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end: keys.pop_back(); break;
      case json::parse_event_t::key:
        if (!keys.back().insert(parsed.get<std::string>()).second) throw DuplicateKey{parsed.get<std::string>()};
        break;
      default: break;
    }
    return true;
  };
  try {
    out = reject_duplicate_keys ? json::parse(text.begin(), text.end(), on_event) : json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const bool truncated = e.byte >= text.size() || std::string_view(e.what()).find("end of input") != std::string_view::npos;
    return JsonProblem{e.byte, "malformed JSON", truncated};
  } catch (const DuplicateKey& d) {
    return JsonProblem{0, "duplicate key \"" + d.key + "\"", false, true};
  } catch (const json::exception&) {
    // A number the parser cannot hold (1e400), found after the token was read: no position to give.
    return JsonProblem{0, "malformed JSON: a number out of range", false, false};
  }
  return std::nullopt;
}

}  // namespace fitcheck

#include "readers/shell_vars.hpp"

#include <cctype>
#include <map>

namespace fitcheck::readers {
namespace {

constexpr int k_max_nesting = 16;  // ${A:-${B:-...}} deeper than this stays as written

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The end of the braced expression opened at `open` (the index of its '}'), or npos when it is not closed.
std::size_t closing_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{')
      ++depth;
    else if (text[i] == '}' && --depth == 0)
      return i;
  }
  return std::string_view::npos;
}

class Expander {
 public:
  Expander(const VarLookup& lookup, std::size_t max_bytes) : m_lookup(lookup), m_max(max_bytes) {}

  std::string run(std::string_view text, int nesting) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && out.size() < m_max; ++i) {
      if (text[i] != '$' || i + 1 == text.size()) {
        out += text[i];
      } else if (text[i + 1] == '$') {
        out += '$';
        ++i;
      } else if (text[i + 1] == '{') {
        i = braced(text, i, nesting, out);
      } else if (name_start(text[i + 1])) {
        std::size_t end = i + 1;
        while (end < text.size() && name_char(text[end])) ++end;
        out += value_or_kept(text.substr(i + 1, end - i - 1), text.substr(i, end - i));
        i = end - 1;
      } else {
        out += '$';
      }
    }
    if (out.size() > m_max) out.resize(m_max);
    return out;
  }

  std::vector<std::string> unset;

 private:
  // Expands the ${...} at `dollar` into `out`; returns the index of its last character.
  std::size_t braced(std::string_view text, std::size_t dollar, int nesting, std::string& out) {
    const std::size_t close = closing_brace(text, dollar + 1);
    if (close == std::string_view::npos || nesting >= k_max_nesting) {
      out += text.substr(dollar, close == std::string_view::npos ? std::string_view::npos : close + 1 - dollar);
      return close == std::string_view::npos ? text.size() - 1 : close;
    }
    const std::string_view inner = text.substr(dollar + 2, close - dollar - 2);
    std::size_t n = 0;
    while (n < inner.size() && name_char(inner[n])) ++n;
    const std::string_view name = inner.substr(0, n), rest = inner.substr(n);
    const std::optional<std::string> value = n > 0 ? m_lookup(name) : std::nullopt;
    const bool colon = !rest.empty() && rest[0] == ':';
    const std::string_view op = rest.substr(colon ? 1 : 0);
    const bool use_default = !op.empty() && (op[0] == '-' || op[0] == '?');
    const bool set = value && !(colon && value->empty());
    if (!op.empty() && op[0] == '+') {  // ${VAR:+alternative}: the alternative when set, else nothing
      out += set ? run(op.substr(1), nesting + 1) : "";
    } else if (use_default && !set) {
      out += op[0] == '-' ? run(op.substr(1), nesting + 1) : "";
      if (op[0] == '?') unset.emplace_back(name);
    } else if (value && (rest.empty() || use_default)) {
      out += *value;
    } else if (!value && rest.empty() && n > 0) {
      out += value_or_kept(name, text.substr(dollar, close + 1 - dollar));
    } else {
      out += text.substr(dollar, close + 1 - dollar);  // a form compose does not have (${#A}, ${A/x/y}): kept
    }
    return close;
  }

  std::string value_or_kept(std::string_view name, std::string_view written) {
    if (std::optional<std::string> v = m_lookup(name)) return *v;
    unset.emplace_back(name);
    return std::string(written);
  }

  const VarLookup& m_lookup;
  std::size_t m_max;
};

}  // namespace

Expansion expand_parameters(std::string_view text, const VarLookup& lookup, std::size_t max_bytes) {
  Expander e(lookup, max_bytes);
  Expansion result;
  result.text = e.run(text, 0);
  result.unset = std::move(e.unset);
  return result;
}

VarLookup lookup_in(std::vector<std::pair<std::string, std::string>> vars, VarLookup next) {
  std::map<std::string, std::string, std::less<>> table;
  for (auto& [name, value] : vars) table[name] = std::move(value);
  return [table = std::move(table), next = std::move(next)](std::string_view name) -> std::optional<std::string> {
    if (const auto it = table.find(name); it != table.end()) return it->second;
    return next ? next(name) : std::nullopt;
  };
}

}  // namespace fitcheck::readers

#include "readers/yaml_doc.hpp"

#include <algorithm>

#include "readers/config_text.hpp"
#include "readers/input_file.hpp"

namespace fitcheck::readers {
namespace {

constexpr int k_max_merge_depth = 8;  // <<: *a where a merges b ...: a chain, never a cycle walked forever

struct Scan {
  std::size_t flow_depth = 0;
  std::size_t aliases = 0;
  char quote = 0;  // inside a quoted scalar that spans lines
};

// The position after a quoted span that starts at `i` (or the end of the line when it does not close there).
void scan_line(const std::string& path, std::size_t number, std::string_view line, Scan& s) {
  const std::size_t indent = line.find_first_not_of(' ');
  if (indent != std::string_view::npos && indent > k_max_yaml_indent && s.quote == 0)
    fail_at(path, number,
            "indented " + std::to_string(indent) + " columns (fitcheck reads YAML nested at most " +
                std::to_string(k_max_yaml_indent) + " columns deep)");
  std::size_t items = 0;
  for (std::size_t i = indent == std::string_view::npos ? line.size() : indent; i + 1 < line.size() && s.quote == 0; i += 2) {
    if (line[i] != '-' || line[i + 1] != ' ') break;
    if (++items > k_max_yaml_line_items) fail_at(path, number, "too many nested '- ' items on one line (expected a config file)");
  }
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (s.quote) {
      if (c == s.quote) s.quote = 0;
      continue;
    }
    const bool token_start = i == 0 || std::string_view(" \t[{,:-").find(line[i - 1]) != std::string_view::npos;
    if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;
    if ((c == '"' || c == '\'') && token_start) {
      s.quote = c;
    } else if (c == '[' || c == '{') {
      if (++s.flow_depth > k_max_yaml_flow_depth)
        fail_at(path, number,
                "brackets nested more than " + std::to_string(k_max_yaml_flow_depth) + " deep (expected a config file)");
    } else if ((c == ']' || c == '}') && s.flow_depth > 0) {
      --s.flow_depth;
    } else if (c == '*' && token_start && ++s.aliases > k_max_yaml_aliases) {
      fail_at(path, number, "more than " + std::to_string(k_max_yaml_aliases) + " YAML aliases (expected a config file)");
    }
  }
}

void check_bounds(const std::string& path, std::string_view text) {
  if (text.size() > k_max_config_bytes) fail_at(path, 0, "larger than " + std::to_string(k_max_config_bytes) + " bytes");
  Scan s;
  std::size_t documents = 0, number = 0;
  for (const std::string_view line : split_lines(text)) {
    ++number;
    if (line.rfind("---", 0) == 0 && ++documents > k_max_yaml_documents)
      fail_at(path, number, "more than " + std::to_string(k_max_yaml_documents) + " YAML documents");
    scan_line(path, number, line, s);
  }
}

YAML::Node merged_child(const YAML::Node& map, std::string_view key, int depth) {
  if (!map.IsMap() || depth > k_max_merge_depth) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node merge;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) continue;
    const std::string& k = kv.first.Scalar();
    if (k == key) return kv.second;
    if (k == "<<") merge = kv.second;
  }
  if (!merge) return YAML::Node(YAML::NodeType::Undefined);
  if (merge.IsMap()) return merged_child(merge, key, depth + 1);
  if (merge.IsSequence()) {
    for (std::size_t i = 0; i < merge.size() && i < 64; ++i) {
      YAML::Node found = merged_child(merge[i], key, depth + 1);
      if (found) return found;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

std::vector<YAML::Node> load_yaml(const std::string& path, std::string_view text) {
  check_bounds(path, text);
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    const std::size_t line = e.mark.is_null() ? 0 : static_cast<std::size_t>(e.mark.line) + 1;
    fail_at(path, line, "invalid YAML: " + e.msg + " (expected YAML as docker compose, Kubernetes or vLLM write it)");
  }
}

std::size_t line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark m = node.Mark();
  return m.is_null() ? 0 : static_cast<std::size_t>(m.line) + 1;
}

YAML::Node child(const YAML::Node& map, std::string_view key) { return merged_child(map, key, 0); }

std::string scalar_text(const std::string& path, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) fail_at(path, line_of(node), what + " expects a single value, not a list or a mapping");
  return node.Scalar();
}

std::optional<std::string> scalar_child(const std::string& path, const YAML::Node& map, std::string_view key) {
  const YAML::Node node = child(map, key);
  if (!node || node.IsNull()) return std::nullopt;
  return scalar_text(path, node, std::string(key));
}

}  // namespace fitcheck::readers

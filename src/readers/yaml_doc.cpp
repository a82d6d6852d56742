#include "readers/yaml_doc.hpp"

#include <algorithm>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

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

// Whether a node may begin at `i`: a quote or a bracket there opens a quoted scalar or a flow collection; anywhere
// else (inside a plain scalar: `if [ "$x" ]`) it is text. A node begins at the line's first character, after
// "key: ", "- " or "? ", and inside brackets after '[', '{', ',' or ':'.
bool node_start(std::string_view line, std::size_t i, std::size_t flow_depth) {
  const std::size_t j = i == 0 ? std::string_view::npos : line.find_last_not_of(" \t", i - 1);
  if (j == std::string_view::npos) return true;
  const char c = line[j];
  if (flow_depth > 0 && std::string_view("[{,:").find(c) != std::string_view::npos) return true;
  const bool spaced = j + 1 < i;  // "key: x", "- x": an indicator is followed by a blank
  const bool alone = j == 0 || line[j - 1] == ' ' || line[j - 1] == '\t';
  return spaced && (c == ':' || ((c == '-' || c == '?') && alone));
}

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
      if (c == '\\' && s.quote == '"')
        ++i;  // an escape ("\"") inside double quotes
      else if (c == s.quote)
        s.quote = 0;
      continue;
    }
    const bool token_start = i == 0 || std::string_view(" \t[{,:-").find(line[i - 1]) != std::string_view::npos;
    if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;
    const bool opens = node_start(line, i, s.flow_depth);
    if ((c == '"' || c == '\'') && opens) {
      s.quote = c;
    } else if ((c == '[' || c == '{') && opens) {
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

// Where a document's root node is still to come: the rest of a line after its "---", tags ("!x"), anchors
// ("&x") and blanks; true once the root has begun. yaml-cpp 0.7's LoadAll never returns when a document's root
// starts with ',' (', a', '--- ,a', '!t ,a'), which no YAML allows (',' is a flow indicator): refused here.
bool root_begins(const std::string& path, std::size_t number, std::string_view rest) {
  while (true) {
    const std::size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos || rest[start] == '#') return false;
    rest.remove_prefix(start);
    if (rest[0] == ',') fail_at(path, number, "a YAML document that starts with ',' (expected a config file)");
    if (rest[0] != '!' && rest[0] != '&') return true;
    const std::size_t end = rest.find_first_of(" \t");
    if (end == std::string_view::npos) return false;
    rest.remove_prefix(end);
  }
}

// A block scalar's header ("key: |", "- >-"): its more-indented lines that follow are text, not YAML.
bool opens_block_scalar(std::string_view line) {
  const std::size_t hash = line.find(" #");
  std::string_view head = line.substr(0, hash);
  const std::size_t end = head.find_last_not_of(" \t");
  if (end == std::string_view::npos) return false;
  head = head.substr(0, end + 1);
  const std::size_t indicator = head.find_last_of("|>");
  if (indicator == std::string_view::npos || head.find_first_not_of("+-0123456789", indicator + 1) != std::string_view::npos)
    return false;
  return indicator == 0 || head[indicator - 1] == ' ';
}

// yaml-cpp 0.7's LoadAll also never returns on some lines that start with ',' (a ', meta: ...' line among mappings,
// after a plain scalar that holds a '[', found by fuzzing). Where a line is in a flow collection or a quoted scalar
// depends on yaml-cpp's tokens, which this scan only approximates, so every such line is refused but a block
// scalar's text; a ',' that ends the line before is YAML all the same.
struct LineStart {
  std::size_t block_indent = std::string_view::npos;  // the header's indent while inside a block scalar
  // A block scalar's text (more indented than its header, or blank): neither YAML tokens nor quotes.
  bool in_block_scalar(std::string_view line) {
    const std::size_t indent = line.find_first_not_of(" \t");
    if (block_indent == std::string_view::npos) return false;
    if (indent == std::string_view::npos || indent > block_indent) return true;
    block_indent = std::string_view::npos;
    return false;
  }
  void check(const std::string& path, std::size_t number, std::string_view line, bool in_quote) {
    const std::size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) return;
    if (line[indent] == ',')
      fail_at(path, number,
              "a line that starts with ',' (its YAML parser can hang on one: put the ',' at the end of the line before, or "
              "quote the value)");
    if (!in_quote && opens_block_scalar(line)) block_indent = indent;
  }
};

void check_bounds(const std::string& path, std::string_view text) {
  if (text.size() > k_max_config_bytes) fail_at(path, 0, "larger than " + std::to_string(k_max_config_bytes) + " bytes");
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);  // a UTF-8 byte order mark
  Scan s;
  std::size_t documents = 0, number = 0;
  bool rooted = false;
  LineStart starts;
  for (std::string_view line : split_lines(text)) {
    ++number;
    const bool marker = line.rfind("---", 0) == 0;
    if (marker && ++documents > k_max_yaml_documents)
      fail_at(path, number, "more than " + std::to_string(k_max_yaml_documents) + " YAML documents");
    if (s.quote == 0 && starts.in_block_scalar(line)) {
      Scan literal = s;  // the bounds still hold line by line; its quotes and brackets are text
      scan_line(path, number, line, literal);
      continue;
    }
    starts.check(path, number, line, s.quote != 0);
    scan_line(path, number, line, s);
    if (marker) {
      rooted = false;
      line.remove_prefix(3);
    } else if (!rooted && line.rfind('%', 0) == 0) {
      continue;  // a directive
    }
    if (!rooted && s.flow_depth == 0) rooted = root_begins(path, number, line);
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

// Counts the documents yaml-cpp's parser reads, and where the last one began. yaml-cpp 0.7's LoadAll loops for
// ever on a stray ',' outside brackets (',', '{a: 1},', '"x",'): its parser reads an empty document there without
// moving past the ',', again and again. The scans above refuse the usual shapes by line; this bound catches every
// other one, whatever its shape, before LoadAll runs.
class DocumentCounter : public YAML::EventHandler {
 public:
  std::size_t documents = 0;
  std::size_t line = 0;
  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    line = mark.is_null() ? 0 : static_cast<std::size_t>(mark.line) + 1;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

void check_documents_end(const std::string& path, const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  // check_bounds allows k_max_yaml_documents '---' markers, and one document may come before the first.
  while (parser.HandleNextDocument(counter)) {
    if (counter.documents > k_max_yaml_documents + 1)
      fail_at(path, counter.line,
              "YAML that its parser reads as endless empty documents (a ',' outside brackets? put it inside a quoted "
              "value or a [list])");
  }
}

}  // namespace

std::vector<YAML::Node> load_yaml(const std::string& path, std::string_view text) {
  check_bounds(path, text);
  try {
    const std::string copy(text);
    check_documents_end(path, copy);
    return YAML::LoadAll(copy);
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

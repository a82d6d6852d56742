#include "readers/config_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/text.hpp"
#include "fitcheck/error.hpp"

namespace fitcheck::readers {
namespace {

// A YAML or env scalar without its quotes and trailing comment.
std::string scalar_value(const std::string& path, std::size_t line, std::string_view raw) {
  const std::string text = trim(raw);
  if (!text.empty() && (text[0] == '"' || text[0] == '\'')) {
    const char quote = text[0];
    const std::size_t close = text.find(quote, 1);
    if (close == std::string::npos) fail_at(path, line, std::string("unterminated quote (expected a closing ") + quote + ")");
    const std::string rest = trim(std::string_view(text).substr(close + 1));
    if (!rest.empty() && rest[0] != '#') fail_at(path, line, "unexpected text after the quoted value: '" + rest + "'");
    return text.substr(1, close - 1);
  }
  const std::size_t comment = text.find(" #");
  return trim(std::string_view(text).substr(0, comment));
}

}  // namespace

std::string_view without_bom(std::string_view text) {
  constexpr std::string_view k_bom = "\xEF\xBB\xBF";
  return text.substr(0, k_bom.size()) == k_bom ? text.substr(k_bom.size()) : text;
}

std::string trim(std::string_view text) { return std::string(text::trim(text)); }

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

void fail_at(const std::string& path, std::size_t line, const std::string& why) { throw Error::in_file(path, line, why); }

std::vector<Word> shell_words(const std::string& path, std::string_view text) {
  std::vector<Word> words;
  std::string current;
  bool in_word = false;
  std::size_t line = 1, word_line = 1;
  const auto finish = [&] {
    if (in_word) words.push_back({current, word_line, false});
    current.clear();
    in_word = false;
  };
  const auto start = [&] {
    if (!in_word) word_line = line;
    in_word = true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      if (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n')) {
        i += text[i + 1] == '\r' ? 2 : 1;
        ++line;
        continue;
      }
      start();
      current += text[++i];
    } else if (c == '\'' || c == '"') {
      start();
      const std::size_t opened = line;
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != c; ++j) {
        if (c == '"' && text[j] == '\\' && j + 1 < text.size() &&
            std::string_view("\"\\$`").find(text[j + 1]) != std::string_view::npos)
          ++j;
        if (text[j] == '\n') ++line;
        current += text[j];
      }
      if (j >= text.size()) fail_at(path, opened, std::string("unterminated quote (expected a closing ") + c + ")");
      i = j;
    } else if (c == '#' && !in_word) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '\n' || c == ';' || c == '|' || c == '&') {
      finish();
      while (c != '\n' && i + 1 < text.size() && (text[i + 1] == '|' || text[i + 1] == '&')) ++i;
      words.push_back({std::string(1, c), line, true});
      if (c == '\n') ++line;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      finish();
    } else {
      start();
      current += c;
    }
  }
  finish();
  return words;
}

std::vector<Entry> flat_yaml(const std::string& path, std::string_view text) {
  std::vector<Entry> entries;
  bool ended = false;  // a "..." closed the document
  const std::vector<std::string_view> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t line = i + 1;
    const std::string content = trim(lines[i]);
    if (content.empty() || content[0] == '#') continue;
    const bool marker = content == "---" || content == "...";
    if ((marker && content == "---" && !entries.empty()) || (ended && !marker)) {
      fail_at(path, line, "a second YAML document (fitcheck reads one deployment a file; split them)");
    }
    if (marker) {
      ended = ended || (content == "..." && !entries.empty());
      continue;
    }
    const bool indented = std::isspace(static_cast<unsigned char>(lines[i][0]));
    if (indented || content[0] == '-') {
      if (entries.empty() || entries.back().scalar) {
        fail_at(path, line,
                "expected 'key: value' at the start of the line (fitcheck reads the flat YAML of 'vllm serve --config')");
      }
      entries.back().value += "\n" + content;  // part of the nested value above
      continue;
    }
    const std::size_t colon = content.find(':');
    if (colon == std::string::npos || colon == 0) fail_at(path, line, "expected 'key: value', got '" + content + "'");
    Entry e{trim(std::string_view(content).substr(0, colon)), "", line, true};
    const std::string rest = trim(std::string_view(content).substr(colon + 1));
    if (rest.empty() || rest[0] == '#') {
      e.scalar = false;  // a nested block follows
    } else if (rest[0] == '[' || rest[0] == '{') {
      e.scalar = false;
      e.value = rest;
    } else {
      e.value = scalar_value(path, line, rest);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

std::vector<Entry> env_lines(const std::string& path, std::string_view text) {
  std::vector<Entry> entries;
  const std::vector<std::string_view> lines = split_lines(without_bom(text));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string content = trim(lines[i]);
    if (content.empty() || content[0] == '#') continue;
    if (content.rfind("export ", 0) == 0) content = trim(std::string_view(content).substr(7));
    const std::size_t eq = content.find('=');
    if (eq == std::string::npos || eq == 0) fail_at(path, i + 1, "expected KEY=VALUE, got '" + content + "'");
    entries.push_back({trim(std::string_view(content).substr(0, eq)),
                       scalar_value(path, i + 1, std::string_view(content).substr(eq + 1)), i + 1, true});
  }
  return entries;
}

std::optional<bool> parse_switch(std::string_view text) {
  const std::string s = text::lower(text);
  if (s == "on" || s == "true" || s == "1" || s == "yes" || s == "enabled") return true;
  if (s == "off" || s == "false" || s == "0" || s == "no" || s == "disabled") return false;
  return std::nullopt;
}

std::size_t line_of_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

std::vector<KeyLine> json_key_lines(std::string_view text) {
  std::vector<KeyLine> keys;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (text[i] != '"') continue;
    const std::size_t open = i;
    const std::size_t open_line = line;
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\')
        ++i;
      else if (text[i] == '\n')
        ++line;
    }
    std::size_t after = i + 1;
    while (after < text.size() && (text[after] == ' ' || text[after] == '\t' || text[after] == '\r' || text[after] == '\n'))
      ++after;
    if (after < text.size() && text[after] == ':') keys.push_back({std::string(text.substr(open + 1, i - open - 1)), open_line});
  }
  return keys;
}

}  // namespace fitcheck::readers

#pragma once
// Line-aware reading of config text: shell words, flat YAML, KEY=VALUE files. Every piece keeps its
// line so that errors and CI annotations can point at it. Errors: Error(Errc::data) "<file>:<line>: ...".
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fitcheck::readers {

// Text without a leading UTF-8 byte order mark (Windows editors write one); lines and offsets are unchanged
// otherwise.
std::string_view without_bom(std::string_view text);
// Text without its leading and trailing white space; the lines of a text (a trailing \r dropped).
std::string trim(std::string_view text);
std::vector<std::string_view> split_lines(std::string_view text);

[[noreturn]] void fail_at(const std::string& path, std::size_t line, const std::string& why);

struct Word {
  std::string text;
  std::size_t line = 0;
  bool separator = false;  // ; && || | & or a newline that ends a command
};

// Shell words with quotes, backslash escapes, line continuations and # comments. A newline that is not
// continued ends a command (a separator word).
std::vector<Word> shell_words(const std::string& path, std::string_view text);

struct Entry {
  std::string key;
  std::string value;  // unquoted scalar
  std::size_t line = 0;
  bool scalar = true;  // false: a nested block, a list or a flow collection (kept as text)
};

// A flat YAML mapping (`key: value` per line, comments, quoted scalars). Nested values are kept as
// non-scalar entries; anything else is an error naming the line.
std::vector<Entry> flat_yaml(const std::string& path, std::string_view text);

// KEY=VALUE lines (`export` allowed, # comments, quoted values): a Docker or systemd env file.
std::vector<Entry> env_lines(const std::string& path, std::string_view text);

// on/off as config files write them; nullopt when `text` is not one.
std::optional<bool> parse_switch(std::string_view text);  // on/off, true/false, 1/0, yes/no, enabled/disabled

// Every `"key":` of a JSON text with its line, in order, found in one pass (keys as written, escapes kept).
struct KeyLine {
  std::string key;
  std::size_t line = 0;
};
std::vector<KeyLine> json_key_lines(std::string_view text);
// The 1-based line of a byte offset.
std::size_t line_of_offset(std::string_view text, std::size_t offset);

}  // namespace fitcheck::readers

// llama-server's model presets (--models-preset FILE, router mode; ggml-org/llama.cpp docs/preset.md, PR #17859):
// an INI file whose sections each name a model, with llama-server's long option names as keys ("ctx-size",
// "n-gpu-layers", "hf") or their LLAMA_ARG_* environment names, and a [*] section that every model inherits.
// Each model section is one deployment; its own keys win over [*].
#include <algorithm>
#include <cctype>

#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

struct IniKey {
  std::string key;
  std::string value;
  std::size_t line = 0;
};

struct IniSection {
  std::string name;
  std::size_t line = 0;
  std::vector<IniKey> keys;
};

std::string_view trimmed(std::string_view s) {
  const std::size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

bool is_section(std::string_view line) { return line.size() > 2 && line.front() == '[' && line.back() == ']'; }

// LLAMA_ARG_CTX_SIZE -> ctx-size; a long option name as it is.
std::string option_key(std::string key) {
  const std::string env = "LLAMA_ARG_";
  if (key.rfind(env, 0) != 0) return key;
  key.erase(0, env.size());
  for (char& c : key) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

// [*] first (with the keys before any section, a file's "version" aside), then the model sections in order.
std::vector<IniSection> ini_sections(const std::vector<std::string_view>& lines) {
  std::vector<IniSection> sections{{"*", 0, {}}};
  bool global = true;  // keys go to [*] (sections.front()) until a model's section starts
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = trimmed(lines[i]);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    if (is_section(line)) {
      const std::string name(trimmed(line.substr(1, line.size() - 2)));
      if (name != "*") sections.push_back({name, i + 1, {}});
      global = name == "*";
      continue;
    }
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;  // a command or prose around the file
    const std::string key = option_key(std::string(trimmed(line.substr(0, eq))));
    if (key == "version" && sections.size() == 1) continue;
    IniSection& into = global ? sections.front() : sections.back();
    into.keys.push_back({key, std::string(trimmed(line.substr(eq + 1))), i + 1});
  }
  return sections;
}

bool is_true(const std::string& v) { return v == "true" || v == "1" || v == "on" || v == "yes" || v == "enabled"; }
bool is_false(const std::string& v) { return v == "false" || v == "0" || v == "off" || v == "no" || v == "disabled"; }

// One key as llama-server's arguments: an option with a value takes it; a switch is there when true and absent
// when false ("mmap = off" is --no-mmap where llama-server has the negation; flash-attn takes on|off|auto).
void add_key(CommandText& text, const IniKey& k) {
  const std::string long_name = "--" + k.key, short_name = "-" + k.key;
  const bool long_known = llama_option_takes_value(long_name).has_value();
  const std::string name = long_known || !llama_option_takes_value(short_name) ? long_name : short_name;
  const std::optional<bool> takes = llama_option_takes_value(name);
  const bool boolean = is_true(k.value) || is_false(k.value);
  if (takes.value_or(!boolean) || k.key == "flash-attn" || k.key == "fa") {
    text.add_word(name, k.line);
    text.add_word(k.value, k.line);
  } else if (is_true(k.value)) {
    text.add_word(name, k.line);
  } else if (llama_option_takes_value("--no-" + k.key)) {
    text.add_word("--no-" + k.key, k.line);
  }
}

}  // namespace

bool is_llama_preset(std::string_view text) {
  bool section = false, model = false;
  for (const std::string_view raw : split_lines(text)) {
    const std::string_view line = trimmed(raw);
    section = section || is_section(line);
    const std::size_t eq = line.find('=');
    if (!section || eq == std::string_view::npos) continue;
    const std::string key = option_key(std::string(trimmed(line.substr(0, eq))));
    model = model || key == "model" || key == "m" || key == "hf" || key == "hf-repo" || key == "hfr";
  }
  return section && model;
}

void read_llama_preset(FileContext& f) {
  const std::vector<IniSection> sections = ini_sections(f.lines);
  const IniSection& all = sections.front();
  for (std::size_t i = 1; i < sections.size(); ++i) {
    const IniSection& s = sections[i];
    CommandText text;
    text.add_word("llama-server", s.line);
    for (const IniKey& k : all.keys) add_key(text, k);
    for (const IniKey& k : s.keys) add_key(text, k);
    read_relocated(f, text, s.name, s.line,
                   [&](const std::string& command) { return read_llama_command(f.catalog, f.path, command); });
  }
}

}  // namespace fitcheck::readers

#include "readers/container.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace fitcheck::readers {
namespace {

enum class Engine { other, llama_cpp, vllm, ollama };

// llama-server reads these environment variables as the options they name (llama.cpp common/arg.cpp,
// set_env(); listed in tools/server/README.md).
const std::pair<const char*, const char*> k_llama_env[] = {{"LLAMA_ARG_MODEL", "--model"},
                                                           {"LLAMA_ARG_HF_REPO", "--hf-repo"},
                                                           {"LLAMA_ARG_HF_FILE", "--hf-file"},
                                                           {"LLAMA_ARG_CTX_SIZE", "--ctx-size"},
                                                           {"LLAMA_ARG_N_PARALLEL", "--parallel"},
                                                           {"LLAMA_ARG_N_GPU_LAYERS", "--n-gpu-layers"},
                                                           {"LLAMA_ARG_FLASH_ATTN", "--flash-attn"},
                                                           {"LLAMA_ARG_CACHE_TYPE_K", "--cache-type-k"},
                                                           {"LLAMA_ARG_CACHE_TYPE_V", "--cache-type-v"},
                                                           {"LLAMA_ARG_BATCH", "--batch-size"},
                                                           {"LLAMA_ARG_UBATCH", "--ubatch-size"},
                                                           {"LLAMA_ARG_N_CPU_MOE", "--n-cpu-moe"},
                                                           {"LLAMA_ARG_MMPROJ", "--mmproj"}};

// A word as the shell-word readers read it back: quoted unless it is plain (so `vllm`, `serve` stay findable).
std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./:=,@%+-").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool mentions(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

Engine engine_of_text(const std::string& text) {
  if (mentions(text, "llama-server") || mentions(text, "llama-cli")) return Engine::llama_cpp;
  if (mentions(text, "vllm serve") || mentions(text, "vllm.entrypoints")) return Engine::vllm;
  return Engine::other;
}

Engine engine_of_image(std::string image) {
  image = text::lower(image);
  if (mentions(image, "llama.cpp") || mentions(image, "llama-cpp") || mentions(image, "llamacpp") || mentions(image, "llama_cpp"))
    return Engine::llama_cpp;
  if (mentions(image, "vllm")) return Engine::vllm;
  if (mentions(image, "ollama")) return Engine::ollama;
  return Engine::other;
}

// The pieces of a `command:` or `entrypoint:` value: a string's lines, or a list's items.
struct Piece {
  std::string text;
  std::size_t line = 0;
  bool word = false;     // a list item: one argument
  bool newline = false;  // a script line (after a real newline)
};

std::vector<Piece> pieces(FileContext& f, const YAML::Node& node, std::vector<ConfigNote>& warnings) {
  std::vector<Piece> out;
  const auto expand = [&](const std::string& text, std::size_t line) {
    Expansion e = expand_parameters(text, f.vars);
    for (const std::string& name : e.unset)
      warnings.push_back({line, "${" + name + "} is not set and has no default (kept as written)"});
    return e.text;
  };
  if (!node || node.IsNull()) return out;
  if (node.IsScalar()) {
    for (const Segment& s : scalar_segments(node, f.lines)) out.push_back({expand(s.text, s.line), s.line, false, s.newline});
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      out.push_back({expand(scalar_text(f.path, item, "a command's argument"), line_of(item)), line_of(item), true, false});
    }
  } else {
    fail_at(f.path, line_of(node), "a command expects a string or a list of arguments, not a mapping");
  }
  return out;
}

void add(CommandText& t, const Piece& p, bool script) {
  if (p.word)
    t.add_word(p.text, p.line);
  else
    t.add_text(p.text, p.line, script && p.newline);
}

bool is_shell(const std::string& word) {
  const std::string base = word.substr(word.find_last_of('/') + 1);
  return base == "sh" || base == "bash" || base == "dash" || base == "zsh";
}

// The shell variables and arrays a script assigns before its server line (NAME=value, NAME=(words ...)),
// expanded as the shell would with the container's environment. An array assigned more than once (set
// empty, then filled under a condition) keeps its last non-empty value: the options the script can pass.
struct ScriptVars {
  std::vector<std::pair<std::string, std::string>> scalars;
  std::vector<std::pair<std::string, std::string>> arrays;  // name, its words as shell text
};

void assign(ScriptVars& vars, const std::string& line, const VarLookup& env) {
  const std::size_t eq = line.find('=');
  if (eq == 0 || eq == std::string::npos ||
      !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(eq),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
    return;
  const std::string name = line.substr(0, eq);
  std::string value = line.substr(eq + 1);
  const VarLookup lookup = lookup_in(vars.scalars, env);
  if (value.size() >= 2 && value.front() == '(' && value.back() == ')') {
    const std::string words = trim(expand_parameters(value.substr(1, value.size() - 2), lookup).text);
    if (!words.empty()) vars.arrays.emplace_back(name, words);
    return;
  }
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  vars.scalars.emplace_back(name, expand_parameters(value, lookup).text);
}

// The words of the arrays `rest` passes ("${NAME[@]}"), in order.
void add_arrays(CommandText& t, const std::string& rest, const ScriptVars& vars, std::size_t line) {
  for (std::size_t at = rest.find("${"); at != std::string::npos; at = rest.find("${", at + 2)) {
    const std::size_t end = rest.find("[@]}", at);
    if (end == std::string::npos) return;
    const std::string name = rest.substr(at + 2, end - at - 2);
    for (auto it = vars.arrays.rbegin(); it != vars.arrays.rend(); ++it) {
      if (it->first == name) {
        t.add_text(it->second, line, false);
        break;
      }
    }
  }
}

// The script of `sh -c SCRIPT ARGS...`: from its line that runs the server, with "$@" standing for the
// arguments after it (compose's command, Kubernetes' args) and "${NAME[@]}" after it for the words of an array
// the script assigns (ScriptVars); other words after "$@" on that line are left out.
bool add_script(CommandText& t, const Piece& script, const std::vector<Piece>& args, const std::vector<EnvVar>& env) {
  std::vector<std::pair<std::string, std::string>> vars;
  for (const EnvVar& v : env) vars.emplace_back(v.name, v.value);
  const VarLookup lookup = lookup_in(vars);
  const std::vector<std::string_view> lines = split_lines(script.text);
  ScriptVars assigned;
  bool started = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line = trim(lines[i]);
    if (!started && (line.empty() || line[0] == '#' || engine_of_text(line) == Engine::other)) {
      if (!line.empty() && line[0] != '#') assign(assigned, expand_parameters(line, lookup).text, lookup);
      continue;
    }
    started = true;
    std::string text = expand_parameters(line, lookup).text;
    const std::size_t at = text.find("$@");
    if (at == std::string::npos) {
      t.add_text(text, script.line + i, true);
      continue;
    }
    t.add_text(text.substr(0, at > 0 && text[at - 1] == '"' ? at - 1 : at), script.line + i, true);
    for (const Piece& p : args) add(t, p, false);
    add_arrays(t, text.substr(at + 2), assigned, script.line + i);
    return true;
  }
  return started;
}

std::string all_text(const std::vector<Piece>& a, const std::vector<Piece>& b) {
  std::string text;
  for (const auto* list : {&a, &b}) {
    for (const Piece& p : *list) text += p.text + " ";
  }
  return text;
}

// The server's command line: entrypoint then command (as a container runtime joins them), or the script a
// shell entrypoint runs. When neither names the server, the image's program goes first: llama.cpp's server
// images run llama-server (.devops/cuda.Dockerfile ENTRYPOINT), vllm/vllm-openai runs `vllm serve`.
struct Command {
  CommandText text;
  Engine engine = Engine::other;
  Engine image = Engine::other;
};

Command command_text(FileContext& f, const Container& c, std::vector<ConfigNote>& warnings) {
  const std::vector<Piece> entry = pieces(f, c.entrypoint, warnings);
  const std::vector<Piece> args = pieces(f, c.command, warnings);
  Command cmd;
  cmd.image = engine_of_image(expand_parameters(c.image, f.vars).text);
  const bool shell = entry.size() >= 3 && entry[0].word && is_shell(entry[0].text) && entry[1].text == "-c";
  if (shell && add_script(cmd.text, entry[2], args, c.env)) {
    cmd.engine = engine_of_text(cmd.text.text());
    return cmd;
  }
  cmd.engine = engine_of_text(all_text(shell ? std::vector<Piece>{} : entry, args));
  if (cmd.engine == Engine::other && c.llama_default) cmd.image = Engine::llama_cpp;
  if (cmd.engine == Engine::other && (cmd.image == Engine::llama_cpp || cmd.image == Engine::vllm)) {
    cmd.engine = cmd.image;
    cmd.text.add_text(cmd.engine == Engine::vllm ? "vllm serve" : "llama-server", c.llama_default ? c.line : c.image_line);
  }
  for (const auto& [word, line] : c.leading) cmd.text.add_word(word, line);
  if (!shell) {
    for (const Piece& p : entry) add(cmd.text, p, false);
  }
  for (const Piece& p : args) add(cmd.text, p, false);
  return cmd;
}

void add_llama_env(CommandText& t, const std::vector<EnvVar>& env) {
  for (const EnvVar& v : env) {
    for (const auto& [name, option] : k_llama_env) {
      if (v.name == name) {
        t.add_word(option, v.line);
        t.add_word(v.value, v.line);
      }
    }
  }
}

}  // namespace

bool is_llama_cpp_image(const std::string& word) {
  const std::size_t colon = word.find(':');
  if (colon == std::string::npos || word.find_first_of("/\\", colon) != std::string::npos ||
      text::lower(word).find(".gguf") != std::string::npos)
    return false;
  return engine_of_image(word.substr(0, colon)) == Engine::llama_cpp;
}

std::optional<std::string> image_version(const std::string& image, bool semver) {
  const std::size_t slash = image.find_last_of('/');
  const std::size_t colon = image.find(':', slash == std::string::npos ? 0 : slash);
  if (colon == std::string::npos) return std::nullopt;
  const std::string tag = image.substr(colon + 1, image.find('@', colon) - colon - 1);
  std::size_t start = 0;
  for (std::size_t end = 0; start <= tag.size(); start = end + 1) {  // the tag's parts between '-'
    end = std::min(tag.find('-', start), tag.size());
    const std::string part = tag.substr(start, end - start);
    const bool digits =
        part.size() > 1 && std::all_of(part.begin() + 1, part.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!semver && part.size() > 1 && (part[0] == 'b' || part[0] == 'B') && digits) return part;
    if (semver && !part.empty() && (std::isdigit(static_cast<unsigned char>(part[0])) || part[0] == 'v') &&
        part.find('.') != std::string::npos)
      return part;
  }
  return std::nullopt;
}

void note_gpus(Deployment& d, std::uint64_t gpus, std::size_t line, const std::string& how) {
  if (gpus <= 1 || gpus <= d.gpu_count) return;
  d.gpu_count = gpus;
  d.unmodelled.push_back(
      {line, how + ": a deployment over " + std::to_string(gpus) + " GPUs (several GPUs are not modelled yet)"});
}

void CommandText::add_piece(const std::string& piece, std::size_t file_line, bool newline) {
  if (!m_lines.empty() && !newline && m_lines.back() == file_line) {
    m_text += ' ';  // on the same line of the file: the same line of the text
  } else {
    if (!m_lines.empty()) m_text += newline ? "\n" : " \\\n";
    m_lines.push_back(file_line);
  }
  for (const char c : piece) {
    if (c == '\n') m_lines.push_back(file_line);
    m_text += c;
  }
}

void CommandText::add_word(const std::string& word, std::size_t file_line) { add_piece(shell_quote(word), file_line, false); }

void CommandText::add_text(const std::string& text, std::size_t file_line, bool newline) {
  std::string piece = text;
  std::replace(piece.begin(), piece.end(), '\n', ' ');
  add_piece(piece, file_line, newline);
}

std::size_t CommandText::file_line(std::size_t text_line) const {
  if (text_line == 0 || m_lines.empty()) return 0;
  return m_lines[std::min(text_line, m_lines.size()) - 1];
}

void CommandText::relocate(Deployment& d) const {
  d.line = file_line(d.line);
  d.context_line = file_line(d.context_line);
  d.target.line = file_line(d.target.line);
  for (auto* notes : {&d.notes, &d.warnings, &d.unmodelled}) {
    for (ConfigNote& n : *notes) n.line = file_line(n.line);
  }
}

std::vector<Segment> scalar_segments(const YAML::Node& scalar, const std::vector<std::string_view>& file_lines) {
  const std::string& value = scalar.Scalar();
  const YAML::Mark mark = scalar.Mark();
  const std::size_t first = mark.is_null() ? 0 : static_cast<std::size_t>(mark.line);
  std::vector<Segment> out;
  std::size_t pos = 0;
  for (std::size_t r = first; r < file_lines.size() && pos < value.size(); ++r) {
    std::string_view raw = file_lines[r];
    if (r == first) raw = raw.substr(std::min(raw.size(), static_cast<std::size_t>(std::max(mark.column, 0))));
    const std::string line = trim(raw);
    if (line.empty()) continue;
    std::size_t p = pos;
    bool newline = false;
    for (; p < value.size() && std::isspace(static_cast<unsigned char>(value[p])); ++p) newline = newline || value[p] == '\n';
    if (value.compare(p, line.size(), line) == 0) {
      out.push_back({line, r + 1, newline && !out.empty()});
      pos = p + line.size();
    } else if (!(out.empty() && r == first)) {
      break;  // escapes or folding fitcheck does not follow: the rest goes on the last line found
    }
  }
  const std::string rest = pos < value.size() ? trim(std::string_view(value).substr(pos)) : "";
  if (!rest.empty()) out.push_back({rest, out.empty() ? first + 1 : out.back().line, false});
  return out;
}

std::vector<EnvVar> env_vars(FileContext& f, const YAML::Node& node) {
  std::vector<EnvVar> out;
  if (!node || node.IsNull()) return out;
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string value = kv.second.IsNull() ? "" : scalar_text(f.path, kv.second, "an environment value");
      out.push_back({scalar_text(f.path, kv.first, "an environment name"), value, line_of(kv.first)});
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (item.IsMap()) {  // Kubernetes: {name: X, value: Y} (valueFrom: not known here)
        out.push_back(
            {scalar_child(f.path, item, "name").value_or(""), scalar_child(f.path, item, "value").value_or(""), line_of(item)});
        continue;
      }
      const std::string entry = scalar_text(f.path, item, "an environment entry");
      const std::size_t eq = entry.find('=');
      out.push_back({entry.substr(0, eq), eq == std::string::npos ? "" : entry.substr(eq + 1), line_of(item)});
    }
  } else {
    fail_at(f.path, line_of(node), "environment expects a list or a mapping");
  }
  for (EnvVar& v : out) v.value = expand_parameters(v.value, f.vars).text;
  return out;
}

void read_container(FileContext& f, const Container& c) {
  std::vector<ConfigNote> warnings;
  Command cmd;
  try {
    cmd = command_text(f, c, warnings);
  } catch (const Error& e) {
    f.out.errors.push_back(Error::in_file(f.path, e.line(), c.name + ": " + e.reason()));
    return;
  }
  if (cmd.engine == Engine::other || cmd.engine == Engine::ollama) {
    f.skipped.push_back(c.name + (cmd.image == Engine::ollama ? " (Ollama: its models are pulled at run time, not named here)"
                                                              : " (runs no llama-server or vllm serve)"));
    return;
  }
  if (cmd.engine == Engine::llama_cpp) add_llama_env(cmd.text, c.env);
  // A llama.cpp image tagged with its build (ghcr.io/ggml-org/llama.cpp:server-cuda-b8724) runs that release.
  std::optional<RuntimeRelease> release;
  const std::string image = expand_parameters(c.image, f.vars).text;
  const std::optional<std::string> build = cmd.image == Engine::llama_cpp ? image_version(image, false) : std::nullopt;
  if (build) {
    try {
      release = stated_release(f.catalog, "llama.cpp", *build, "the image tag " + image);
    } catch (const Error& e) {
      f.out.errors.push_back(Error::in_file(f.path, c.image_line, c.name + ": " + e.reason()));
      return;
    }
  }
  const StatedRelease stated(release);
  const std::size_t before = f.out.deployments.size();
  const std::size_t errors_before = f.out.errors.size();
  read_relocated(f, cmd.text, c.name, c.line, [&](const std::string& text) {
    return cmd.engine == Engine::vllm ? read_vllm(f.catalog, f.path, text) : read_llama_command(f.catalog, f.path, text);
  });
  if (f.out.deployments.size() == before) {
    // A service over several GPUs is not modelled whatever it loads: that, when its model is not named here
    // (a --models-preset file that is not beside it), rather than the missing model.
    const std::size_t prefix = c.name.empty() ? 0 : c.name.size() + 2;  // read_relocated's "<name>: "
    if (c.gpus > 1 && f.out.errors.size() > errors_before && names_no_model(f.out.errors.back().reason().substr(prefix))) {
      const std::string gpus = std::to_string(c.gpus);
      f.out.errors.back() = Error::in_file(f.path, c.gpu_line,
                                           c.name + ": reserves " + gpus + " GPUs: a deployment over " + gpus +
                                               " GPUs (several GPUs are not modelled yet), which fitcheck does not model "
                                               "(and it names no model: give it with check --model)");
    }
    return;
  }
  Deployment& d = f.out.deployments.back();
  if (d.line == 0) d.line = c.line;
  d.warnings.insert(d.warnings.begin(), warnings.begin(), warnings.end());
  note_gpus(d, c.gpus, c.gpu_line, "reserves " + std::to_string(c.gpus) + " GPUs");
}

}  // namespace fitcheck::readers

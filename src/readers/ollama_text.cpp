// What people post about an Ollama deployment when it is not a Modelfile: `ollama run TAG`, an API request
// (`"model": "TAG", "options": {"num_ctx": N}`), or the server's log (`load request="{... KvSize:N ...
// GPULayers:N ...}"`). Each is read as the Modelfile it amounts to, its instructions on the lines they came
// from, so messages point at the original text.
#include <algorithm>
#include <cctype>

#include "readers/ollama_text.hpp"

namespace fitcheck::readers {
namespace {

bool tag_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' || c == '.' || c == '-'; }

// The library tag at `at` ("gemma4:26b-a4b-it-q8_0"), as far as tag characters go.
std::string tag_at(std::string_view line, std::size_t at) {
  std::size_t end = at;
  while (end < line.size() && tag_char(line[end])) ++end;
  return std::string(line.substr(at, end - at));
}

// The number after `key` up to the first non-digit ("KvSize:262144" -> "262144"), or "".
std::string number_after(std::string_view line, std::string_view key) {
  const std::size_t at = line.find(key);
  if (at == std::string_view::npos) return "";
  std::size_t b = at + key.size();
  while (b < line.size() && (line[b] == ' ' || line[b] == '"' || line[b] == ':')) ++b;
  std::size_t e = b;
  while (e < line.size() && std::isdigit(static_cast<unsigned char>(line[e]))) ++e;
  return std::string(line.substr(b, e - b));
}

struct Found {
  std::size_t line = 0;  // 0: not found
  std::string text;
};

void take(Found& f, std::size_t line, std::string text) {
  if (f.line == 0 && !text.empty()) f = {line, std::move(text)};
}

// "offloaded 42/43 layers to GPU" (the runner's log) -> "42" when not every layer was offloaded, else "".
std::string partial_offload(std::string_view line) {
  const std::size_t at = line.find("offloaded ");
  const std::size_t slash = at == std::string_view::npos ? at : line.find('/', at);
  if (slash == std::string_view::npos || line.find(" layers to GPU", slash) == std::string_view::npos) return "";
  const std::string done = number_after(line.substr(at), "offloaded ");
  const std::string all = number_after(line.substr(slash), "/");
  return done.empty() || done == all ? "" : done;
}

// The GPU IDs a load request's GPULayers lists: "GPULayers:55[ID:GPU-a Layers:24(5..28) ID:GPU-b Layers:18(29..46)]" -> 2.
std::uint64_t load_request_gpus(std::string_view line) {
  const std::size_t at = line.find("GPULayers:");
  const std::size_t open = at == std::string_view::npos ? at : line.find('[', at);
  const std::size_t close = open == std::string_view::npos ? open : line.find(']', open);
  if (close == std::string_view::npos) return 0;
  std::uint64_t ids = 0;
  const std::string_view list = line.substr(open, close - open);
  for (std::size_t id = list.find("ID:"); id != std::string_view::npos; id = list.find("ID:", id + 3)) {
    if (list[id - 1] == '[' || list[id - 1] == ' ') ++ids;
  }
  return ids;
}

// `ollama ps`'s table: the column of its CONTEXT header ("NAME  ID  SIZE  PROCESSOR  CONTEXT  UNTIL"), or npos.
std::size_t ps_context_column(std::string_view line) {
  const std::size_t at = line.find("CONTEXT");
  return line.rfind("NAME", 0) == 0 && line.find("PROCESSOR") != std::string_view::npos ? at : std::string_view::npos;
}

// A row of that table: the context the model was loaded with, the number under the header, or "".
std::string ps_context(std::string_view line, std::size_t column) {
  if (column == std::string_view::npos || column >= line.size() || line.empty() || !tag_char(line[0])) return "";
  std::size_t e = column;
  while (e < line.size() && std::isdigit(static_cast<unsigned char>(line[e]))) ++e;
  return std::string(line.substr(column, e - column));
}

}  // namespace

std::optional<OllamaText> ollama_as_modelfile(std::string_view text, const std::vector<std::string>& tag_prefixes) {
  Found tag, ctx, gpu_layers;
  OllamaText out;
  std::size_t number = 0, ps_column = std::string_view::npos;
  const std::vector<std::string_view> lines = split_lines(text);
  for (const std::string_view line : lines) {
    ++number;
    take(ctx, number, ps_context(line, ps_column));
    if (ps_context_column(line) != std::string_view::npos) ps_column = ps_context_column(line);
    for (const std::string& prefix : tag_prefixes) {
      const std::size_t at = line.find(prefix);
      if (at != std::string_view::npos && (at == 0 || !tag_char(line[at - 1]))) take(tag, number, tag_at(line, at));
    }
    take(ctx, number, number_after(line, "\"num_ctx\""));
    take(ctx, number, number_after(line, "KvSize:"));
    take(gpu_layers, number, number_after(line, "\"num_gpu\""));
    take(gpu_layers, number, number_after(line, "GPULayers:"));
    take(gpu_layers, number, partial_offload(line));
    const std::uint64_t gpus = load_request_gpus(line);
    if (gpus > out.gpus) {
      out.gpus = gpus;
      out.gpus_line = number;
    }
  }
  if (tag.line == 0 && ctx.line == 0 && gpu_layers.line == 0) return std::nullopt;
  // One instruction a line: a line that already holds one takes the next free line after the text's end.
  std::vector<std::string> modelfile(lines.size() + 3);
  auto put = [&](const Found& f, const std::string& instruction) {
    if (f.line == 0) return;
    std::size_t at = f.line - 1;
    while (!modelfile[at].empty()) at = at + 1 < modelfile.size() ? at + 1 : 0;
    modelfile[at] = instruction;
  };
  put(tag, "FROM " + tag.text);
  put(ctx, "PARAMETER num_ctx " + ctx.text);
  put(gpu_layers, "PARAMETER num_gpu " + gpu_layers.text);
  for (const std::string& l : modelfile) out.modelfile += l + "\n";
  out.names_model = tag.line != 0;
  return out;
}

std::optional<std::string> ollama_server_command(std::string_view text) {
  std::size_t number = 0;
  for (const std::string_view line : split_lines(text)) {
    ++number;
    const std::size_t cmd = line.find(" cmd=\"");
    if (line.find("starting llama-server") == std::string_view::npos || cmd == std::string_view::npos) continue;
    // The value as Go's log quotes it: \\ and \" escaped, which the shell-word reader undoes the same way.
    const std::size_t begin = cmd + 6;
    std::size_t end = begin;
    while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
    if (end >= line.size()) continue;
    const std::string_view command = line.substr(begin, end - begin);
    if (command.find("llama-server") == std::string_view::npos) continue;
    return std::string(number - 1, '\n') + std::string(command);
  }
  return std::nullopt;
}

bool is_ollama_env_file(std::string_view text) {
  bool ollama = false, any = false;
  for (std::string_view line : split_lines(text)) {
    line.remove_prefix(std::min(line.size(), line.find_first_not_of(" \t")));
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line.remove_prefix(7);
    const std::size_t eq = line.find('=');
    if (eq == 0 || eq == std::string_view::npos) return false;
    const std::string_view name = line.substr(0, eq);
    const bool identifier =
        std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) &&
        !std::isdigit(static_cast<unsigned char>(name[0]));
    if (!identifier) return false;
    any = true;
    ollama = ollama || name.rfind("OLLAMA_", 0) == 0;
  }
  return any && ollama;
}

std::optional<std::pair<std::size_t, std::string>> ollama_version(std::string_view text) {
  std::size_t number = 0;
  for (const std::string_view line : split_lines(text)) {
    ++number;
    for (const std::string_view key : {std::string_view("(version "), std::string_view(" version=")}) {
      const std::size_t at = line.find(key);
      if (at == std::string_view::npos) continue;
      std::size_t end = at + key.size();
      while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '.' || line[end] == '-'))
        ++end;
      const std::string version(line.substr(at + key.size(), end - at - key.size()));
      if (!version.empty() && std::isdigit(static_cast<unsigned char>(version[0]))) return std::pair{number, version};
    }
  }
  return std::nullopt;
}

}  // namespace fitcheck::readers

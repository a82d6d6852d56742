// What people post about an Ollama deployment when it is not a Modelfile: `ollama run TAG`, an API request
// (`"model": "TAG", "options": {"num_ctx": N}`), or the server's log (`load request="{... KvSize:N ...
// GPULayers:N ...}"`). Each is read as the Modelfile it amounts to, its instructions on the lines they came
// from, so messages point at the original text.
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

}  // namespace

std::optional<std::string> ollama_as_modelfile(std::string_view text, const std::vector<std::string>& tag_prefixes) {
  Found tag, ctx, gpu_layers, flash;
  std::size_t number = 0;
  const std::vector<std::string_view> lines = split_lines(text);
  for (const std::string_view line : lines) {
    ++number;
    for (const std::string& prefix : tag_prefixes) {
      const std::size_t at = line.find(prefix);
      if (at != std::string_view::npos && (at == 0 || !tag_char(line[at - 1]))) take(tag, number, tag_at(line, at));
    }
    take(ctx, number, number_after(line, "\"num_ctx\""));
    take(ctx, number, number_after(line, "KvSize:"));
    take(gpu_layers, number, number_after(line, "\"num_gpu\""));
    take(gpu_layers, number, number_after(line, "GPULayers:"));
    if (line.find("FlashAttention:Disabled") != std::string_view::npos) take(flash, number, "0");
  }
  if (tag.line == 0) return std::nullopt;
  // One instruction a line: a line that already holds one takes the next free line after the text's end.
  std::vector<std::string> out(lines.size() + 3);
  auto put = [&](const Found& f, const std::string& instruction) {
    if (f.line == 0) return;
    std::size_t at = f.line - 1;
    while (!out[at].empty()) at = at + 1 < out.size() ? at + 1 : 0;
    out[at] = instruction;
  };
  put(tag, "FROM " + tag.text);
  put(ctx, "PARAMETER num_ctx " + ctx.text);
  put(gpu_layers, "PARAMETER num_gpu " + gpu_layers.text);
  std::string modelfile;
  for (const std::string& l : out) modelfile += l + "\n";
  return modelfile;
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

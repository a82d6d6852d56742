// A llama.cpp load log (llama-server, llama-cli or a program linking llama.cpp) read as the options that
// produced it: the model file it loaded and the context, sequences, batch, flash attention, KV types and
// offload it reports. People post these in issues when a deployment fails; the command is often missing.
#include <cctype>

#include "readers/llama_log.hpp"

namespace fitcheck::readers {
namespace {

// The value after "<key> = " (or "<key>: "), up to the next space or comma: "n_ctx = 131072" -> "131072".
// `key` must stand alone: "n_ctx" does not match "n_ctx_seq".
std::string value_after(std::string_view line, std::string_view key) {
  for (std::size_t at = line.find(key); at != std::string_view::npos; at = line.find(key, at + 1)) {
    const std::size_t end = at + key.size();
    const bool starts = at == 0 || !(std::isalnum(static_cast<unsigned char>(line[at - 1])) || line[at - 1] == '_');
    if (!starts || end >= line.size() || (line[end] != ' ' && line[end] != '=')) continue;
    std::size_t v = line.find_first_not_of(" ", end);
    if (v == std::string_view::npos || line[v] != '=') continue;
    v = line.find_first_not_of(" '", v + 1);
    if (v == std::string_view::npos) return "";
    const std::size_t stop = line.find_first_of(" ,'\r", v);
    return std::string(line.substr(v, stop == std::string_view::npos ? std::string_view::npos : stop - v));
  }
  return "";
}

// The text between `open` (after `marker`) and `close` on the line: the path in "loading model 'PATH'".
std::string quoted_after(std::string_view line, std::string_view marker, char open, std::string_view close) {
  const std::size_t m = line.find(marker);
  if (m == std::string_view::npos) return "";
  const std::size_t b = line.find(open, m + marker.size());
  if (b == std::string_view::npos) return "";
  const std::size_t e = line.find(close, b + 1);
  return e == std::string_view::npos ? "" : std::string(line.substr(b + 1, e - b - 1));
}

// "offloaded 40/41 layers to GPU" -> "40" when not every layer was offloaded.
std::string partial_offload(std::string_view line) {
  const std::size_t at = line.find("offloaded ");
  const std::size_t slash = at == std::string_view::npos ? at : line.find('/', at);
  if (slash == std::string_view::npos || line.find("layers to GPU", slash) == std::string_view::npos) return "";
  const std::string done(line.substr(at + 10, slash - at - 10));
  const std::size_t end = line.find(' ', slash);
  const std::string all(line.substr(slash + 1, end == std::string_view::npos ? std::string_view::npos : end - slash - 1));
  return done == all ? "" : done;
}

struct LogKey {
  const char* key;
  const char* option;
};
// The llama_context / llama_kv_cache lines and the options they stand for.
constexpr LogKey k_log_keys[] = {{"n_ctx", "-c"},       {"n_seq_max", "-np"}, {"n_batch", "-b"}, {"n_ubatch", "-ub"},
                                 {"flash_attn", "-fa"}, {"type_k", "-ctk"},   {"type_v", "-ctv"}};

void add(std::vector<Word>& words, const std::string& option, const std::string& value, std::size_t line) {
  words.push_back({option, line, false});
  words.push_back({value, line, false});
}

}  // namespace

bool is_llama_log(std::string_view text) {
  for (const char* marker :
       {"llama_model_loader: loaded meta data", "llama_context: n_ctx", "load_model: loading model", "print_info: file type"}) {
    if (text.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<Word> log_words(std::string_view text) {
  std::vector<Word> words;
  std::vector<bool> seen(std::size(k_log_keys), false);
  bool kv_unified_seen = false;
  bool model = false;
  std::size_t number = 0;
  for (const std::string_view line : split_lines(text)) {
    ++number;
    std::string path = quoted_after(line, "loading model", '\'', "'");
    if (path.empty()) path = quoted_after(line, "tensors from", ' ', " (version");
    if (!path.empty() && !model) {
      add(words, "-m", path, number);
      model = true;
    }
    if (const std::string ngl = partial_offload(line); !ngl.empty()) add(words, "-ngl", ngl, number);
    for (std::size_t k = 0; k < std::size(k_log_keys); ++k) {
      const std::string value = seen[k] ? "" : value_after(line, k_log_keys[k].key);
      if (value.empty()) continue;
      seen[k] = true;
      add(words, k_log_keys[k].option, value == "enabled" ? "on" : value == "disabled" ? "off" : value, number);
    }
    const std::string unified = kv_unified_seen ? "" : value_after(line, "kv_unified");
    if (!unified.empty()) {
      words.push_back({"--kv-unified=" + unified, number, false});
      kv_unified_seen = true;
    }
  }
  return words;
}

std::optional<std::string> log_build(std::string_view text) {
  for (const std::string_view line : split_lines(text)) {
    for (const std::string_view key : {std::string_view("version: "), std::string_view("build: ")}) {
      const std::size_t at = line.find(key);
      if (at == std::string_view::npos || (at > 0 && line[at - 1] != ' ' && line[at - 1] != ']')) continue;
      std::size_t end = at + key.size();
      while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
      if (end > at + key.size() && end < line.size() && line[end] == ' ')
        return std::string(line.substr(at + key.size(), end - at - key.size()));
    }
  }
  return std::nullopt;
}

}  // namespace fitcheck::readers

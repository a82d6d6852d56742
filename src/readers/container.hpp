#pragma once
// The command a container, a pod or a model proxy runs, rebuilt as text for the llama.cpp and vLLM readers.
// Each piece goes on its own line of that text with the line of the file it came from, so the deployment's
// notes and errors point into the file (compose, Kubernetes, Helm values, llama-swap).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fitcheck/names.hpp"
#include "readers/readers.hpp"
#include "readers/shell_vars.hpp"
#include "readers/yaml_doc.hpp"

namespace fitcheck::readers {

class CommandText {
 public:
  // One argument as the program receives it (a list item): quoted, so the readers see one word.
  void add_word(const std::string& word, std::size_t file_line);
  // Shell text as written (a `command:` string, a script line); `newline` starts a new shell line rather
  // than continuing the one before.
  void add_text(const std::string& text, std::size_t file_line, bool newline = false);
  bool empty() const { return m_lines.empty(); }
  const std::string& text() const { return m_text; }
  // The file's line for a line of the text (0 stays 0).
  std::size_t file_line(std::size_t text_line) const;
  // The deployment's lines, read from the text, moved to the file's.
  void relocate(Deployment& d) const;

 private:
  void add_piece(const std::string& piece, std::size_t file_line, bool newline);
  std::string m_text;
  std::vector<std::size_t> m_lines;  // text line i + 1 -> file line
};

// A multi-line scalar's text, split where its lines are in the file (the first piece on the node's line).
struct Segment {
  std::string text;
  std::size_t line = 0;
  bool newline = false;  // a real newline comes before it (a literal block), not a folded one
};
std::vector<Segment> scalar_segments(const YAML::Node& scalar, const std::vector<std::string_view>& file_lines);

struct EnvVar {
  std::string name;
  std::string value;
  std::size_t line = 0;
};

// What one container runs: a compose service, a Kubernetes container, a llama-swap model.
struct Container {
  std::string name;
  std::size_t line = 0;  // where it is named
  std::string image;
  std::size_t image_line = 0;
  YAML::Node entrypoint;  // a string or a list; undefined: the image's
  YAML::Node command;     // the same (compose `command`, Kubernetes `args`)
  std::vector<EnvVar> env;
  std::uint64_t gpus = 0;  // reserved GPUs; 0 when not stated
  std::size_t gpu_line = 0;
  std::vector<std::pair<std::string, std::size_t>> leading;  // arguments the file implies first (KServe's model)
  bool llama_default = false;  // a command that names no server is llama-server's options (llama-swap)
};

// One file being read: where parameters come from and where results go.
struct FileContext {
  const Catalog& catalog;
  const std::string& path;
  std::vector<std::string_view> lines;
  VarLookup vars;  // the file's parameters (${VAR:-default} takes the default when this has none)
  ReadResult& out;
  std::vector<std::string> skipped;  // containers that run no llama.cpp or vLLM server, with why
};

// The release an image's tag names: llama.cpp's build ("ghcr.io/ggml-org/llama.cpp:server-cuda-b8724" -> "b8724"),
// or with `semver` Ollama's ("ollama/ollama:0.20.2-rocm" -> "0.20.2"); nullopt for a tag without one ("server", "latest").
std::optional<std::string> image_version(const std::string& image, bool semver);
// A llama.cpp image as `docker run` names it, with its tag ("ghcr.io/ggml-org/llama.cpp:server-cuda", a local
// build "llamacpp-intel:0.1.1-b10728"): its entrypoint runs llama-server (llama.cpp .devops/*.Dockerfile).
bool is_llama_cpp_image(const std::string& word);
// Reads a container as a deployment (or an error) into f.out; one that runs something else is skipped.
void read_container(FileContext& f, const Container& c);
// The unmodelled note of a deployment on several GPUs (a reservation, tensor parallelism).
void note_gpus(Deployment& d, std::uint64_t gpus, std::size_t line, const std::string& how);
// The environment of a compose service or a Kubernetes container: a list of NAME=VALUE strings or
// {name, value} maps, or a mapping.
std::vector<EnvVar> env_vars(FileContext& f, const YAML::Node& node);
// Runs `read` (a format reader over the text) for a deployment called `name`, its lines moved to the file's;
// an error goes to f.out.errors at the file's line (`line`, where the deployment is named, when it has none).
template <class Read>
void read_relocated(FileContext& f, const CommandText& text, const std::string& name, std::size_t line, Read read) {
  try {
    Deployment d = read(text.text());
    text.relocate(d);
    d.name = name;
    f.out.deployments.push_back(std::move(d));
  } catch (const Error& e) {
    if (e.file() != f.path) throw;
    if (names_other_family(e.reason())) {  // a llama-swap or compose file serving other models too
      f.skipped.push_back((name.empty() ? "" : name + ": ") + e.reason());
      return;
    }
    const std::size_t at = e.line() ? text.file_line(e.line()) : line;
    f.out.errors.push_back(Error::in_file(f.path, at, (name.empty() ? "" : name + ": ") + e.reason()));
  }
}

}  // namespace fitcheck::readers

#pragma once
// Deployment configs in, fitcheck::Deployment out: fitcheck's own JSON, a llama-server / llama-cli
// command line, an Ollama Modelfile with its environment, a vLLM config or command line.
// The untrusted-input boundary: every problem is Error(Errc::data) "<file>:<line>: <what> (expected ...)".
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fitcheck/catalog.hpp"
#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/names.hpp"
#include "readers/config_text.hpp"

namespace fitcheck::readers {

struct ReadOptions {
  std::optional<ConfigFormat> format;     // --format; absent: recognized by content
  std::vector<Entry> env;                 // Ollama's environment settings
  std::string env_source;                 // where they came from, for the notes
  bool read_model_files = false;          // a -m GGUF that exists (as written, or beside the config) is read for its header
  std::optional<std::string> model;       // check --model: for configs that name no model, or a name that does not tell
  std::optional<std::string> target_gpu;  // check --gpu's profile id: picks a vLLM recipe's hardware override
  std::vector<RuntimeRelease> runtimes;   // check --runtime: the releases of configs that state none
};

// While read_deployments runs: check --model's name, or nullopt.
const std::optional<std::string>& model_hint();
// While read_deployments runs: check --gpu's profile id, or nullopt.
const std::optional<std::string>& target_gpu_hint();

// The release of `runtime` ("llama.cpp", "ollama") a deployment runs: the one its config states (`stated`, or
// a StatedRelease in scope), else check --runtime's (`chosen`, or read_deployments' options), else the newest
// fitcheck knows.
RuntimeRelease deployment_release(const Catalog& catalog, std::string_view runtime,
                                  const std::optional<RuntimeRelease>& stated = std::nullopt,
                                  const std::vector<RuntimeRelease>& chosen = {});
// While alive: the release a config states around a command (a container's image tag).
class StatedRelease {
 public:
  explicit StatedRelease(std::optional<RuntimeRelease> release);
  ~StatedRelease();
  StatedRelease(const StatedRelease&) = delete;
  StatedRelease& operator=(const StatedRelease&) = delete;

 private:
  std::optional<RuntimeRelease> m_before;
};
// The note saying which release's defaults a deployment got: "llama.cpp b10573's defaults (the newest
// fitcheck knows): <applied>".
void note_release(Deployment& d, const RuntimeRelease& release, const std::string& applied);

// While read_deployments runs with read_model_files: the model file a config names, found and read, or null
// (the readers then go by its name). Throws Error(Errc::data) for a file that exists and is not a usable GGUF.
struct ModelFileRead {
  const Model* model = nullptr;
  std::shared_ptr<const WeightPlan> weights;
};
std::optional<ModelFileRead> read_model_file(const Catalog& catalog, const std::string& model_path);

// "fitcheck", "llama.cpp" (or "llama-cpp"), "ollama", "vllm"; nullopt otherwise.
std::optional<ConfigFormat> parse_format(std::string_view name);
ConfigFormat detect_format(const std::string& path, std::string_view text);

// What a file holds: its deployments, and the errors of those it names but that cannot be read (a compose
// file with a broken service still yields the others).
struct ReadResult {
  std::vector<Deployment> deployments;
  std::vector<Error> errors;
};
// Every deployment of a file: one for a command line, a Modelfile or a vLLM config; one per server for
// the files around them (docker compose services, Kubernetes containers, KServe predictors, the vLLM
// production stack's Helm values, llama-swap models). Throws Error(Errc::data) when the file as a whole
// cannot be read or names no server.
ReadResult read_deployments(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options);

// The format readers (read_deployment picks one).
Deployment read_fitcheck_json(const Catalog& catalog, const std::string& path, std::string_view text);
Deployment read_llama_command(const Catalog& catalog, const std::string& path, std::string_view text);
Deployment read_modelfile(const Catalog& catalog, const std::string& path, std::string_view text, const ReadOptions& options);
Deployment read_vllm(const Catalog& catalog, const std::string& path, std::string_view text);

// Shared by the readers.
// Runs `f`, turning a fitcheck::Error that names no file into a data error at path:line.
template <class F>
auto at_line(const std::string& path, std::size_t line, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.file().empty()) throw;
    fail_at(path, line, e.what());
  }
}
// `match(name)` for the model name a config gives; where it does not tell the model (model.gguf, ${MODEL_PATH})
// and check --model gives one, `match` of that, with a note.
template <class Match>
ModelMatch match_or_hint(Deployment& d, std::size_t line, const std::string& name, Match match) {
  try {
    return at_line(d.path, line, [&] { return match(name); });
  } catch (const Error& e) {
    if (!model_hint() || e.code() != Errc::data || names_other_family(e.reason())) throw;
  }
  d.notes.push_back({line, "'" + name + "' does not tell the model: --model's " + *model_hint() + " is used"});
  d.model_text = *model_hint();
  return at_line(d.path, line, [&] { return match(*model_hint()); });
}
// A config that names no model: check --model's, matched by `match`, with a note; false without --model.
template <class Match>
bool model_from_hint(Deployment& d, Match match) {
  if (d.model || !model_hint()) return false;
  const ModelMatch m = at_line(d.path, 0, [&] { return match(*model_hint()); });
  d.model = m.model;
  d.preset = m.preset;
  d.model_text = *model_hint();
  d.notes.push_back({0, "the config names no model: --model's " + *model_hint() + " is used"});
  return true;
}
// A count option's value, or an error naming the option and what it expects.
std::uint64_t count_value(const std::string& path, const Word& option, const std::string& value, const char* expected);
// The same, for a value that must be positive: "<option> 0 (expected <expected>)" on a zero.
std::uint64_t positive_count(const std::string& path, const Word& option, const std::string& value, const char* expected);
// Whether `name` is one of a reader's fixed lists of names.
template <std::size_t N>
bool listed(const char* const (&list)[N], const std::string& name) {
  return std::any_of(std::begin(list), std::end(list), [&](const char* item) { return name == item; });
}
// The names of two such lists, in order (what a reader models, then what it knows to be harmless).
template <std::size_t N, std::size_t M>
std::vector<std::string> both(const char* const (&first)[N], const char* const (&second)[M]) {
  std::vector<std::string> names(std::begin(first), std::end(first));
  names.insert(names.end(), std::begin(second), std::end(second));
  return names;
}
// At most this many notes, warnings and unmodelled options of a deployment are shown; the rest are counted.
inline constexpr std::size_t k_max_notes = 50;
// The warning for something a reader does not know: "<what> (ignored; did you mean '<guess>'?)" with the
// closest of `known` (as the file would write it), or "<what> (ignored)".
ConfigNote ignored(std::size_t line, const std::string& what, const std::string& name, const std::vector<std::string>& known);
// Adds that warning to the deployment; `known()` gives the names. Past k_max_notes warnings, which are
// counted but not shown, no guess is computed: a file of many unknown names stays linear to read.
template <class Known>
void warn_unknown(Deployment& d, std::size_t line, const std::string& what, const std::string& name, Known known) {
  if (d.warnings.size() >= k_max_notes)
    d.warnings.push_back({line, what + " (ignored)"});
  else
    d.warnings.push_back(ignored(line, what, name, known()));
}
// Checks what every deployment needs (a model; a context within the model's maximum). A deployment without
// a model is the error "no model named (...)": names_no_model tells it from the others.
void finish_deployment(Deployment& d);
bool names_no_model(const std::string& reason);

}  // namespace fitcheck::readers

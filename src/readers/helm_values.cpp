// The vLLM production stack's Helm values (github.com/vllm-project/production-stack, helm/values.yaml):
// servingEngineSpec.modelSpec[] each runs `vllm serve modelURL` with its vllmConfig as options.
#include <cctype>

#include "fitcheck/units.hpp"
#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

// maxModelLen -> --max-model-len (the chart's templates spell each vllmConfig key this way).
std::string option_of(const std::string& key) {
  std::string out = "--";
  for (const char c : key) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      out += '-';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

void add_config(FileContext& f, CommandText& t, const YAML::Node& config) {
  if (!config.IsMap()) return;
  for (const auto& kv : config) {
    const std::string key = scalar_text(f.path, kv.first, "a vllmConfig key");
    const std::size_t line = line_of(kv.first);
    if (key == "extraArgs") {
      if (!kv.second.IsSequence()) fail_at(f.path, line, "extraArgs expects a list of arguments");
      for (const YAML::Node& arg : kv.second) t.add_word(scalar_text(f.path, arg, "an extra argument"), line_of(arg));
      continue;
    }
    if (!kv.second.IsScalar()) continue;  // a structure vLLM takes as JSON; nothing fitcheck reads
    const std::string value = kv.second.Scalar();
    const std::optional<bool> flag = parse_switch(value);
    if (flag && key.rfind("enable", 0) == 0) {
      if (*flag) t.add_word(option_of(key), line);
      continue;
    }
    t.add_word(option_of(key), line);
    t.add_word(value, line);
  }
}

void read_model_spec(FileContext& f, const YAML::Node& spec) {
  const std::string name = scalar_child(f.path, spec, "name").value_or("model");
  const std::optional<std::string> url = scalar_child(f.path, spec, "modelURL");
  if (!url) fail_at(f.path, line_of(spec), "no modelURL (expected the model vLLM serves)");
  CommandText t;
  t.add_text("vllm serve", line_of(spec));
  t.add_word(*url, line_of(child(spec, "modelURL")));
  add_config(f, t, child(spec, "vllmConfig"));
  const std::size_t before = f.out.deployments.size();
  read_relocated(f, t, name, line_of(spec), [&](const std::string& text) { return read_vllm(f.catalog, f.path, text); });
  const std::optional<std::string> gpus = scalar_child(f.path, spec, "requestGPU");
  if (f.out.deployments.size() == before || !gpus) return;
  const std::optional<std::uint64_t> n = parse_count(*gpus);
  if (!n) fail_at(f.path, line_of(child(spec, "requestGPU")), "requestGPU expects a number of GPUs, got '" + *gpus + "'");
  note_gpus(f.out.deployments.back(), *n, line_of(child(spec, "requestGPU")), "requestGPU " + *gpus);
}

}  // namespace

void read_helm_vllm(FileContext& f, const YAML::Node& root) {
  const YAML::Node specs = child(child(root, "servingEngineSpec"), "modelSpec");
  if (!specs.IsSequence()) fail_at(f.path, line_of(specs), "servingEngineSpec.modelSpec expects a list of models");
  for (const YAML::Node& spec : specs) {
    read_part(f, scalar_child(f.path, spec, "name").value_or("model"), [&] { read_model_spec(f, spec); });
  }
}

}  // namespace fitcheck::readers

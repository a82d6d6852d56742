// Kubernetes manifests: the containers of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or
// CronJob, and KServe InferenceService predictors; one deployment per container that runs a server.
#include "fitcheck/units.hpp"
#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

const char* const k_workloads[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"};
// Extended resources that count GPUs (NVIDIA's and AMD's device plugins).
const char* const k_gpu_resources[] = {"nvidia.com/gpu", "amd.com/gpu"};

YAML::Node pod_spec(const std::string& kind, const YAML::Node& doc) {
  const YAML::Node spec = child(doc, "spec");
  if (kind == "Pod") return spec;
  if (kind == "CronJob") return child(child(child(child(spec, "jobTemplate"), "spec"), "template"), "spec");
  return child(child(spec, "template"), "spec");
}

void read_gpus(FileContext& f, const YAML::Node& resources, Container& c) {
  for (const char* section : {"limits", "requests"}) {
    for (const char* name : k_gpu_resources) {
      const YAML::Node n = child(child(resources, section), name);
      if (!n) continue;
      const std::string text = scalar_text(f.path, n, name);
      const std::optional<std::uint64_t> count = parse_count(text);
      if (!count) fail_at(f.path, line_of(n), std::string(name) + " expects a number of GPUs, got '" + text + "'");
      c.gpus = *count;
      c.gpu_line = line_of(n);
      return;
    }
  }
}

// A container: `command` replaces the image's entrypoint, `args` its arguments.
Container container(FileContext& f, const std::string& owner, const YAML::Node& node) {
  Container c;
  c.name = owner + "/" + scalar_child(f.path, node, "name").value_or("container");
  c.line = line_of(node);
  c.image = scalar_child(f.path, node, "image").value_or("");
  c.image_line = line_of(child(node, "image"));
  c.entrypoint = child(node, "command");
  c.command = child(node, "args");
  c.env = env_vars(f, child(node, "env"));
  read_gpus(f, child(node, "resources"), c);
  return c;
}

void read_containers(FileContext& f, const std::string& owner, const YAML::Node& containers) {
  if (!containers.IsSequence()) return;
  for (const YAML::Node& node : containers) {
    read_part(f, owner, [&] { read_container(f, container(f, owner, node)); });
  }
}

// KServe: predictor containers, or a predictor `model` served by the Hugging Face runtime, whose text
// generation backend is vLLM (KServe docs, "Hugging Face LLM Serving Runtime"): storageUri hf://ORG/REPO or
// --model_id name the model, the other args are vLLM's.
void read_kserve(FileContext& f, const std::string& owner, const YAML::Node& doc) {
  const YAML::Node predictor = child(child(doc, "spec"), "predictor");
  read_containers(f, owner, child(predictor, "containers"));
  const YAML::Node model = child(predictor, "model");
  if (!model.IsMap()) return;
  read_part(f, owner, [&] {
    Container c = container(f, owner, model);
    c.name = owner;
    if (c.image.empty()) {
      c.image = "vllm";  // the runtime's backend
      c.image_line = line_of(child(child(model, "modelFormat"), "name"));
    }
    const std::optional<std::string> uri = scalar_child(f.path, model, "storageUri");
    if (uri && uri->rfind("hf://", 0) == 0) c.leading.push_back({uri->substr(5), line_of(child(model, "storageUri"))});
    read_container(f, c);
  });
}

}  // namespace

void read_kubernetes(FileContext& f, const YAML::Node& doc) {
  if (!doc.IsMap()) return;  // an empty document between ---
  const std::string kind = scalar_child(f.path, doc, "kind").value_or("");
  const std::string owner = kind + "/" + scalar_child(f.path, child(doc, "metadata"), "name").value_or("");
  if (kind == "InferenceService") return read_kserve(f, owner, doc);
  if (kind != "Pod" && kind != "CronJob" && !listed(k_workloads, kind)) return;  // a Service, a ConfigMap ...
  const YAML::Node spec = pod_spec(kind, doc);
  read_containers(f, owner, child(spec, "containers"));
}

}  // namespace fitcheck::readers

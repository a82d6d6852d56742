// docker compose: one deployment per service that runs llama-server or vllm serve.
#include <algorithm>

#include "fitcheck/units.hpp"
#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

// GPUs a device list names: device_ids (each may list several, "0,1"), or count (a number, or "all").
std::uint64_t device_gpus(FileContext& f, const YAML::Node& device) {
  const YAML::Node ids = child(device, "device_ids");
  if (ids.IsSequence()) {
    std::uint64_t n = 0;
    for (const YAML::Node& id : ids) {
      const std::string text = expand_parameters(scalar_text(f.path, id, "device_ids"), f.vars).text;
      n += 1 + static_cast<std::uint64_t>(std::count(text.begin(), text.end(), ','));
    }
    return n;
  }
  const std::optional<std::string> count = scalar_child(f.path, device, "count");
  if (!count) return 0;
  const std::optional<std::uint64_t> n = parse_count(expand_parameters(*count, f.vars).text);
  return n.value_or(0);  // "all": as many as the host has; fitcheck checks one
}

void read_gpus(FileContext& f, const YAML::Node& service, Container& c) {
  const YAML::Node devices = child(child(child(child(service, "deploy"), "resources"), "reservations"), "devices");
  YAML::Node list = devices.IsSequence() ? devices : child(service, "gpus");
  if (!list.IsSequence()) return;
  for (const YAML::Node& device : list) {
    if (!device.IsMap()) continue;
    c.gpus += device_gpus(f, device);
    c.gpu_line = line_of(device);
  }
}

}  // namespace

void read_compose(FileContext& f, const YAML::Node& root) {
  const YAML::Node services = child(root, "services");
  if (!services.IsMap()) fail_at(f.path, line_of(services), "services expects a mapping of service names to services");
  for (const auto& kv : services) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "service";
    read_part(f, name, [&] {
      const YAML::Node& s = kv.second;
      if (!s.IsMap()) fail_at(f.path, line_of(kv.first), "a service expects a mapping (image, command, ...)");
      Container c;
      c.name = name;
      c.line = line_of(kv.first);
      c.image = scalar_child(f.path, s, "image").value_or("");
      c.image_line = line_of(child(s, "image"));
      c.entrypoint = child(s, "entrypoint");
      c.command = child(s, "command");
      c.env = env_vars(f, child(s, "environment"));
      read_gpus(f, s, c);
      read_container(f, c);
    });
  }
}

}  // namespace fitcheck::readers

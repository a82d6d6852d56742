// llama-swap's config.yaml (github.com/mostlygeek/llama-swap, config.example.yaml): models.<name>.cmd,
// with ${macro} from `macros` and llama-swap's own ${PORT} and ${MODEL_ID}; a file of model entries
// alone (a `models:` excerpt) reads the same.
#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

// The port does not change memory: any value reads the same.
constexpr const char* k_port = "5800";

}  // namespace

void read_llama_swap(FileContext& f, const YAML::Node& root) {
  std::vector<std::pair<std::string, std::string>> macros;
  const YAML::Node macro_node = child(root, "macros");
  if (macro_node.IsMap()) {
    for (const auto& kv : macro_node) {
      std::string value = scalar_text(f.path, kv.second, "a macro");
      for (char& c : value) c = c == '\n' ? ' ' : c;
      macros.emplace_back(scalar_text(f.path, kv.first, "a macro name"), value);
    }
  }
  const YAML::Node models = child(root, "models").IsMap() ? child(root, "models") : root;
  if (!models.IsMap()) fail_at(f.path, line_of(models), "models expects a mapping of model names to {cmd: ...}");
  const VarLookup file_vars = f.vars;
  for (const auto& kv : models) {
    if (!kv.first.IsScalar() || !child(kv.second, "cmd")) continue;  // another top-level key (macros, groups ...)
    const std::string name = kv.first.Scalar();
    const std::vector<std::pair<std::string, std::string>> own = {{"PORT", k_port}, {"MODEL_ID", name}};
    std::vector<std::pair<std::string, std::string>> vars = own;
    for (const auto& [macro, value] : macros) vars.emplace_back(macro, expand_parameters(value, lookup_in(own)).text);
    f.vars = lookup_in(vars, file_vars);
    read_part(f, name, [&] {
      Container c;
      c.name = name;
      c.line = line_of(kv.first);
      c.command = child(kv.second, "cmd");
      c.env = env_vars(f, child(kv.second, "env"));
      c.llama_default = true;
      read_container(f, c);
    });
  }
  f.vars = file_vars;
}

}  // namespace fitcheck::readers

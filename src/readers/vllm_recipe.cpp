// vLLM's recipes (github.com/vllm-project/recipes, models/<org>/<model>.yaml): `model` names the checkpoint
// and its `base_args`; each of `variants` is a deployment (its own `model_id` or the model's, its `extra_args`)
// and may override its arguments per hardware (`hardware_overrides.<key>.extra_args`). The override whose key
// names check --gpu's profile ("rtx_5090" for rtx5090-32g) is applied; the others are listed in a note.
#include <algorithm>
#include <cctype>

#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

// Letters and digits, lower case: "rtx_5090" -> "rtx5090"; a profile id without its size ("rtx5090-32g" -> "rtx5090").
std::string hardware_key(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string profile_key(const std::string& id) { return hardware_key(std::string_view(id).substr(0, id.rfind('-'))); }

// A list of arguments (`base_args`, `extra_args`), each a word of the command on its own line.
void add_args(FileContext& f, CommandText& text, const YAML::Node& list, const char* what) {
  if (!list || list.IsNull()) return;
  if (!list.IsSequence()) fail_at(f.path, line_of(list), std::string(what) + " expects a list of arguments");
  for (const YAML::Node& item : list) text.add_word(scalar_text(f.path, item, "an argument"), line_of(item));
}

}  // namespace

void read_vllm_recipe(FileContext& f, const YAML::Node& root) {
  const YAML::Node model = child(root, "model");
  const YAML::Node variants = child(root, "variants");
  if (!model.IsMap() || !variants.IsMap())
    fail_at(f.path, line_of(root), "a vLLM recipe expects `model:` and `variants:` mappings (vllm-project/recipes)");
  const std::optional<std::string> base_id = scalar_child(f.path, model, "model_id");
  const std::optional<std::string> target = target_gpu_hint();
  for (const auto& kv : variants) {
    const std::string name = "variant " + scalar_text(f.path, kv.first, "a variant name");
    const YAML::Node& variant = kv.second;
    read_part(f, name, [&] {
      const std::optional<std::string> id = scalar_child(f.path, variant, "model_id");
      const YAML::Node id_node = child(variant, "model_id") ? child(variant, "model_id") : child(model, "model_id");
      if (!id && !base_id) fail_at(f.path, line_of(kv.first), "no model_id (expected one in `model:` or the variant)");
      CommandText text;
      text.add_text("vllm serve", line_of(kv.first));
      text.add_word(id ? *id : *base_id, line_of(id_node));
      add_args(f, text, child(model, "base_args"), "base_args");
      add_args(f, text, child(variant, "extra_args"), "extra_args");
      std::string applied, others;
      const YAML::Node overrides = child(variant, "hardware_overrides");
      if (overrides.IsMap()) {
        for (const auto& hw : overrides) {
          const std::string key = scalar_text(f.path, hw.first, "a hardware name");
          if (target && applied.empty() && hardware_key(key) == profile_key(*target)) {
            applied = key;
            add_args(f, text, child(hw.second, "extra_args"), "extra_args");
          } else {
            others += (others.empty() ? "" : ", ") + key;
          }
        }
      }
      const std::size_t before = f.out.deployments.size();
      read_relocated(f, text, name, line_of(kv.first), [&](const std::string& t) { return read_vllm(f.catalog, f.path, t); });
      if (f.out.deployments.size() == before) return;
      Deployment& d = f.out.deployments.back();
      if (!applied.empty()) d.notes.push_back({line_of(kv.first), "the recipe's hardware_overrides for " + applied + " applied"});
      if (!others.empty())
        d.notes.push_back(
            {line_of(kv.first), "hardware_overrides for " + others + " not applied (check with --gpu of one of them)"});
    });
  }
}

}  // namespace fitcheck::readers

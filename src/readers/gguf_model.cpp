// What a GGUF file is (a catalog model, its drafter, a projector), from its metadata; split files as one model.
// Metadata keys as llama.cpp's converter writes them for Gemma 4: ggml-org/llama.cpp conversion/gemma.py
// (commit 061b8c5f91885f2779d23198a091777df47c3f6f), Gemma4Model.set_gguf_parameters, Gemma4AssistantModel
// (nextn_predict_layers) and Gemma4VisionAudioModel (the "clip" mmproj); split files: tools/gguf-split.
#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"
#include "readers/gguf.hpp"

namespace fitcheck::readers {
namespace {

constexpr std::uint64_t k_max_parts = 256;

// A hyperparameter "<arch>.<key>" and the catalog model's value of it.
struct Hyperparameter {
  const char* key;
  std::uint64_t (*of)(const Model&);
};
// Which model a file is: these three, always in a Gemma 4 GGUF (expert_count only in a mixture of experts).
constexpr Hyperparameter k_identity[] = {
    {"block_count", [](const Model& m) { return m.num_layers(); }},
    {"embedding_length", [](const Model& m) { return m.hidden_size; }},
    {"expert_count", [](const Model& m) { return m.is_moe() ? m.expert_count : 0; }},
};
// The rest must agree with the catalog's model, when the file has them.
constexpr Hyperparameter k_agreement[] = {
    {"attention.head_count", [](const Model& m) { return m.num_heads; }},
    {"attention.sliding_window", [](const Model& m) { return m.sliding_window; }},
    {"attention.shared_kv_layers", [](const Model& m) { return m.kv_shared_layers; }},
    {"embedding_length_per_layer_input", [](const Model& m) { return m.per_layer_embedding_dim; }},
    {"expert_used_count", [](const Model& m) { return m.is_moe() ? m.experts_active : 0; }},
    {"expert_feed_forward_length", [](const Model& m) { return m.is_moe() ? m.expert_intermediate_size : 0; }},
};

[[noreturn]] void fail(const std::string& path, const GgufValue* at, const std::string& what) {
  throw Error::in_file(path, 0, (at ? "byte " + std::to_string(at->offset) + ": " : std::string()) + what);
}

// A whole-number hyperparameter; `missing` when the file lacks it.
std::uint64_t number(const std::string& path, const GgufHeader& h, const std::string& key, std::uint64_t missing) {
  const GgufValue* v = h.find(key);
  if (!v) return missing;
  if (!v->integral || v->type == GgufType::array) fail(path, v, key + " is not a whole number (expected one)");
  return v->integer;
}

bool flag(const GgufHeader& h, const std::string& key) {
  const GgufValue* v = h.find(key);
  return v && v->integral && v->integer != 0;
}

std::string identity_of(const Model& m, const std::string& arch) {
  std::string out = m.id + " (";
  for (const Hyperparameter& p : k_identity)
    out += (out.back() == '(' ? "" : ", ") + arch + "." + p.key + " " + std::to_string(p.of(m));
  return out + ")";
}

const Model& match_model(const Catalog& catalog, const std::string& path, const GgufHeader& h, const std::string& arch) {
  std::vector<std::uint64_t> values;
  for (const Hyperparameter& p : k_identity) values.push_back(number(path, h, arch + "." + p.key, 0));
  std::string known;
  for (const Model& m : catalog.models) {
    if (m.architecture_id != arch) continue;
    known += (known.empty() ? "" : "; ") + identity_of(m, arch);
    bool same = true;
    for (std::size_t i = 0; i < values.size(); ++i) same = same && k_identity[i].of(m) == values[i];
    if (same) return m;
  }
  std::string given;
  for (std::size_t i = 0; i < values.size(); ++i)
    given += (i ? ", " : "") + arch + "." + k_identity[i].key + " " + std::to_string(values[i]);
  fail(path, nullptr, "a " + arch + " model with " + given + ", which is none of the catalog's (expected " + known + ")");
}

void check_agreement(const std::string& path, const GgufHeader& h, const std::string& arch, const Model& m) {
  for (const Hyperparameter& p : k_agreement) {
    const std::string key = arch + "." + p.key;
    const GgufValue* v = h.find(key);
    if (!v) continue;
    const std::uint64_t value = number(path, h, key, 0);
    if (value != p.of(m)) {
      fail(path, v,
           key + " is " + std::to_string(value) + " (expected " + std::to_string(p.of(m)) + ", as " + m.id +
               " has in the catalog)");
    }
  }
}

// The catalog architecture `arch` is, or whose drafter it is ("gemma4", "gemma4_assistant"); null when none.
const Architecture* architecture_of(const Catalog& catalog, const std::string& arch) {
  for (const Architecture& a : catalog.architectures) {
    if (arch.rfind(a.id, 0) == 0) return &a;
  }
  return nullptr;
}

std::string architectures(const Catalog& catalog) {
  std::string out;
  for (const Architecture& a : catalog.architectures) out += (out.empty() ? "" : ", ") + a.id;
  return out;
}

// The parts of a split file "<stem>-00001-of-00003.gguf", in order; the path alone otherwise.
std::vector<std::string> split_parts(const std::string& path) {
  static const std::regex k_split(R"((.*)-(\d{5})-of-(\d{5})\.gguf)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(path, m, k_split)) return {path};
  const std::uint64_t count = std::stoull(m[3].str());
  if (count == 0 || count > k_max_parts || std::stoull(m[2].str()) > count || std::stoull(m[2].str()) == 0) {
    throw Error::in_file(path, 0,
                         "split part " + m[2].str() + " of " + m[3].str() + " (expected a part from 1 to a count of 1 to " +
                             std::to_string(k_max_parts) + ")");
  }
  std::vector<std::string> parts;
  for (std::uint64_t i = 1; i <= count; ++i) {
    char part[32];
    std::snprintf(part, sizeof part, "-%05llu-of-%05llu", static_cast<unsigned long long>(i),
                  static_cast<unsigned long long>(count));
    parts.push_back(m[1].str() + part + path.substr(path.size() - 5));
  }
  return parts;
}

void merge_tensors(GgufModel& out, const std::string& part, const GgufHeader& h, std::set<std::string, std::less<>>& names) {
  for (const GgufTensorInfo& t : h.tensors) {
    if (!names.insert(t.name).second)
      throw Error::in_file(part, 0, "tensor " + t.name + " is in two parts of the split file (expected in one)");
    out.tensors.push_back({t.name, t.ne, t.type->name});
    out.tensor_bytes = checked_add(out.tensor_bytes, t.bytes, "tensor bytes");
  }
  out.file_bytes = checked_add(out.file_bytes, h.file_bytes, "file size");
  out.parts.push_back(part);
}

}  // namespace

TypeMap GgufModel::types() const {
  TypeMap map;
  for (const StatedTensor& t : tensors) map.emplace(t.name, t.type);
  return map;
}

GgufModel identify_gguf(const Catalog& catalog, const std::string& path, const std::vector<GgufHeader>& parts) {
  GgufModel out;
  out.path = path;
  if (parts.empty()) throw Error::in_file(path, 0, "no GGUF header (expected one)");
  const GgufHeader& first = parts.front();
  const GgufValue* arch = first.find("general.architecture");
  if (!arch || arch->type != GgufType::string) {
    fail(path, arch, "general.architecture is missing or not a string (expected a llama.cpp model file, which names it)");
  }
  out.architecture = arch->text;
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < parts.size(); ++i)
    merge_tensors(out, parts.size() == 1 ? path : path + " part " + std::to_string(i + 1), parts[i], names);
  if (out.architecture == "clip") {
    out.kind = GgufModel::Kind::projector;
    out.vision = flag(first, "clip.has_vision_encoder");
    out.audio = flag(first, "clip.has_audio_encoder");
    return out;
  }
  const Architecture* a = architecture_of(catalog, out.architecture);
  if (a && first.find(out.architecture + ".nextn_predict_layers")) {
    out.kind = GgufModel::Kind::drafter;
    return out;
  }
  if (!a || a->id != out.architecture) {
    fail(path, arch,
         "not a Gemma 4 model: its architecture is '" + out.architecture + "' (expected " + architectures(catalog) +
             ", or clip for a projector); fitcheck plans Gemma 4 only");
  }
  out.model = &match_model(catalog, path, first, out.architecture);
  check_agreement(path, first, out.architecture, *out.model);
  return out;
}

GgufModel read_gguf_model(const Catalog& catalog, const std::string& path) {
  const std::vector<std::string> names = split_parts(path);
  std::vector<GgufHeader> headers;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::error_code ec;
    if (names.size() > 1 && !std::filesystem::exists(names[i], ec)) {
      throw Error::in_file(path, 0,
                           "split part " + std::to_string(i + 1) + " of " + std::to_string(names.size()) + " ('" + names[i] +
                               "') is missing (expected every part beside the first)");
    }
    headers.push_back(read_gguf_header_file(catalog, names[i]));
  }
  GgufModel out = identify_gguf(catalog, path, headers);
  out.parts = names;
  return out;
}

WeightPlan gguf_weights(const Catalog& catalog, const GgufModel& file, const Runtime& runtime) {
  if (!file.model) throw Error::in_file(file.path, 0, "not a model file (expected a " + architectures(catalog) + " model)");
  try {
    WeightPlan plan = plan_weights(catalog, *file.model, file.tensors, runtime, WeightsSource::header);
    plan.header_bytes = file.file_bytes - std::min(file.file_bytes, plan.file_bytes);
    return plan;
  } catch (const Error& e) {
    if (e.code() != Errc::data) throw;
    throw Error::in_file(file.path, 0, e.what());
  }
}

}  // namespace fitcheck::readers

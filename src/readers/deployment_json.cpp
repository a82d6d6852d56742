// fitcheck's own deployment file: one JSON object, "schema_version": 1.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "core/json_input.hpp"

#include "fitcheck/units.hpp"
#include "readers/readers.hpp"

namespace fitcheck::readers {
namespace {

using json = nlohmann::json;

const char* const k_keys[] = {"schema_version", "model",    "quant",       "context",    "kv_type",   "cache_type_k",
                              "cache_type_v",   "parallel", "ubatch",      "flash_attn", "swa_full",  "kv_unified",
                              "vision",         "audio",    "mmproj_type", "gpu_layers", "n_cpu_moe", "backend",
                              "runtime",        "target",   "name"};

// The line of each key's first occurrence (0 for a key the text does not hold).
class KeyLines {
 public:
  explicit KeyLines(std::string_view text) {
    for (KeyLine& k : json_key_lines(text)) m_lines.emplace(std::move(k.key), k.line);  // keeps the first
  }
  std::size_t operator()(const std::string& key) const {
    const auto it = m_lines.find(key);
    return it == m_lines.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, std::size_t> m_lines;
};

class Reader {
 public:
  Reader(const std::string& path, const KeyLines& lines, const json& doc) : m_path(path), m_lines(lines), m_doc(doc) {}

  std::size_t line(const char* key) const { return m_lines(key); }
  [[noreturn]] void fail(const char* key, const std::string& why) const { fail_at(m_path, line(key), why); }
  bool has(const char* key) const { return m_doc.contains(key); }

  std::string str(const char* key) const {
    const json& v = m_doc.at(key);
    if (!v.is_string() || v.get<std::string>().empty()) fail(key, std::string("\"") + key + "\" expects a non-empty string");
    return v.get<std::string>();
  }
  bool flag(const char* key) const {
    const json& v = m_doc.at(key);
    if (!v.is_boolean()) fail(key, std::string("\"") + key + "\" expects true or false");
    return v.get<bool>();
  }
  std::uint64_t count(const char* key, bool positive) const {
    const json& v = m_doc.at(key);
    const bool ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!ok || (positive && v.get<std::uint64_t>() == 0)) {
      fail(key, std::string("\"") + key + "\" expects a " + (positive ? "positive" : "non-negative") + " integer");
    }
    return v.get<std::uint64_t>();
  }
  // A number of tokens, or a string such as "32k".
  std::uint64_t tokens(const char* key) const {
    const json& v = m_doc.at(key);
    if (v.is_string()) return at_line(m_path, line(key), [&] { return parse_context(v.get<std::string>()); });
    return count(key, true);
  }

 private:
  const std::string& m_path;
  const KeyLines& m_lines;
  const json& m_doc;
};

void read_target(const std::string& path, std::size_t line, const json& doc, TargetSpec& t) {
  t.line = line;
  if (!doc.is_object() || doc.size() != 1) {
    fail_at(path, t.line,
            "\"target\" expects an object with one of \"gpu\", \"vram\" or \"unified\", e.g. {\"gpu\": \"rtx3060-12g\"}");
  }
  const auto [key, value] = *doc.items().begin();
  if (!value.is_string()) fail_at(path, t.line, "\"target\"/\"" + key + "\" expects a string");
  if (key == "gpu")
    t.gpu = value.get<std::string>();
  else if (key == "vram")
    t.vram = value.get<std::string>();
  else if (key == "unified")
    t.unified = value.get<std::string>();
  else
    fail_at(path, t.line, "unknown target \"" + key + "\" (expected \"gpu\", \"vram\" or \"unified\")");
}

// The line of a duplicate key's second occurrence, from the problem text `duplicate key "<key>"`.
std::size_t second_line_of(std::string_view text, const std::string& what) {
  const std::size_t open = what.find('"');
  const std::string key = open == std::string::npos ? "" : what.substr(open + 1, what.size() - open - 2);
  std::size_t seen = 0;
  for (const KeyLine& k : json_key_lines(text)) {
    if (k.key == key && ++seen == 2) return k.line;
  }
  return 0;
}

}  // namespace

Deployment read_fitcheck_json(const Catalog& catalog, const std::string& path, std::string_view text) {
  json doc;
  if (const std::optional<JsonProblem> problem = parse_json(text, doc)) {
    if (problem->duplicate_key) fail_at(path, second_line_of(text, problem->what), problem->what + " (give each key once)");
    if (problem->byte == 0) fail_at(path, 0, problem->what);
    fail_at(path, line_of_offset(text, problem->byte - 1),
            problem->truncated                  ? "the JSON ends early (a truncated file? expected the rest of the object)"
            : problem->what == "malformed JSON" ? "malformed JSON (check for a missing comma, quote or bracket)"
                                                : problem->what);
  }
  if (!doc.is_object()) fail_at(path, 1, "expected a JSON object (a fitcheck deployment file)");
  const KeyLines lines(text);
  const Reader r(path, lines, doc);
  if (!r.has("schema_version") || !doc.at("schema_version").is_number_integer() ||
      doc.at("schema_version").get<std::int64_t>() != 1) {
    r.fail("schema_version", "expected \"schema_version\": 1 (a fitcheck deployment file)");
  }
  Deployment d;
  d.path = path;
  d.format = ConfigFormat::fitcheck;
  d.settings = default_settings(catalog.default_runtime());
  for (const auto& item : doc.items()) {
    if (!listed(k_keys, item.key())) {
      warn_unknown(d, lines(item.key()), "unknown key \"" + item.key() + "\"", item.key(),
                   [] { return std::vector<std::string>(std::begin(k_keys), std::end(k_keys)); });
    }
  }
  if (!r.has("model")) fail_at(path, 0, "missing \"model\" (expected a model id such as \"" + catalog.models.back().id + "\")");
  d.line = r.line("model");
  d.model_text = r.str("model");
  d.model = &at_line(path, d.line, [&]() -> const Model& { return catalog.find_model(d.model_text); });
  if (!r.has("quant")) fail_at(path, 0, "missing \"quant\" (expected a preset such as \"Q4_K_M\")");
  d.preset = &at_line(path, r.line("quant"), [&]() -> const Preset& { return catalog.find_preset(r.str("quant")); });
  if (!r.has("context")) fail_at(path, 0, "missing \"context\" (expected a number of tokens such as 32768 or \"32k\")");
  d.context = r.tokens("context");
  d.context_line = r.line("context");
  const auto kv = [&](const char* key) {
    return at_line(path, r.line(key), [&] { return catalog.find_kv_type(r.str(key)).id; });
  };
  if (r.has("kv_type")) d.settings.kv_type_k = d.settings.kv_type_v = kv("kv_type");
  if (r.has("cache_type_k")) d.settings.kv_type_k = kv("cache_type_k");
  if (r.has("cache_type_v")) d.settings.kv_type_v = kv("cache_type_v");
  if (r.has("parallel")) d.settings.parallel = r.count("parallel", true);
  if (r.has("ubatch")) d.settings.ubatch = r.count("ubatch", true);
  if (r.has("flash_attn")) d.settings.flash_attn = r.flag("flash_attn");
  if (r.has("swa_full")) d.settings.swa_full = r.flag("swa_full");
  if (r.has("kv_unified")) d.settings.kv_unified = r.flag("kv_unified");
  if (r.has("vision")) d.settings.vision = r.flag("vision");
  if (r.has("audio")) d.settings.audio = r.flag("audio");
  if (r.has("mmproj_type")) d.settings.projector_type = r.str("mmproj_type");
  if (r.has("gpu_layers")) d.gpu_layers = r.count("gpu_layers", false);
  if (r.has("n_cpu_moe")) d.cpu_moe_layers = r.count("n_cpu_moe", false);
  if (r.has("backend")) d.backend = at_line(path, r.line("backend"), [&] { return parse_backend(r.str("backend")); });
  if (r.has("runtime") && r.str("runtime") != "llama.cpp") {
    r.fail("runtime",
           "runtime \"" + r.str("runtime") + "\" (expected \"llama.cpp\"; check a vLLM deployment from its own config)");
  }
  if (r.has("target")) read_target(path, r.line("target"), doc.at("target"), d.target);
  finish_deployment(d);
  return d;
}

}  // namespace fitcheck::readers

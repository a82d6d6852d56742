#include "support/gguf_writer.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "fitcheck/units.hpp"

namespace fitcheck::test {
namespace {

constexpr std::uint64_t k_alignment = 32;
enum : std::uint64_t { k_u32 = 4, k_bool = 7, k_string = 8, k_array = 9 };

std::vector<std::uint64_t> trimmed(const Tensor& t) {
  std::vector<std::uint64_t> ne(t.ne.begin(), t.ne.end());
  while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
  return ne;
}

}  // namespace

GgufBytes& GgufBytes::put(std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) data += static_cast<char>((v >> (8 * i)) & 0xff);
  return *this;
}

GgufWriter& GgufWriter::kv_string(const std::string& key, const std::string& value) {
  m_kv.str(key).u32(k_string).str(value);
  ++m_kv_count;
  return *this;
}
GgufWriter& GgufWriter::kv_u32(const std::string& key, std::uint64_t value) {
  m_kv.str(key).u32(k_u32).u32(value);
  ++m_kv_count;
  return *this;
}
GgufWriter& GgufWriter::kv_u32_array(const std::string& key, const std::vector<std::uint64_t>& values) {
  m_kv.str(key).u32(k_array).u32(k_u32).u64(values.size());
  for (std::uint64_t v : values) m_kv.u32(v);
  ++m_kv_count;
  return *this;
}
GgufWriter& GgufWriter::kv_bool_array(const std::string& key, const std::vector<bool>& values) {
  m_kv.str(key).u32(k_array).u32(k_bool).u64(values.size());
  for (bool v : values) m_kv.put(v ? 1 : 0, 1);
  ++m_kv_count;
  return *this;
}
GgufWriter& GgufWriter::kv_string_array(const std::string& key, const std::vector<std::string>& values) {
  m_kv.str(key).u32(k_array).u32(k_string).u64(values.size());
  for (const std::string& v : values) m_kv.str(v);
  ++m_kv_count;
  return *this;
}

GgufWriter& GgufWriter::tensor(const std::string& name, const std::vector<std::uint64_t>& ne, const BlockType& type) {
  m_infos.str(name).u32(ne.size());
  std::uint64_t rows = 1;
  for (std::size_t d = 0; d < ne.size(); ++d) {
    m_infos.u64(ne[d]);
    if (d > 0) rows *= ne[d];
  }
  m_infos.u32(static_cast<std::uint64_t>(type.ggml_type)).u64(m_data_bytes);
  m_data_bytes = round_up(m_data_bytes + rows * type.row_bytes(ne[0]), k_alignment);
  ++m_tensor_count;
  return *this;
}

std::string GgufWriter::header() const {
  GgufBytes h;
  h.data = "GGUF";
  h.u32(3).u64(m_tensor_count).u64(m_kv_count);
  std::string out = h.data + m_kv.data + m_infos.data;
  out.resize(round_up(out.size(), k_alignment), '\0');
  return out;
}

std::uint64_t GgufWriter::file_bytes() const { return header().size() + m_data_bytes; }

std::string GgufWriter::write(const std::string& path) const {
  {
    std::ofstream out(path, std::ios::binary);
    out << header();
  }
  std::filesystem::resize_file(path, file_bytes());
  return path;
}

GgufWriter gemma_gguf(const Catalog& catalog, const Model& model, const TypeMap& types, std::size_t first, std::size_t last) {
  GgufWriter w;
  const std::string a = model.architecture_id;
  w.kv_string("general.architecture", a).kv_string("general.name", model.name);
  w.kv_u32(a + ".context_length", model.max_context).kv_u32(a + ".embedding_length", model.hidden_size);
  w.kv_u32(a + ".block_count", model.num_layers());
  std::vector<std::uint64_t> ff, kv_heads;
  std::vector<bool> sliding;
  for (std::uint64_t il = 0; il < model.num_layers(); ++il) {
    ff.push_back(model.double_wide_on_kv_shared_layers && !model.owns_kv(il) ? 2 * model.intermediate_size
                                                                             : model.intermediate_size);
    kv_heads.push_back(model.geometry(il).kv_heads);
    sliding.push_back(model.layers[il] == LayerKind::sliding);
  }
  w.kv_u32_array(a + ".feed_forward_length", ff).kv_u32(a + ".attention.head_count", model.num_heads);
  w.kv_u32_array(a + ".attention.head_count_kv", kv_heads).kv_bool_array(a + ".attention.sliding_window_pattern", sliding);
  w.kv_u32(a + ".attention.key_length", model.full.head_dim).kv_u32(a + ".attention.key_length_swa", model.sliding.head_dim);
  w.kv_u32(a + ".attention.sliding_window", model.sliding_window);
  w.kv_u32(a + ".attention.shared_kv_layers", model.kv_shared_layers);
  w.kv_u32(a + ".embedding_length_per_layer_input", model.per_layer_embedding_dim);
  if (model.is_moe()) {
    w.kv_u32(a + ".expert_count", model.expert_count).kv_u32(a + ".expert_used_count", model.experts_active);
    w.kv_u32(a + ".expert_feed_forward_length", model.expert_intermediate_size);
  }
  std::vector<std::string> tokens;  // a few, for an array of strings as the vocabulary is
  for (int i = 0; i < 300; ++i) tokens.push_back("<tok" + std::to_string(i) + ">");
  w.kv_string("tokenizer.ggml.model", "gemma4").kv_string_array("tokenizer.ggml.tokens", tokens);
  const std::vector<Tensor> tensors = model_tensors(model);
  for (std::size_t i = first; i < tensors.size() && i <= last; ++i) {
    w.tensor(tensors[i].name, trimmed(tensors[i]), catalog.block_type(types.at(tensors[i].name)));
  }
  return w;
}

TypeMap read_typemap(const std::string& tsv) {
  std::istringstream in(tsv);
  TypeMap map;
  std::string tensor, type;
  while (in >> tensor >> type) map[tensor] = type;
  return map;
}

std::string temp_dir() {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("fitcheck-gguf-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace fitcheck::test

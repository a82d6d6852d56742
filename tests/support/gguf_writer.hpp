#pragma once
// Synthetic GGUF files for the tests and the fuzz seeds: the header as llama.cpp writes it (ggml-org/llama.cpp
// docs/gguf.md), the tensor data left as a hole (a sparse file), since fitcheck reads only the header.
#include <cstdint>
#include <string>
#include <vector>

#include "fitcheck/catalog.hpp"
#include "fitcheck/tensors.hpp"

namespace fitcheck::test {

// Little-endian fields, for headers built by hand (the hostile ones).
struct GgufBytes {
  std::string data;
  GgufBytes& u32(std::uint64_t v) { return put(v, 4); }
  GgufBytes& u64(std::uint64_t v) { return put(v, 8); }
  GgufBytes& str(const std::string& s) {
    u64(s.size());
    data += s;
    return *this;
  }
  GgufBytes& put(std::uint64_t v, int bytes);
};

class GgufWriter {
 public:
  GgufWriter& kv_string(const std::string& key, const std::string& value);
  GgufWriter& kv_u32(const std::string& key, std::uint64_t value);
  GgufWriter& kv_u32_array(const std::string& key, const std::vector<std::uint64_t>& values);
  GgufWriter& kv_bool_array(const std::string& key, const std::vector<bool>& values);
  GgufWriter& kv_string_array(const std::string& key, const std::vector<std::string>& values);
  // A tensor of `type` (its ggml id and row bytes), placed after the last one, aligned to 32 bytes.
  GgufWriter& tensor(const std::string& name, const std::vector<std::uint64_t>& ne, const BlockType& type);
  std::string header() const;  // padded to the alignment: the data section starts right after it
  std::uint64_t file_bytes() const;
  // The header, then a hole up to file_bytes(); returns the path.
  std::string write(const std::string& path) const;

 private:
  GgufBytes m_kv;
  GgufBytes m_infos;
  std::uint64_t m_kv_count = 0;
  std::uint64_t m_tensor_count = 0;
  std::uint64_t m_data_bytes = 0;
};

// A Gemma 4 text GGUF of `model` with llama.cpp's metadata keys (conversion/gemma.py, Gemma4Model) and every tensor
// of model_tensors() at the type `types` gives it; tensors from `first` to `last` (indices; all by default).
GgufWriter gemma_gguf(const Catalog& catalog, const Model& model, const TypeMap& types, std::size_t first = 0,
                      std::size_t last = SIZE_MAX);
// A type map from "tensor<TAB>type" lines (tests/data/typemaps/*.tsv: what llama-quantize chose for each tensor).
TypeMap read_typemap(const std::string& tsv);
// A fresh folder for this test process's files.
std::string temp_dir();

}  // namespace fitcheck::test

#pragma once
// GGUF files (llama.cpp's model format, ggml-org/llama.cpp ggml/src/gguf.cpp and docs/gguf.md): the header only,
// its metadata and its tensor infos, never the tensor data. Every count, length and offset is bounded before use
// (by the bytes the file has left and by caps no real file reaches); a truncated or hostile header is
// Error(Errc::data) "<file>: byte <offset>: <what> (expected ...)".
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fitcheck/catalog.hpp"
#include "fitcheck/footprint.hpp"
#include "fitcheck/tensors.hpp"

namespace fitcheck::readers {

// GGUF metadata value types, by their id in the file (gguf_type).
enum class GgufType : std::uint32_t { u8, i8, u16, i16, u32, i32, f32, boolean, string, array, u64, i64, f64 };

struct GgufValue {
  GgufType type = GgufType::u8;
  std::uint64_t offset = 0;  // byte of the value (after its type) in the file
  bool integral = false;     // a whole number >= 0 (or a bool): `integer` holds it
  std::uint64_t integer = 0;
  std::string text;  // a string value
  // An array: its element type and count, and the values of an integral one of at most k_max_kept_array elements.
  GgufType element = GgufType::u8;
  std::uint64_t count = 0;
  std::vector<std::uint64_t> integers;
};

struct GgufTensorInfo {
  std::string name;
  std::vector<std::uint64_t> ne;  // ggml order
  const BlockType* type = nullptr;
  std::uint64_t offset = 0;  // in the data section
  std::uint64_t bytes = 0;   // its data, unpadded
};

struct GgufHeader {
  std::uint32_t version = 0;
  std::vector<std::pair<std::string, GgufValue>> metadata;  // file order
  std::vector<GgufTensorInfo> tensors;                      // file order
  std::uint64_t alignment = 32;
  std::uint64_t data_offset = 0;  // where tensor data begins
  std::uint64_t file_bytes = 0;
  const GgufValue* find(std::string_view key) const;
};

// The header of a file of `file_bytes` bytes, read from `in` (positioned at its start); `name` names it in errors.
GgufHeader read_gguf_header(const Catalog& catalog, const std::string& name, std::istream& in, std::uint64_t file_bytes);
// The same from a path (never more than the header is read).
GgufHeader read_gguf_header_file(const Catalog& catalog, const std::string& path);

// What a GGUF file (all parts of a split one) holds, as fitcheck plans it.
struct GgufModel {
  enum class Kind { model, projector, drafter };
  Kind kind = Kind::model;
  std::string path;                   // the file named (any part of a split one)
  std::string architecture;           // general.architecture
  const Model* model = nullptr;       // Kind::model: the catalog's model its hyperparameters match
  std::vector<StatedTensor> tensors;  // every part's, in order
  std::uint64_t file_bytes = 0;       // every part, headers included
  std::uint64_t tensor_bytes = 0;     // the tensors' data, unpadded
  std::vector<std::string> parts;     // the files read
  bool vision = false;                // a projector's encoders (clip.has_vision_encoder, clip.has_audio_encoder)
  bool audio = false;
  TypeMap types() const;
};

// Recognizes the file from its metadata: a catalog architecture's model (matched on its hyperparameters), a drafter
// of one (an MTP head: <arch>.nextn_predict_layers), or a projector (general.architecture "clip"). Any other
// architecture is Error(Errc::data) "not a Gemma 4 model". `parts`: the headers of every part, in order.
GgufModel identify_gguf(const Catalog& catalog, const std::string& path, const std::vector<GgufHeader>& parts);
// Reads the file's header (each part's, for "-00001-of-0000N.gguf", from beside it) and recognizes it.
GgufModel read_gguf_model(const Catalog& catalog, const std::string& path);
// The weight plan of a model file: its tensors' exact shapes and types (WeightsSource::header), the header bytes
// the file's size leaves.
WeightPlan gguf_weights(const Catalog& catalog, const GgufModel& file, const Runtime& runtime);

}  // namespace fitcheck::readers

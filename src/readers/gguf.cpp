// The GGUF header reader: the layout of ggml-org/llama.cpp docs/gguf.md, with the checks gguf_init_from_file_impl
// (ggml/src/gguf.cpp) makes before it trusts a file, each bounded before anything is allocated.
#include "readers/gguf.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <set>

#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::readers {
namespace {

constexpr std::uint64_t k_max_header_bytes = 256 * k_mib;  // a Gemma 4 header is about 16 MB
constexpr std::uint64_t k_max_count = 1 << 20;             // metadata keys, tensors, kept array elements
constexpr std::uint64_t k_max_string = 64 * k_mib;         // one string (a chat template is tens of KB)
constexpr std::uint64_t k_max_name = 63;                   // ggml's GGML_MAX_NAME 64, with its terminating NUL
constexpr std::uint64_t k_max_dims = 4;                    // GGML_MAX_DIMS
constexpr std::uint64_t k_max_kept_array = 1 << 16;        // integral arrays kept (per-layer values)
constexpr std::uint64_t k_max_alignment = 1 << 20;
// The least bytes a metadata pair (key length, type, a one-byte value) and a tensor info (name length, n_dims,
// type, offset) take: a count above what is left divided by these cannot be true.
constexpr std::uint64_t k_min_pair_bytes = 8 + 4 + 1;
constexpr std::uint64_t k_min_tensor_info_bytes = 8 + 4 + 4 + 8;

const char* type_name(GgufType t) {
  static constexpr std::array<const char*, 13> names = {"uint8", "int8",   "uint16", "int16",  "uint32", "int32",  "float32",
                                                        "bool",  "string", "array",  "uint64", "int64",  "float64"};
  return names[static_cast<std::size_t>(t)];
}

// Bytes of one value of a fixed-size type; 0 for string and array.
std::uint64_t fixed_size(GgufType t) {
  switch (t) {
    case GgufType::u8:
    case GgufType::i8:
    case GgufType::boolean: return 1;
    case GgufType::u16:
    case GgufType::i16: return 2;
    case GgufType::u32:
    case GgufType::i32:
    case GgufType::f32: return 4;
    case GgufType::u64:
    case GgufType::i64:
    case GgufType::f64: return 8;
    case GgufType::string:
    case GgufType::array: return 0;
  }
  return 0;
}

bool is_float(GgufType t) { return t == GgufType::f32 || t == GgufType::f64; }
bool is_signed(GgufType t) { return t == GgufType::i8 || t == GgufType::i16 || t == GgufType::i32 || t == GgufType::i64; }

// Sequential little-endian reads of a file's first bytes, each checked against what the file has left.
class Cursor {
 public:
  Cursor(const std::string& name, std::istream& in, std::uint64_t size) : m_name(name), m_in(in), m_size(size) {}

  std::uint64_t pos() const { return m_pos; }
  std::uint64_t left() const { return m_size - m_pos; }
  const std::string& name() const { return m_name; }

  [[noreturn]] void fail(std::uint64_t at, const std::string& what) const {
    throw Error::in_file(m_name, 0, "byte " + std::to_string(at) + ": " + what);
  }

  void need(std::uint64_t n, const char* what) const {
    if (n > left()) {
      fail(m_pos, std::string("the file ends inside ") + what + " (expected " + std::to_string(n) + " more bytes, " +
                      std::to_string(left()) + " left)");
    }
    if (m_pos + n > k_max_header_bytes) {
      fail(m_pos, std::string(what) + " is past the first " + std::to_string(k_max_header_bytes / k_mib) +
                      " MiB (expected a header smaller than that)");
    }
  }

  std::uint64_t uint(std::uint64_t bytes, const char* what) {
    need(bytes, what);
    std::array<unsigned char, 8> b{};
    take(reinterpret_cast<char*>(b.data()), bytes, what);
    std::uint64_t v = 0;
    for (std::uint64_t i = bytes; i-- > 0;) v = (v << 8) | b[i];
    return v;
  }

  // A string's length, bounded by the file and by `max`.
  std::uint64_t length(std::uint64_t max, const char* what) {
    const std::uint64_t at = m_pos;
    const std::uint64_t n = uint(8, what);
    if (n > max)
      fail(at, std::string(what) + " of " + std::to_string(n) + " bytes (expected at most " + std::to_string(max) + ")");
    if (n > left()) {
      fail(at, std::string(what) + " of " + std::to_string(n) + " bytes runs past the end of the file (expected at most " +
                   std::to_string(left()) + ")");
    }
    return n;
  }

  std::string string(std::uint64_t max, const char* what) {
    const std::uint64_t n = length(max, what);
    need(n, what);
    std::string s(n, '\0');
    take(s.data(), n, what);
    return s;
  }

  void skip(std::uint64_t n, const char* what) {
    need(n, what);
    m_in.ignore(static_cast<std::streamsize>(n));
    if (static_cast<std::uint64_t>(m_in.gcount()) != n) truncated(what);
    m_pos += n;
  }

 private:
  void take(char* out, std::uint64_t n, const char* what) {
    m_in.read(out, static_cast<std::streamsize>(n));
    if (static_cast<std::uint64_t>(m_in.gcount()) != n) truncated(what);
    m_pos += n;
  }
  [[noreturn]] void truncated(const char* what) const {
    fail(m_pos, std::string("cannot read ") + what + " (expected " + std::to_string(m_size) + " bytes in the file)");
  }

  const std::string& m_name;
  std::istream& m_in;
  std::uint64_t m_size;
  std::uint64_t m_pos = 0;
};

GgufType value_type(Cursor& c, const char* what, bool in_array) {
  const std::uint64_t at = c.pos();
  const std::uint64_t t = c.uint(4, what);
  if (t > static_cast<std::uint64_t>(GgufType::f64) || (in_array && t == static_cast<std::uint64_t>(GgufType::array))) {
    c.fail(at, std::string(what) + " " + std::to_string(t) +
                   (in_array ? " (expected 0 to 12 but 9: arrays do not nest)" : " (expected 0 to 12)"));
  }
  return static_cast<GgufType>(t);
}

// One fixed-size value: kept when it is a whole number >= 0.
void scalar(Cursor& c, GgufType t, GgufValue& v) {
  const std::uint64_t bytes = fixed_size(t);
  const std::uint64_t raw = c.uint(bytes, "a metadata value");
  const bool negative = is_signed(t) && (raw >> (8 * bytes - 1)) != 0;
  v.integral = !is_float(t) && !negative;
  v.integer = v.integral ? raw : 0;
}

void array(Cursor& c, GgufValue& v) {
  v.element = value_type(c, "an array's element type", true);
  const std::uint64_t at = c.pos();
  v.count = c.uint(8, "an array's count");
  const std::uint64_t each = v.element == GgufType::string ? 8 : fixed_size(v.element);
  if (v.count > c.left() / each) {
    c.fail(at, "array of " + std::to_string(v.count) + " " + type_name(v.element) +
                   " values runs past the end of the file (expected at most " + std::to_string(c.left() / each) + ")");
  }
  if (v.element == GgufType::string) {
    for (std::uint64_t i = 0; i < v.count; ++i) c.skip(c.length(k_max_string, "an array's string"), "an array's string");
    return;
  }
  const bool keep = !is_float(v.element) && v.count <= k_max_kept_array;
  if (!keep) return c.skip(v.count * each, "an array");
  v.integers.reserve(v.count);
  for (std::uint64_t i = 0; i < v.count; ++i) {
    GgufValue element;
    scalar(c, v.element, element);
    v.integers.push_back(element.integer);
  }
}

void metadata(Cursor& c, GgufHeader& h, std::uint64_t count) {
  std::set<std::string, std::less<>> seen;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t at = c.pos();
    std::string key = c.string(k_max_string, "a metadata key");
    if (!seen.insert(key).second) c.fail(at, "metadata key '" + key + "' appears twice (expected once)");
    GgufValue v;
    v.type = value_type(c, "a metadata value type", false);
    v.offset = c.pos();
    if (v.type == GgufType::string)
      v.text = c.string(k_max_string, "a metadata string");
    else if (v.type == GgufType::array)
      array(c, v);
    else
      scalar(c, v.type, v);
    h.metadata.emplace_back(std::move(key), std::move(v));
  }
}

std::string known_types(const Catalog& catalog) {
  std::string out;
  for (const BlockType& b : catalog.block_types) {
    if (b.ggml_type >= 0) out += (out.empty() ? "" : ", ") + b.name + " = " + std::to_string(b.ggml_type);
  }
  return out;
}

// A tensor's shape: each dimension from 1 to 2^63 - 1, their product too.
std::vector<std::uint64_t> shape(Cursor& c, const std::string& tensor) {
  const std::uint64_t at = c.pos();
  const std::uint64_t dims = c.uint(4, "a tensor's n_dims");
  if (dims == 0 || dims > k_max_dims) {
    c.fail(at,
           "tensor " + tensor + " has n_dims " + std::to_string(dims) + " (expected 1 to " + std::to_string(k_max_dims) + ")");
  }
  std::vector<std::uint64_t> ne;
  constexpr std::uint64_t k_max_elements = std::uint64_t{1} << 62;
  std::uint64_t elements = 1;
  for (std::uint64_t d = 0; d < dims; ++d) {
    const std::uint64_t dim_at = c.pos();
    const std::uint64_t n = c.uint(8, "a tensor's dimension");
    if (n == 0 || n > k_max_elements || elements > k_max_elements / n) {
      c.fail(dim_at, "tensor " + tensor + " has dimension " + std::to_string(d) + " of " + std::to_string(n) +
                         " (expected 1 or more, and at most 2^62 weights in all)");
    }
    elements *= n;
    ne.push_back(n);
  }
  return ne;
}

GgufTensorInfo tensor_info(Cursor& c, const Catalog& catalog) {
  GgufTensorInfo t;
  t.name = c.string(k_max_name, "a tensor name");
  t.ne = shape(c, t.name);
  const std::uint64_t type_at = c.pos();
  const std::uint64_t id = c.uint(4, "a tensor's type");
  t.type = catalog.block_type_of_ggml(id);
  if (!t.type) {
    c.fail(type_at, "tensor " + t.name + " has ggml type " + std::to_string(id) + ", which fitcheck does not know (expected " +
                        known_types(catalog) + ")");
  }
  if (t.ne[0] % t.type->block_elems != 0) {
    c.fail(type_at, "tensor " + t.name + " has rows of " + std::to_string(t.ne[0]) + " weights (expected a multiple of " +
                        t.type->name + "'s block of " + std::to_string(t.type->block_elems) + ")");
  }
  std::uint64_t rows = 1;
  for (std::size_t d = 1; d < t.ne.size(); ++d) rows *= t.ne[d];      // bounded by shape()
  const std::uint64_t blocks = t.ne[0] / t.type->block_elems * rows;  // at most the 2^62 weights shape() allows
  if (__builtin_mul_overflow(blocks, t.type->block_bytes, &t.bytes)) {
    c.fail(type_at, "tensor " + t.name + " is more than 2^64 bytes (expected one that fits in the file)");
  }
  t.offset = c.uint(8, "a tensor's offset");
  return t;
}

void read_alignment(Cursor& c, GgufHeader& h) {
  const GgufValue* a = h.find("general.alignment");
  if (!a) return;
  const bool power_of_two = a->integer != 0 && (a->integer & (a->integer - 1)) == 0;
  if (a->type != GgufType::u32 || !power_of_two || a->integer > k_max_alignment) {
    c.fail(a->offset, "general.alignment is not a uint32 power of two up to " + std::to_string(k_max_alignment) +
                          " (expected one, e.g. 32)");
  }
  h.alignment = a->integer;
}

// Tensors follow each other in the data section, each at the previous one's end padded to the alignment, and
// end within the file.
void place_tensors(Cursor& c, GgufHeader& h, const std::vector<std::uint64_t>& info_offsets) {
  h.data_offset = round_up(c.pos(), h.alignment);
  std::uint64_t expected = 0;
  for (std::size_t i = 0; i < h.tensors.size(); ++i) {
    const GgufTensorInfo& t = h.tensors[i];
    if (t.offset != expected) {
      c.fail(info_offsets[i], "tensor " + t.name + " has data offset " + std::to_string(t.offset) + " (expected " +
                                  std::to_string(expected) + ": each tensor follows the last, aligned to " +
                                  std::to_string(h.alignment) + " bytes)");
    }
    // offset == expected <= the last tensor's end (within the file) padded: no sum below overflows.
    const std::uint64_t start = h.data_offset + t.offset;
    if (start > h.file_bytes || t.bytes > h.file_bytes - start) {
      c.fail(info_offsets[i], "tensor " + t.name + "'s data of " + std::to_string(t.bytes) + " bytes from byte " +
                                  std::to_string(start) + " runs past the end of the file (expected it to end by byte " +
                                  std::to_string(h.file_bytes) + ")");
    }
    expected = round_up(t.offset + t.bytes, h.alignment);
  }
}

std::uint64_t bounded_count(Cursor& c, std::uint64_t least_bytes, const char* what) {
  const std::uint64_t at = c.pos();
  const std::uint64_t n = c.uint(8, what);
  const std::uint64_t most = std::min(k_max_count, c.left() / least_bytes);
  if (n > most) {
    c.fail(at, std::string(what) + " " + std::to_string(n) + " is more than the file can hold (expected at most " +
                   std::to_string(most) + ")");
  }
  return n;
}

}  // namespace

const GgufValue* GgufHeader::find(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

GgufHeader read_gguf_header(const Catalog& catalog, const std::string& name, std::istream& in, std::uint64_t file_bytes) {
  Cursor c(name, in, file_bytes);
  GgufHeader h;
  h.file_bytes = file_bytes;
  if (c.left() < 4) c.fail(0, "the file is " + std::to_string(file_bytes) + " bytes (expected a GGUF file, which begins 'GGUF')");
  if (c.uint(4, "the magic") != 0x46554747) c.fail(0, "not a GGUF file (expected it to begin with the bytes 'GGUF')");
  h.version = static_cast<std::uint32_t>(c.uint(4, "the version"));
  if (h.version != 2 && h.version != 3) {
    c.fail(4,
           "GGUF version " + std::to_string(h.version) + " (expected 2 or 3; version 1 files are no longer read by llama.cpp)");
  }
  const std::uint64_t tensor_count = bounded_count(c, k_min_tensor_info_bytes, "tensor count");
  const std::uint64_t kv_count = bounded_count(c, k_min_pair_bytes, "metadata count");
  metadata(c, h, kv_count);
  read_alignment(c, h);
  if (tensor_count > c.left() / k_min_tensor_info_bytes) {
    c.fail(8, "tensor count " + std::to_string(tensor_count) + " is more than the rest of the file can hold (expected at most " +
                  std::to_string(c.left() / k_min_tensor_info_bytes) + ")");
  }
  std::set<std::string, std::less<>> names;
  std::vector<std::uint64_t> info_offsets;
  for (std::uint64_t i = 0; i < tensor_count; ++i) {
    info_offsets.push_back(c.pos());
    GgufTensorInfo t = tensor_info(c, catalog);
    if (!names.insert(t.name).second) c.fail(info_offsets.back(), "tensor " + t.name + " appears twice (expected once)");
    h.tensors.push_back(std::move(t));
  }
  place_tensors(c, h, info_offsets);
  return h;
}

GgufHeader read_gguf_header_file(const Catalog& catalog, const std::string& path) {
  std::error_code ec;
  const bool regular = std::filesystem::is_regular_file(path, ec);
  const std::uint64_t size = regular ? std::filesystem::file_size(path, ec) : 0;
  std::ifstream in(path, std::ios::binary);
  if (!regular || ec || !in) {
    throw Error::in_file(path, 0, "cannot read the model file (expected a readable GGUF file; check the path)");
  }
  return read_gguf_header(catalog, path, in, size);
}

}  // namespace fitcheck::readers

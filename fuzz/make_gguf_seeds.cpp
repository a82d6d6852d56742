// Writes the seed corpus of fuzz_gguf_header (scripts/fuzz.sh): the headers the tests write (tests/support), each
// behind the 8-byte file size the target reads first. Usage: make_gguf_seeds TYPEMAP_DIR OUT_DIR
#include <fstream>
#include <iostream>
#include <sstream>

#include "fitcheck/catalog.hpp"
#include "support/gguf_writer.hpp"

namespace {

void seed(const std::string& path, const fitcheck::test::GgufWriter& w) {
  fitcheck::test::GgufBytes size;
  size.u64(w.file_bytes());
  std::ofstream(path, std::ios::binary) << size.data << w.header();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_gguf_seeds TYPEMAP_DIR OUT_DIR\n";
    return 2;
  }
  const fitcheck::Catalog& c = fitcheck::builtin_catalog();
  const std::string dir = argv[1], out = argv[2];
  for (const auto& [file, model] :
       {std::pair<std::string, std::string>{"e2b-Q4_K_M", "gemma-4-e2b"}, {"26b-a4b-Q8_0", "gemma-4-26b-a4b"}}) {
    std::ifstream in(dir + "/" + file + ".tsv");
    std::stringstream text;
    text << in.rdbuf();
    const fitcheck::TypeMap types = fitcheck::test::read_typemap(text.str());
    seed(out + "/" + file, fitcheck::test::gemma_gguf(c, c.find_model(model), types));
    seed(out + "/" + file + "-first-tensors", fitcheck::test::gemma_gguf(c, c.find_model(model), types, 0, 3));
  }
  fitcheck::test::GgufWriter clip;
  clip.kv_string("general.architecture", "clip").kv_u32("clip.has_vision_encoder", 1);
  clip.tensor("v.patch_embd.weight", {16, 16, 3, 768}, c.block_type("F16"));
  seed(out + "/mmproj", clip);
  return 0;
}

// libFuzzer entry point for fitcheck::fuzz::gguf_header (fuzz/targets.hpp).
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fitcheck::fuzz::gguf_header(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#include "targets.hpp"

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/detect.hpp"
#include "fitcheck/budget.hpp"
#include "fitcheck/catalog.hpp"
#include "fitcheck/check.hpp"
#include "fitcheck/error.hpp"
#include "fitcheck/units.hpp"
#include "readers/gguf.hpp"
#include "readers/readers.hpp"
#include "readers/shell_vars.hpp"
#include "readers/yaml_doc.hpp"

namespace fitcheck::fuzz {
namespace {

// Runs `f`; a fitcheck::Error that is not an internal error is the expected answer to bad input.
template <class F>
void expect_handled(F f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.code() == Errc::internal) std::abort();
  }
}

const Hardware& some_gpu() { return builtin_catalog().find_hardware("rtx3090-24g"); }

void check(const Deployment& d) {
  expect_handled([&] {
    require_supported_target(d, some_gpu());
    check_deployment(builtin_catalog(), d, {some_gpu(), std::nullopt, 32ULL << 30, Headroom{}});
  });
}

}  // namespace

void catalog(std::string_view data) {
  expect_handled([&] { load_catalog({{"fuzz.json", std::string(data)}}, "fuzz.json"); });
}

void config(std::string_view data) {
  const Catalog& c = builtin_catalog();
  std::vector<readers::ReadOptions> options(5);
  options[1].format = ConfigFormat::fitcheck;
  options[2].format = ConfigFormat::llama_cpp;
  options[3].format = ConfigFormat::ollama;
  options[4].format = ConfigFormat::vllm;
  for (const readers::ReadOptions& o : options) {
    expect_handled([&] {
      for (const Deployment& d : readers::read_deployments(c, "fuzz.conf", data, o).deployments) check(d);
    });
  }
  expect_handled([&] { readers::env_lines("fuzz.env", data); });
}

void yaml(std::string_view data) {
  const Catalog& c = builtin_catalog();
  // The text as each kind of file around a command (the readers pick one by its top-level keys), so that
  // every reader sees every input: the kind's key line goes first.
  for (const char* head : {"", "services:\n", "apiVersion: v1\n", "servingEngineSpec:\n", "models:\n"}) {
    expect_handled([&] {
      const std::string text = head + std::string(data);
      for (const Deployment& d : readers::read_deployments(c, "fuzz.yaml", text, {}).deployments) check(d);
    });
  }
  expect_handled([&] { readers::load_yaml("fuzz.yaml", data); });
  readers::expand_parameters(data, readers::lookup_in({{"A", "1"}, {"B", "${A}"}}));
}

void parsers(std::string_view data) {
  const Catalog& c = builtin_catalog();
  expect_handled([&] { parse_size(data); });
  expect_handled([&] { parse_size_option(data, SizeUnits::label); });
  expect_handled([&] { parse_context(data); });
  parse_count(data);
  parse_decimal(data);
  expect_handled([&] { c.find_hardware(data); });
  expect_handled([&] { c.lookup_hardware(data); });
  c.filter_hardware(data);
  expect_handled([&] { c.find_model(data); });
  expect_handled([&] { c.find_preset(data); });
  expect_handled([&] { c.find_kv_type(data); });
  closest_match(data, {"rtx3060-12g", "gemma-4-31b"});
  // --gpu auto's parsers read what a tool printed: any text is a GPU list, maybe empty, never a crash.
  for (const cli::DetectedGpu& gpu : cli::parse_nvidia_smi(data)) cli::detected_profile(c, gpu);
  for (const cli::DetectedGpu& gpu : cli::parse_rocm_smi(data)) cli::detected_profile(c, gpu);
  cli::parse_sysctl(data);
  cli::parse_meminfo(data);
}

void command_line(std::string_view data) {
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start <= data.size() && args.size() < 64) {
    const std::size_t end = std::min(data.find('\0', start), data.size());
    args.emplace_back(data.substr(start, end - start));
    start = end + 1;
  }
  for (const std::string& a : args) {
    // Options that write files are left out: a fuzzer must not write where it likes.
    if (a.find("--svg") != std::string::npos || a.find("--csv") != std::string::npos || a.find("--junit") != std::string::npos)
      return;
  }
  std::ostringstream out, err;
  const int code = cli::run(args, out, err);
  if (code == 4) std::abort();
  if (code >= 2 && !out.str().empty()) std::abort();  // exit 2-4: nothing on stdout
}

void gguf_header(std::string_view data) {
  if (data.size() < 8) return;
  std::uint64_t size = 0;
  for (int i = 7; i >= 0; --i) size = (size << 8) | static_cast<unsigned char>(data[static_cast<std::size_t>(i)]);
  std::istringstream in(std::string(data.substr(8)));
  const Catalog& c = builtin_catalog();
  expect_handled([&] {
    const readers::GgufModel file = readers::identify_gguf(c, "fuzz.gguf", {readers::read_gguf_header(c, "fuzz.gguf", in, size)});
    if (file.model) readers::gguf_weights(c, file, c.default_runtime());
  });
}

}  // namespace fitcheck::fuzz

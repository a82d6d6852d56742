#pragma once
// What the user asked for, parsed from argv (args.cpp), before it meets the catalog.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace fitcheck::cli {

enum class Command { recommend, footprint, curve, check, list, validate, completions, man, help, version };

struct Request {
  Command command = Command::recommend;
  std::string help_text;  // Command::help: what to print
  bool json = false;
  std::string catalog_path;
  // Target hardware: one of these.
  std::string gpu;
  std::string vram;
  std::string unified;
  std::string reserve;
  std::string bandwidth;  // GB/s of a custom target's memory
  // Set by --gpu auto for a GPU the catalog lacks (detect.cpp): the custom target's name and vendor.
  std::string custom_name;
  std::string custom_vendor;
  // Deployment.
  std::string model;
  std::string quant;
  std::string hf;         // footprint: a -hf REPO[:QUANT], resolved through the catalog's names and recipes
  std::string gguf;       // footprint: a GGUF model file, read for its exact tensors instead of --model/--quant
  std::string mmproj;     // footprint: its projector's GGUF file
  std::string draft;      // footprint: an MTP drafter's GGUF file (llama.cpp -md)
  std::string hfd;        // footprint: an MTP drafter's repository (llama.cpp -hfd)
  std::string draft_ctx;  // footprint: the draft context (llama.cpp -cd; default: --ctx)
  std::string ctx;
  std::string kv_type;
  std::string cache_type_k;
  std::string cache_type_v;
  // Numbers are kept as typed ("" when absent) and read in resolve.cpp, so that messages show what was given.
  std::string ubatch;
  std::string parallel;
  std::string flash_attn;  // "", "on", "off"
  bool swa_full = false;
  bool kv_unified = false;
  bool no_kv_offload = false;
  bool no_repack = false;
  bool no_mmap = false;
  bool vision = false;
  bool audio = false;
  std::string mmproj_type;
  bool cpu_only = false;
  std::string backend;   // "", cpu, cuda, rocm, metal, vulkan
  bool explain = false;  // footprint: per-role weights (text)
  bool tensors = false;  // footprint: per-role weights (JSON "tensors")
  // speed and offload
  bool allow_offload = false;
  std::string ram;     // host RAM size (discrete GPUs)
  std::string ram_bw;  // host RAM bandwidth, GB/s
  std::string fill;    // tokens already in the context for decode_tps
  std::string min_tps;
  // curve
  std::string over = "context";  // context or models
  std::string svg_path;
  std::string csv_path;
  // recommend
  std::string min_bits;
  std::string min_ctx;
  std::string prefer;              // balanced, speed, quality, context
  std::vector<std::string> needs;  // images, audio
  bool text_only = false;          // leave the multimodal projector out
  bool all = false;                // print every model and preset
  // check
  std::vector<std::string> files;
  std::vector<std::string> formats;  // config kind and/or output (text, json, github)
  std::string env_file;
  std::vector<std::string> runtimes;  // check --runtime llama.cpp@b10573, ollama@0.22
  std::string headroom;
  std::string junit_path;
  bool lenient = false;
  // list
  std::string list_what;
  // completions
  std::string shell;
  std::vector<std::string> list_words;  // list gpus: the filter
};

// The command line's definition, binding every option to a field of `r` (completions and the man page are
// generated from it too).
std::unique_ptr<CLI::App> make_app(Request& r);
// Parses argv into a Request. Throws fitcheck::Error(Errc::usage) on a bad command line.
Request parse_args(const std::vector<std::string>& args);

}  // namespace fitcheck::cli

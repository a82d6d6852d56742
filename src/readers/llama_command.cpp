// llama-server / llama-cli command lines: a script line, or an args file with one option per line.
#include <algorithm>
#include <array>

#include "fitcheck/names.hpp"
#include "fitcheck/units.hpp"
#include "readers/llama_log.hpp"
#include "readers/readers.hpp"
#include "readers/wrappers.hpp"

namespace fitcheck::readers {
namespace {

enum class Arg {
  model,
  hf_repo,
  hf_file,
  ctx,
  parallel,
  cache_k,
  cache_v,
  flash_attn,
  gpu_layers,
  n_cpu_moe,
  cpu_moe,
  ubatch,
  batch,
  swa_full,
  kv_unified,
  no_kv_unified,
  no_kv_offload,
  no_mmproj_offload,
  mmproj,
  no_mmproj,
  no_repack,
  fit,
  fit_ctx,
  fit_target,
  draft,
  draft_context,
  no_mmap,
  load_mode,
  split_mode,
  main_gpu,
  harmless,
  unmodelled,
  bench_prompt,  // llama-bench's test sizes and its 0|1 switches
  bench_gen,
  bench_pg,
  bench_depth,
  bench_flash_attn,
  bench_no_kv_offload,
  bench_mmap,
  bench_load_mode
};

struct Option {
  std::array<const char*, 3> names;
  Arg arg;
  bool value;             // takes a value
  const char* what = "";  // unmodelled: what it changes
};

// llama.cpp's common/arg.cpp names. Options that do not change memory are harmless; options that do and
// that fitcheck does not model are unmodelled.
const Option k_options[] = {
    {{"-m", "--model", nullptr}, Arg::model, true},
    {{"-hf", "-hfr", "--hf-repo"}, Arg::hf_repo, true},
    {{"-hff", "--hf-file", nullptr}, Arg::hf_file, true},
    {{"-c", "--ctx-size", nullptr}, Arg::ctx, true},
    {{"-np", "--parallel", nullptr}, Arg::parallel, true},
    {{"-ctk", "--cache-type-k", nullptr}, Arg::cache_k, true},
    {{"-ctv", "--cache-type-v", nullptr}, Arg::cache_v, true},
    {{"-fa", "--flash-attn", nullptr}, Arg::flash_attn, false},
    {{"-ngl", "--gpu-layers", "--n-gpu-layers"}, Arg::gpu_layers, true},
    {{"-ncmoe", "--n-cpu-moe", nullptr}, Arg::n_cpu_moe, true},
    {{"-cmoe", "--cpu-moe", nullptr}, Arg::cpu_moe, false},
    {{"-ub", "--ubatch-size", nullptr}, Arg::ubatch, true},
    {{"-b", "--batch-size", nullptr}, Arg::batch, true},
    {{"--swa-full", nullptr, nullptr}, Arg::swa_full, false},
    {{"-kvu", "--kv-unified", nullptr}, Arg::kv_unified, false},
    {{"-no-kvu", "--no-kv-unified", nullptr}, Arg::no_kv_unified, false},
    {{"-mm", "--mmproj", nullptr}, Arg::mmproj, true},
    {{"-mmu", "--mmproj-url", nullptr}, Arg::mmproj, true},
    {{"--no-mmproj", nullptr, nullptr}, Arg::no_mmproj, false},
    {{"-nr", "--no-repack", nullptr}, Arg::no_repack, false},
    {{"-fit", "--fit", nullptr}, Arg::fit, true},
    {{"-fitc", "--fit-ctx", nullptr}, Arg::fit_ctx, true},
    {{"-fitt", "--fit-target", nullptr}, Arg::fit_target, true},
    {{"--host", "--port", "--api-key"}, Arg::harmless, true},
    {{"-t", "--threads", "-tb"}, Arg::harmless, true},
    {{"--threads-batch", "-a", "--alias"}, Arg::harmless, true},
    {{"--temp", "--top-k", "--top-p"}, Arg::harmless, true},
    {{"--min-p", "--repeat-penalty", "--seed"}, Arg::harmless, true},
    {{"-n", "--n-predict", "-s"}, Arg::harmless, true},
    {{"--chat-template", "--chat-template-file", "--log-file"}, Arg::harmless, true},
    {{"--timeout", "-to", "--reasoning-format"}, Arg::harmless, true},
    {{"--reasoning-budget", "--slot-save-path", "-cram"}, Arg::harmless, true},
    {{"--cache-ram", "-ctxcp", "--ctx-checkpoints"}, Arg::harmless, true},
    {{"--jinja", "--metrics", nullptr}, Arg::harmless, false},
    {{"-cb", "--cont-batching", "--mmap"}, Arg::harmless, false},
    {{"--no-mmap", "--mlock", nullptr}, Arg::no_mmap, false},
    {{"--load-mode", nullptr, nullptr}, Arg::load_mode, true},  // mmap (default), mlock, none, dio
    {{"--no-webui", "-v", "--verbose"}, Arg::harmless, false},
    {{"--log-disable", "--props", "--slots"}, Arg::harmless, false},
    {{"--no-warmup", "--no-jinja", "--log-verbose"}, Arg::harmless, false},
    {{"-p", "--prompt", "-sps"}, Arg::harmless, true},
    {{"--slot-prompt-similarity", nullptr, nullptr}, Arg::harmless, true},
    {{"-no-cnv", "--no-conversation", "--simple-io"}, Arg::harmless, false},
    {{"--no-display-prompt", nullptr, nullptr}, Arg::harmless, false},
    {{"--offline", "--no-log-prefix", "--no-log-timestamps"}, Arg::harmless, false},
    {{"--context-shift", "--no-context-shift", nullptr}, Arg::harmless, false},
    {{"--keep", "-lv", "--log-verbosity"}, Arg::harmless, true},
    {{"-ts", "--tensor-split", nullptr}, Arg::unmodelled, true, "splits the model over several GPUs"},
    {{"-sm", "--split-mode", nullptr}, Arg::split_mode, true, "splits the model over several GPUs"},
    {{"-dev", "--device", nullptr}, Arg::unmodelled, true, "picks the GPUs the model is split over"},
    {{"-mg", "--main-gpu", nullptr}, Arg::main_gpu, true, "picks the GPUs the model is split over"},
    {{"-ot", "--override-tensor", nullptr}, Arg::unmodelled, true, "moves tensors between devices"},
    {{"-nkvo", "--no-kv-offload", nullptr}, Arg::no_kv_offload, false},
    {{"--lora", "--lora-scaled", nullptr}, Arg::unmodelled, true, "loads a LoRA adapter"},
    {{"-md", "--model-draft", "-hfd"}, Arg::draft, true},
    {{"--hf-repo-draft", "-hfrd", nullptr}, Arg::draft, true},
    {{"--spec-type", nullptr, nullptr}, Arg::draft, true},
    {{"-cd", "--ctx-size-draft", nullptr}, Arg::draft_context, true},
    {{"-ngld", "--gpu-layers-draft", "--n-gpu-layers-draft"}, Arg::harmless, true},
    {{"--spec-draft-n-max", "--spec-draft-n-min", "--draft-max"}, Arg::harmless, true},
    {{"--draft-min", "--draft-p-min", "--spec-draft-p-min"}, Arg::harmless, true},
    {{"--rope-scaling", "--rope-scale", "--yarn-orig-ctx"}, Arg::unmodelled, true, "stretches the context past training"},
    {{"--no-mmproj-offload", nullptr, nullptr}, Arg::no_mmproj_offload, false},
    {{"-ctkd", "--cache-type-k-draft", "-ctvd"}, Arg::harmless, true},  // Gemma 4's drafter reads the target's KV
};

const char* const k_programs[] = {"llama-server", "llama-cli", "llama-completion", "llama-bench", "llama-mtmd-cli"};

// llama-bench's own options (tools/llama-bench/llama-bench.cpp print_usage), read before the table above: -p, -n
// and -fa mean other things there, and its switches take 0|1.
const Option k_bench_options[] = {
    {{"-p", "--n-prompt", nullptr}, Arg::bench_prompt, true},
    {{"-n", "--n-gen", nullptr}, Arg::bench_gen, true},
    {{"-pg", nullptr, nullptr}, Arg::bench_pg, true},
    {{"-d", "--n-depth", nullptr}, Arg::bench_depth, true},
    {{"-fa", "--flash-attn", nullptr}, Arg::bench_flash_attn, true},
    {{"-nkvo", "--no-kv-offload", nullptr}, Arg::bench_no_kv_offload, true},
    {{"-mmp", "--mmap", nullptr}, Arg::bench_mmap, true},
    {{"-lm", "--load-mode", nullptr}, Arg::bench_load_mode, true},
    {{"-r", "--repetitions", "-o"}, Arg::harmless, true},
    {{"--output", "-oe", "--output-err"}, Arg::harmless, true},
    {{"--prio", "--delay", "--numa"}, Arg::harmless, true},
    {{"-C", "--cpu-mask", "--cpu-strict"}, Arg::harmless, true},
    {{"--poll", "-embd", "--embeddings"}, Arg::harmless, true},
    {{"-nopo", "--no-op-offload", "--no-host"}, Arg::harmless, true},
    {{"-dio", "--direct-io", nullptr}, Arg::harmless, true},
    {{"--progress", "--no-warmup", "--list-devices"}, Arg::harmless, false},
};

const Option* find_in(const Option* begin, const Option* end, const std::string& name) {
  const Option* o = std::find_if(begin, end, [&](const Option& x) {
    return std::any_of(x.names.begin(), x.names.end(), [&](const char* n) { return n && name == n; });
  });
  return o == end ? nullptr : o;
}

const Option* find_option(const std::string& name) { return find_in(std::begin(k_options), std::end(k_options), name); }

const Option* find_option(const std::string& name, bool bench) {
  const Option* o = bench ? find_in(std::begin(k_bench_options), std::end(k_bench_options), name) : nullptr;
  return o ? o : find_option(name);
}

std::vector<std::string> option_names() {
  std::vector<std::string> names;
  for (const Option& o : k_options) {
    for (const char* n : o.names) {
      if (n) names.emplace_back(n);
    }
  }
  return names;
}

// llama.cpp's programs that load a model as llama-server does, however they are started ("./llama-server",
// ".\\llama-server.exe", "llama-server-cuda.exe", "/app/llama-cli"), and its server images ("ghcr.io/ggml-org/llama.cpp:server").
bool is_program(const std::string& word) {
  const std::size_t slash = word.find_last_of("/\\");
  const std::string base = slash == std::string::npos ? word : word.substr(slash + 1);
  return std::any_of(std::begin(k_programs), std::end(k_programs), [&](const char* p) { return base.rfind(p, 0) == 0; }) ||
         is_llama_cpp_image(word);
}

// Whether the command runs llama-server (or a server image, or an args file, which llama-server reads): its
// defaults differ from llama-cli's (slots).
const std::string* program_word(const std::vector<Word>& words) {
  const auto program = std::find_if(words.begin(), words.end(), [](const Word& w) { return !w.separator && is_program(w.text); });
  return program == words.end() ? nullptr : &program->text;
}

bool runs_server(const std::vector<Word>& words) {
  const std::string* word = program_word(words);
  return !word || word->find("llama-server") != std::string::npos || is_llama_cpp_image(*word);
}

bool runs_bench(const std::vector<Word>& words) {
  const std::string* word = program_word(words);
  return word && word->find("llama-bench") != std::string::npos;
}

bool is_model_option(const Word& w) {
  const Option* o = w.separator ? nullptr : find_option(w.text);
  return o && (o->arg == Arg::model || o->arg == Arg::hf_repo);
}

// The words of the llama.cpp command: after the program name up to the end of its command, or the
// whole file when it is an args file.
std::vector<Word> command_words(const std::string& path, const std::vector<Word>& words) {
  auto begin = std::find_if(words.begin(), words.end(), [](const Word& w) { return !w.separator && is_program(w.text); });
  if (begin != words.end()) {
    ++begin;
    std::vector<Word> out;
    for (auto it = begin; it != words.end(); ++it) {
      if (it->separator && it->text != "\n") break;
      if (!it->separator)
        out.push_back(*it);
      else if (it + 1 != words.end() && (it + 1)->text.rfind('-', 0) != 0)
        break;  // a newline ending the command
    }
    return out;
  }
  std::vector<Word> out;
  for (const Word& w : words) {
    if (!w.separator) out.push_back(w);
  }
  // A wrapper ("helper.sh --port 8400 --model ...") passing llama.cpp's options: they start at its first option.
  const auto first_option = std::find_if(out.begin(), out.end(), [](const Word& w) { return w.text.rfind('-', 0) == 0; });
  if (first_option != out.end() && first_option != out.begin() && std::any_of(first_option, out.end(), is_model_option)) {
    out.erase(out.begin(), first_option);
  }
  if (out.empty() || out.front().text.rfind('-', 0) != 0) {
    fail_at(path, out.empty() ? 0 : out.front().line,
            "no llama-server or llama-cli command found (expected a line running llama-server with its options, or an args file "
            "of options)");
  }
  return out;
}

struct LlamaState {
  std::string hf_repo;
  std::size_t hf_line = 0;
  std::string hf_file;
  bool projector = false;
  bool no_projector = false;
  bool fit_off = false;  // --fit off: llama.cpp keeps the context and layers as given
  bool ngl_stated = false;
  bool parallel_stated = false;
  bool kv_unified_stated = false;
  bool flash_attn_stated = false;
  bool split_none = false;           // -sm none: one GPU holds the model
  std::vector<ConfigNote> main_gpu;  // -mg: which GPU, unmodelled unless -sm none keeps the model on it
  bool bench = false;                // llama-bench: the largest of its tests is checked
  std::uint64_t bench_prompt = 512;  // the largest -p, -n, -pg (prompt + generated) and -d (llama-bench's defaults)
  std::uint64_t bench_gen = 128;
  std::uint64_t bench_pg = 0;
  std::uint64_t bench_depth = 0;
};

// A llama-bench value list as its parse_int_range reads it ("8,10", "512-2048*2", "-1"): the least and the
// greatest value of its tests; nullopt when it is not one.
struct BenchRange {
  std::int64_t least = 0;
  std::int64_t most = 0;
};

std::optional<std::int64_t> bench_int(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  const std::optional<std::uint64_t> n = parse_count(text.substr(negative ? 1 : 0));
  if (!n || *n > 1000000000) return std::nullopt;
  return negative ? -static_cast<std::int64_t>(*n) : static_cast<std::int64_t>(*n);
}

// One item: first[-last[(+|*)step]]; its greatest value is the last the steps reach.
std::optional<BenchRange> bench_item(std::string_view item) {
  const std::size_t dash = item.find('-', 1);
  const std::optional<std::int64_t> first = bench_int(item.substr(0, dash));
  if (!first || dash == std::string_view::npos) return first ? std::optional<BenchRange>({*first, *first}) : std::nullopt;
  const std::string_view rest = item.substr(dash + 1);
  const std::size_t op = rest.find_first_of("+*");
  const std::optional<std::int64_t> last = bench_int(rest.substr(0, op));
  const std::optional<std::int64_t> step =
      op == std::string_view::npos ? std::optional<std::int64_t>(1) : bench_int(rest.substr(op + 1));
  if (!last || !step || *last < *first || *step < 1 ||
      (op != std::string_view::npos && rest[op] == '*' && (*step < 2 || *first < 1)))
    return std::nullopt;
  const bool times = op != std::string_view::npos && rest[op] == '*';
  std::int64_t most = times ? *first : *first + (*last - *first) / *step * *step;  // + steps: the last one directly
  while (times && most <= *last / *step) most *= *step;                            // * steps: at most 30 of them
  return BenchRange{*first, most};
}

std::optional<BenchRange> bench_range(std::string_view value) {
  std::optional<BenchRange> out;
  for (std::size_t start = 0; start <= value.size();) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::optional<BenchRange> item = bench_item(value.substr(start, comma - start));
    if (!item) return std::nullopt;
    out = out ? BenchRange{std::min(out->least, item->least), std::max(out->most, item->most)} : *item;
    start = comma + 1;
  }
  return out;
}

// -m names a GGUF that exists: its header gives the model and the exact weights; the name, when it tells,
// gives the preset shown (else the file's own types are all there is, and the note says so).
void from_file(const Catalog& catalog, Deployment& d, const ModelFileRead& file, std::size_t line) {
  d.model = file.model;
  d.weights = file.weights;
  d.preset = &catalog.find_preset(catalog.deployment.hf_default_preset);
  try {
    const ModelMatch named = match_gguf_file(catalog, d.model_text);
    if (named.model == d.model) d.preset = named.preset;
  } catch (const Error&) {
    d.notes.push_back({line, "the file's name names no quantization: its header's tensor types are used"});
  }
  d.notes.push_back({line, "weights read from the GGUF header of " + d.model_text});
}

// A model as -m names it: a GGUF file, or (llama.cpp downloads it) a Hugging Face repository.
// An Ollama library tag ("gemma4:12b") names the model of the blob llama-server loads when Ollama starts it
// (`--model .../blobs/sha256-...`, which does not tell): check --model's tag.
ModelMatch match_llama_name(const Catalog& catalog, const std::string& name) {
  const bool gguf = name.find(".gguf") != std::string::npos || name.find(".GGUF") != std::string::npos;
  const bool ollama_tag = !gguf && name.find(':') != std::string::npos && name.find_first_of("/\\") == std::string::npos;
  return gguf ? match_gguf_file(catalog, name) : ollama_tag ? match_ollama_tag(catalog, name) : match_hf_repo(catalog, name);
}

// A placeholder path as documentation writes it ("<path-to-gemma4-12b-Q4_K_M.gguf>"): the name inside.
std::string placeholder_inner(const std::string& value) {
  if (value.size() > 2 && value.front() == '<' && value.back() == '>') return value.substr(1, value.size() - 2);
  return value;
}

// A word with an option glued to its end, as a post that lost its spaces shows it ("131072--fit"): the two
// words, and a warning; any other word as it is.
void split_glued(std::vector<Word>& words, std::vector<ConfigNote>& warnings) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& text = words[i].text;
    const std::size_t at = text.rfind('-', 0) == 0 ? std::string::npos : text.find("--");
    if (at == std::string::npos || at == 0 || !find_option(text.substr(at, text.find('=', at) - at))) continue;
    warnings.push_back(
        {words[i].line, "'" + text + "' read as '" + text.substr(0, at) + " " + text.substr(at) + "' (a space is missing)"});
    Word option{text.substr(at), words[i].line, false};
    words[i].text.resize(at);
    words.insert(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::move(option));
  }
}

// llama-bench runs one test per value of a list: the value of the test that needs the most memory (the most
// tokens, layers on the GPU and batch; the fewest expert layers on the CPU), or the first one, said in a warning.
std::string bench_value(Deployment& d, const Option& o, const Word& w, const std::string& value) {
  if (value.find_first_of(",-") == std::string::npos || o.arg == Arg::harmless || o.arg == Arg::bench_pg) return value;
  const bool most = o.arg == Arg::ubatch || o.arg == Arg::batch || o.arg == Arg::gpu_layers || o.arg == Arg::bench_prompt ||
                    o.arg == Arg::bench_gen || o.arg == Arg::bench_depth;
  const std::optional<BenchRange> r = most || o.arg == Arg::n_cpu_moe ? bench_range(value) : std::nullopt;
  if (r && o.arg == Arg::gpu_layers && r->least < 0) return "all";
  if (r && r->least >= 0) return std::to_string(most ? r->most : r->least);
  if (value.find(',') == std::string::npos || o.arg == Arg::bench_flash_attn) return value;
  const std::string first = value.substr(0, value.find(','));
  d.warnings.push_back(
      {w.line, "llama-bench runs a test for each of " + w.text + " " + value + ": the first, " + first + ", is checked"});
  return first;
}

// llama-bench's -fa on|off|auto|1|0 list: off when any test runs without flash attention (the larger buffers).
void bench_flash_attn(Deployment& d, LlamaState& st, const Word& w, const std::string& value) {
  bool on = true;
  for (std::size_t start = 0; start <= value.size();) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::string item = value.substr(start, comma - start);
    const std::optional<bool> sw = parse_switch(item);
    if (!sw && item != "auto") fail_at(d.path, w.line, w.text + " expects on, off, auto, 1 or 0, got '" + item + "'");
    on = on && sw.value_or(true);
    start = comma + 1;
  }
  d.settings.flash_attn = on;
  st.flash_attn_stated = true;
}

void apply_bench(Deployment& d, LlamaState& st, const Option& o, const Word& w, const std::string& value) {
  const std::string& path = d.path;
  switch (o.arg) {
    case Arg::bench_prompt: st.bench_prompt = count_value(path, w, value, "a number of tokens"); break;
    case Arg::bench_gen: st.bench_gen = count_value(path, w, value, "a number of tokens"); break;
    case Arg::bench_depth: st.bench_depth = count_value(path, w, value, "a number of tokens"); break;
    case Arg::bench_pg: {  // "pp,tg": one test of both
      const std::size_t comma = value.find(',');
      if (comma == std::string::npos) fail_at(path, w.line, "-pg expects <pp,tg>, got '" + value + "'");
      st.bench_pg = std::max(st.bench_pg, checked_add(count_value(path, w, value.substr(0, comma), "<pp,tg>"),
                                                      count_value(path, w, value.substr(comma + 1), "<pp,tg>"), "-pg"));
      break;
    }
    case Arg::bench_flash_attn: bench_flash_attn(d, st, w, value); break;
    case Arg::bench_no_kv_offload: d.settings.kv_offload = parse_switch(value) != std::optional<bool>(true); break;
    case Arg::bench_mmap: d.settings.mmap = parse_switch(value) != std::optional<bool>(false); break;
    case Arg::bench_load_mode: d.settings.mmap = value.find("mmap") != std::string::npos; break;
    default: break;
  }
}

// llama-bench's context: each test's n_ctx is its prompt + generated + depth tokens (to_llama_cparams), so the
// largest test's is checked; it runs no --fit unless -fitt asks.
void bench_context(Deployment& d, const LlamaState& st) {
  const std::uint64_t tokens = checked_add(std::max({st.bench_prompt, st.bench_gen, st.bench_pg}), st.bench_depth, "llama-bench");
  if (tokens == 0) fail_at(d.path, d.line, "llama-bench with -p 0 and -n 0 runs no test");
  d.context = tokens;
  d.notes.push_back({0, "llama-bench: its largest test holds " + std::to_string(tokens) +
                            " tokens (prompt + generated + depth: llama-bench's n_ctx), on one sequence"});
}

void apply(const Catalog& catalog, Deployment& d, LlamaState& st, const Option& o, const Word& w, const std::string& value) {
  const std::string& path = d.path;
  switch (o.arg) {
    case Arg::model:
      d.line = w.line;
      d.model_text = placeholder_inner(value);
      if (d.model_text != value) d.notes.push_back({w.line, "'" + value + "' is a placeholder: the model is told from its name"});
      {
        const std::string& name = d.model_text;
        const bool gguf = name.find(".gguf") != std::string::npos || name.find(".GGUF") != std::string::npos;
        const std::optional<ModelFileRead> file =
            gguf ? at_line(path, w.line, [&] { return read_model_file(catalog, name); }) : std::nullopt;
        if (file) {
          from_file(catalog, d, *file, w.line);
          break;
        }
        const ModelMatch m = match_or_hint(d, w.line, name, [&](const std::string& n) { return match_llama_name(catalog, n); });
        d.model = m.model;
        d.preset = m.preset;
      }
      break;
    case Arg::hf_repo:
      st.hf_repo = value;
      st.hf_line = w.line;
      break;
    case Arg::hf_file: st.hf_file = value; break;
    case Arg::ctx:
      d.context = count_value(path, w, value, "a number of tokens (0: the model's maximum)");
      d.context_line = w.line;
      break;
    case Arg::parallel:
      d.settings.parallel = positive_count(path, w, value, "a positive number of sequences");
      st.parallel_stated = true;
      break;
    case Arg::cache_k: d.settings.kv_type_k = at_line(path, w.line, [&] { return catalog.find_kv_type(value).id; }); break;
    case Arg::cache_v: d.settings.kv_type_v = at_line(path, w.line, [&] { return catalog.find_kv_type(value).id; }); break;
    case Arg::gpu_layers:
      st.ngl_stated = value != "auto";
      if (value == "all" || value == "auto" || value == "-1")
        d.gpu_layers.reset();
      else
        d.gpu_layers = count_value(path, w, value, "a number of layers, 'auto' or 'all'");
      break;
    case Arg::n_cpu_moe: d.cpu_moe_layers = count_value(path, w, value, "a number of layers"); break;
    case Arg::cpu_moe: d.cpu_moe_layers = 1000000; break;
    case Arg::ubatch: d.settings.ubatch = positive_count(path, w, value, "a positive batch size"); break;
    case Arg::batch: d.settings.batch = count_value(path, w, value, "a positive batch size"); break;
    case Arg::swa_full: d.settings.swa_full = true; break;
    case Arg::no_kv_offload: d.settings.kv_offload = false; break;
    case Arg::no_mmproj_offload: d.settings.mmproj_offload = false; break;
    case Arg::kv_unified:  // --kv-unified=false: a log's kv_unified line
    case Arg::no_kv_unified:
      d.settings.kv_unified = o.arg == Arg::kv_unified && parse_switch(value) != std::optional<bool>(false);
      st.kv_unified_stated = true;
      break;
    case Arg::mmproj: st.projector = true; break;
    case Arg::no_mmproj: st.no_projector = true; break;
    case Arg::no_repack: d.settings.cpu_repack = false; break;
    case Arg::fit: st.fit_off = parse_switch(value) == std::optional<bool>(false); break;
    case Arg::draft:  // --spec-type ngram-* needs no model
      if (o.names[0] != std::string("--spec-type") || value.rfind("draft", 0) == 0) d.draft = true;
      break;
    case Arg::no_mmap: d.settings.mmap = false; break;
    case Arg::load_mode: d.settings.mmap = value == "mmap"; break;  // mlock, none and dio keep every page in RAM
    case Arg::draft_context: d.draft_context = count_value(path, w, value, "a number of tokens"); break;
    case Arg::fit_ctx: d.fit_min_context = positive_count(path, w, value, "a number of tokens"); break;
    case Arg::fit_target:  // MiB; one value a device (several GPUs are not modelled: the first); llama-bench fits only then
      if (st.bench) st.fit_off = false;
      d.fit_margin_bytes = checked_mul(count_value(path, w, value.substr(0, value.find(',')), "a size in MiB"),
                                       std::uint64_t{1} << 20, "--fit-target");
      break;
    case Arg::split_mode:  // llama.cpp's -sm none: the whole model on one GPU (the main GPU)
      if (value == "none")
        st.split_none = true;
      else
        d.unmodelled.push_back({w.line, w.text + " " + o.what});
      break;
    case Arg::main_gpu: st.main_gpu.push_back({w.line, w.text + " " + o.what}); break;
    case Arg::unmodelled: d.unmodelled.push_back({w.line, w.text + " " + o.what}); break;
    default: apply_bench(d, st, o, w, value); break;
  }
}

// No -c: llama.cpp takes the model's context (builds before --fit: a fixed default); with --fit (on by default)
// it lowers it until the plan fits.
void no_context(Deployment& d, bool fit_off, const LlamaDefaults& defaults) {
  if (defaults.context != 0) {
    d.context = std::min(defaults.context, d.model->max_context);
    d.notes.push_back({0, "no -c: llama.cpp's default context of " + std::to_string(*d.context) + " tokens"});
    return;
  }
  d.context = d.model->max_context;
  d.fit_context = !fit_off;
  d.notes.push_back(
      {0, fit_off
              ? "no -c and --fit off: llama.cpp uses the model's context of " + std::to_string(d.model->max_context) + " tokens"
              : "no -c: llama.cpp's --fit (on by default) lowers the model's " + std::to_string(d.model->max_context) +
                    " tokens to the largest context that leaves its margin free; that context is checked"});
}

void resolve_hf(const Catalog& catalog, Deployment& d, const LlamaState& st) {
  if (st.hf_repo.empty()) return;
  d.line = st.hf_line;
  d.model_text = st.hf_repo;
  const ModelMatch repo = at_line(d.path, st.hf_line, [&] { return match_hf_repo(catalog, st.hf_repo); });
  const ModelMatch m =
      st.hf_file.empty() ? repo : at_line(d.path, st.hf_line, [&] { return match_gguf_file(catalog, st.hf_file); });
  if (repo.model != m.model)
    fail_at(d.path, st.hf_line, "--hf-file names " + m.model->id + " but the repository is " + repo.model->id);
  d.model = m.model;
  d.preset = m.preset;
}

}  // namespace

std::optional<bool> llama_option_takes_value(const std::string& name) {
  const Option* o = find_option(name);
  if (!o) return std::nullopt;
  return o->value;
}

namespace {

// The release a command runs: a log's build line, else deployment_release's.
RuntimeRelease command_release(const Catalog& catalog, const std::string& path, std::string_view text, bool log) {
  const std::optional<std::string> build = log ? log_build(text) : std::nullopt;
  const std::optional<RuntimeRelease> stated =
      build ? at_line(path, 0, [&] { return stated_release(catalog, "llama.cpp", *build, "the log's build line"); })
            : std::nullopt;
  return deployment_release(catalog, "llama.cpp", stated);
}

// The defaults of the release for what the command left out, and the note that says so.
void apply_release(Deployment& d, const LlamaState& st, const RuntimeRelease& release, bool server) {
  const LlamaDefaults defaults = llama_defaults(release);
  d.settings.flash_attn_kv_copy = defaults.flash_attn_kv_copy;
  std::string applied;
  const auto add = [&](const std::string& what) { applied += (applied.empty() ? "" : "; ") + what; };
  if (!st.flash_attn_stated) {
    d.settings.flash_attn = st.bench ? defaults.bench_flash_attn : defaults.flash_attn;
    add(std::string(st.bench ? "llama-bench with no -fa: flash attention " : "no -fa: flash attention ") +
        (d.settings.flash_attn ? "on (auto)" : "off"));
  }
  if (server && !st.parallel_stated) {
    d.settings.parallel = defaults.parallel;
    if (!st.kv_unified_stated) d.settings.kv_unified = defaults.kv_unified;
    add("no -np: " + std::to_string(defaults.parallel) + (defaults.parallel == 1 ? " slot" : " slots") +
        (d.settings.kv_unified ? " sharing one unified KV cache of the -c cells" : ""));
  } else if (st.parallel_stated && !st.kv_unified_stated) {
    d.settings.kv_unified = false;  // an explicit -np keeps a cache per slot (ggml-org/llama.cpp#17997)
  }
  if (!d.fit_min_context) d.fit_min_context = defaults.fit_min_context;
  if (!d.fit_margin_bytes) d.fit_margin_bytes = defaults.fit_margin_bytes;
  note_release(d, release, applied);
}

}  // namespace

Deployment read_llama_command(const Catalog& catalog, const std::string& path, std::string_view text) {
  Deployment d;
  d.path = path;
  d.format = ConfigFormat::llama_cpp;
  d.settings = default_settings(catalog.default_runtime());
  LlamaState st;
  const bool log = is_llama_log(text);
  const RuntimeRelease release = command_release(catalog, path, text, log);
  st.fit_off = !llama_defaults(release).fit;
  const std::vector<Word> all_words = log ? std::vector<Word>{} : shell_words(path, text);
  const bool server = log || runs_server(all_words);
  st.bench = !log && runs_bench(all_words);
  if (st.bench) st.fit_off = true;
  std::vector<Word> words = log ? log_words(text) : command_words(path, all_words);
  split_glued(words, d.warnings);
  if (log) d.notes.push_back({0, "read as a llama.cpp load log: the model file and settings it reports"});
  for (std::size_t i = 0; i < words.size(); ++i) {
    const Word& w = words[i];
    std::string name = w.text, value;
    const std::size_t eq = name.find('=');
    const bool inline_value = name.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Option* o = find_option(name, st.bench);
    const bool next_is_value = i + 1 < words.size() && words[i + 1].text.rfind('-', 0) != 0;
    if (!o) {
      if (name.rfind('-', 0) != 0) {
        d.warnings.push_back({w.line, "unexpected argument '" + w.text + "' (ignored)"});
        continue;
      }
      warn_unknown(d, w.line, "unknown option " + name, name, option_names);
      if (!inline_value && next_is_value) ++i;
      continue;
    }
    if (o->arg == Arg::flash_attn) {  // -fa, or -fa on|off|auto
      const std::optional<bool> on = next_is_value ? parse_switch(words[i + 1].text) : std::nullopt;
      const bool is_auto = next_is_value && words[i + 1].text == "auto";
      if (on || is_auto) ++i;
      d.settings.flash_attn = on.value_or(true);
      st.flash_attn_stated = true;
      continue;
    }
    if (o->value && !inline_value) {
      if (i + 1 >= words.size()) fail_at(path, w.line, name + " needs a value (the file ends after it)");
      value = words[++i].text;
    }
    apply(catalog, d, st, *o, w, st.bench ? bench_value(d, *o, w, value) : value);
  }
  if (!st.split_none) d.unmodelled.insert(d.unmodelled.end(), st.main_gpu.begin(), st.main_gpu.end());
  resolve_hf(catalog, d, st);
  const bool hf_projector = !st.hf_repo.empty() && !st.no_projector && !st.bench;  // llama-bench loads no projector
  if (d.model && (st.projector || hf_projector)) {
    d.settings.vision = d.model->has_modality("image");
    d.settings.audio = d.model->has_modality("audio");
    if (hf_projector && !st.projector)
      d.notes.push_back({st.hf_line, "-hf loads the repository's mmproj file too (add --no-mmproj to leave it out)"});
  }
  model_from_hint(d, [&](const std::string& n) { return match_llama_name(catalog, n); });
  if (st.bench) bench_context(d, st);
  if (d.context && *d.context == 0 && d.model) d.context = d.model->max_context;
  if (!d.context && d.model) no_context(d, st.fit_off, llama_defaults(release));
  d.fit_layers = !st.fit_off && !st.ngl_stated && d.cpu_moe_layers == 0;
  apply_release(d, st, release, server);
  finish_deployment(d);
  return d;
}

}  // namespace fitcheck::readers

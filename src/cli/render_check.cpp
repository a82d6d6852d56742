// `fitcheck check` for people (text), for GitHub Actions (workflow annotations) and for JUnit readers.
#include <fmt/format.h>

#include <algorithm>

#include "core/text.hpp"
#include "cli/report.hpp"
#include "fitcheck/units.hpp"

namespace fitcheck::cli {
namespace {

std::string signed_gib(std::int64_t bytes) {
  const std::uint64_t magnitude = bytes < 0 ? static_cast<std::uint64_t>(-(bytes + 1)) + 1 : static_cast<std::uint64_t>(bytes);
  return (bytes < 0 ? "-" : "") + format_gib(magnitude);
}

std::string subject(const CheckItem& item) {
  const Deployment& d = item.deployment;
  const CheckResult& r = item.result;
  return fmt::format("{} {}, context {}, {} on {}", d.model->id, d.preset->id, r.context, d.server_name(), item.hardware.name);
}

// "compose.yaml:12 [llama]": the file, the line, and the deployment's name in a file of several.
std::string place(const Deployment& d) {
  return fmt::format("{}:{}{}", text::one_line(d.path), d.line, d.name.empty() ? "" : " [" + text::one_line(d.name) + "]");
}

// "; 1 error (on stderr)" when a config, or a deployment in one, could not be read or checked.
std::string unread(const CheckReport& r) {
  if (r.errors.empty()) return "";
  return fmt::format("; {} error{} (on stderr)", r.errors.size(), r.errors.size() == 1 ? "" : "s");
}

std::string margin_text(const CheckResult& r) {
  if (r.budget.backend == Backend::cpu && !r.vllm) {  // nothing on a device: the RAM is the budget
    const std::int64_t left = r.host_bytes <= r.host_limit_bytes ? static_cast<std::int64_t>(r.host_limit_bytes - r.host_bytes)
                                                                 : -static_cast<std::int64_t>(r.host_bytes - r.host_limit_bytes);
    return fmt::format("none (CPU backend); RAM {} of {}, margin {}{}", format_gib(r.host_bytes), format_gib(r.host_limit_bytes),
                       signed_gib(left), r.headroom_bytes ? " (headroom " + format_gib(r.headroom_bytes) + ")" : "");
  }
  std::string text =
      fmt::format("{} of {}, margin {}", format_gib(r.device_bytes), format_gib(r.limit_bytes), signed_gib(r.margin_bytes));
  if (r.headroom_bytes > 0) text += fmt::format(" (headroom {})", format_gib(r.headroom_bytes));
  return text;
}

std::string verdict(const CheckResult& r) { return r.passes() ? "fits" : r.fits ? "too slow" : "does not fit"; }

std::string summary(const CheckItem& item) {
  const CheckResult& r = item.result;
  return verdict(r) + ": " + subject(item) + "; " + margin_text(r) + (r.reason.empty() ? "" : "; " + r.reason);
}

// "decode 36.2 tokens/s (30.1 with the context full), prefill 1210 tokens/s (940 filling the context); with the MTP
// drafter 42.7-48.1",
// or why the speed is unknown.
std::string speed_line(const CheckResult& r) {
  const Speed& s = r.speed;
  if (s.decode_tps <= 0) return "speed " + s.basis;
  std::string out =
      fmt::format("decode {:.1f} tokens/s ({:.1f} with the context full), prefill ", s.decode_tps, s.decode_tps_full);
  out += s.prefill_tps
             ? fmt::format("{:.0f} tokens/s ({:.0f} filling the context)", *s.prefill_tps, s.prefill_tps_full.value_or(0))
             : s.prefill_basis;
  if (s.mtp) out += fmt::format("; with the MTP drafter {:.1f}-{:.1f} tokens/s", s.mtp->low_tps, s.mtp->high_tps);
  return out;
}

void footprint_lines(std::string& out, const CheckItem& item) {
  const CheckResult& r = item.result;
  if (r.footprint) {
    const Footprint& f = *r.footprint;
    out += fmt::format("  weights {}, KV cache {} ({}{}), compute {}, overhead {}", format_gib(f.weights.total()),
                       format_gib(f.kv_cache.total()), kv_type_label(f.settings),
                       f.kv_cache.device == 0 && f.kv_cache.host > 0 && f.settings.on_gpu() ? ", in host RAM" : "",
                       format_gib(f.compute.total()), format_gib(f.overhead.total()));
    if (f.projector.total() > 0) out += ", projector " + format_gib(f.projector.total());
    out += fmt::format("; {} tokens over {} sequence{}, ubatch {}, flash attention {}\n", r.context, f.settings.parallel,
                       f.settings.parallel == 1 ? "" : "s", f.settings.ubatch, f.settings.flash_attn ? "on" : "off");
    if (r.host_bytes > 0 && r.host_limit_bytes > 0) {
      out += fmt::format("  host RAM {} of {}\n", format_gib(r.host_bytes), format_gib(r.host_limit_bytes));
    }
  }
  if (r.vllm) {
    const VllmPlan& p = *r.vllm;
    const VllmSettings& s = r.vllm_settings;
    const std::string drafter = p.drafter_bytes ? " (MTP drafter " + format_gib(p.drafter_bytes) + ")" : "";
    out += fmt::format(
        "  vLLM takes {:.2f} x {} (the total CUDA reports) = {}: weights {}{}, profiled peak {}, non-torch {}, CUDA "
        "graphs {}, KV blocks {}; {} stays outside for the CUDA context{}\n",
        s.gpu_memory_utilization, format_gib(p.reported_bytes), format_gib(p.usable_bytes), format_gib(p.weights_bytes), drafter,
        format_gib(p.activation_bytes), format_gib(p.non_torch_bytes), format_gib(p.cudagraph_bytes), format_gib(p.kv_bytes),
        format_gib(p.outside_bytes), p.drafter_bytes ? " and the drafter's late graph capture" : "");
    out += fmt::format(
        "  one {}-token request needs {} of KV blocks: {} fit at once (max_num_seqs {}); the longest "
        "single request: {} tokens\n",
        s.max_model_len, format_gib(p.sequence_kv_bytes), std::min(p.sequences, s.max_num_seqs), s.max_num_seqs,
        p.max_model_len_fit);
  }
}

void note_lines(std::string& out, const std::vector<ConfigNote>& notes, const char* kind) {
  for (const ConfigNote& n : notes) {
    out += fmt::format("  {}{}: {}\n", kind, n.line ? fmt::format(" (line {})", n.line) : "", n.message);
  }
}

// What the count in the first line means: "fit", or under --min-tps "pass (fit, decode at 30 tokens/s or faster)".
std::string passed(const CheckReport& r) {
  return r.min_tps ? fmt::format("pass (fit, and decode at {:g} tokens/s or faster)", *r.min_tps) : "fit";
}

std::size_t failures(const CheckReport& r) {
  return static_cast<std::size_t>(
      std::count_if(r.items.begin(), r.items.end(), [](const CheckItem& i) { return !i.result.passes(); }));
}

// GitHub workflow command escaping: data, and property values (which also escape ':' and ',').
std::string escape_data(const std::string& raw) {
  std::string out;
  for (const char c : text::to_utf8(raw)) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string escape_property(const std::string& text) {
  std::string out;
  for (const char c : escape_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

// An annotation on file:line; without a file it goes on the workflow run, without a line on the whole file.
std::string annotation(const char* level, const std::string& file, std::size_t line, const std::string& message) {
  std::string props;
  if (!file.empty()) props += "file=" + escape_property(file) + ",";
  if (!file.empty() && line > 0) props += "line=" + std::to_string(line) + ",";
  return fmt::format("::{} {}title=fitcheck::{}\n", level, props, escape_data(message));
}

using text::xml_escape;

}  // namespace

bool CheckReport::all_fit() const {
  return errors.empty() && std::all_of(items.begin(), items.end(), [](const CheckItem& i) { return i.result.passes(); });
}

int CheckReport::exit_code() const {
  if (!errors.empty()) return static_cast<int>(Errc::data);
  return all_fit() ? 0 : 1;
}

std::string vllm_basis() {
  return "vLLM's rule (v0.21 and later): gpu_memory_utilization x the total CUDA reports (measured per GPU, else "
         "an NVIDIA GPU's driver-reported memory less the driver's reservation), less the weights (BF16, or the "
         "checkpoint's scheme, with the encoders and an MTP drafter's 16-bit checkpoint), the profiled peak (derived, "
         "not measured: max_num_batched_tokens x (4 x hidden + 3 x FFN width) x 2 bytes, and FP32 logits and "
         "probabilities for min(max_num_seqs, max_num_batched_tokens) rows, twice that with speculative decoding, and "
         "an MTP drafter's profiled share, fitted on public boots), memory outside PyTorch (the platform reserve) and "
         "its CUDA graph estimate (per captured size and layer, fitted on a public boot), goes to KV blocks; a page is "
         "block_size tokens of the layer with the most KV bytes per token (per-token-head scales included), a layer "
         "with a divisor of that holds more tokens per page and any other pads its page; full layers hold "
         "max_model_len, sliding layers min(window - 1 + max_num_batched_tokens, max_model_len) plus one block; K and V "
         "both stored, KV-shared layers and the drafter none; what stays outside the share (the CUDA context vLLM finds "
         "at start, an MTP drafter's late graph capture) must fit in the rest";
}

std::string text_check(const CheckReport& r) {
  std::string out = fmt::format("fitcheck check: {} of {} deployments {}{}{}\n", r.items.size() - failures(r), r.items.size(),
                                passed(r), r.headroom.empty() ? "" : " with headroom " + r.headroom, unread(r));
  for (const CheckItem& item : r.items) {
    const Deployment& d = item.deployment;
    out +=
        fmt::format("\n{} {} ({}): {}\n", item.result.passes() ? "PASS" : "FAIL", place(d), format_name(d.format), subject(item));
    out += "  device " + margin_text(item.result) + "\n";
    footprint_lines(out, item);
    out += "  " + speed_line(item.result) + "\n";
    if (!item.result.reason.empty()) out += "  why: " + item.result.reason + "\n";
    note_lines(out, d.notes, "note");
    note_lines(out, d.warnings, "warning");
  }
  return out;
}

std::string github_error(const std::string& file, std::size_t line, const std::string& reason) {
  return annotation("error", file, line, reason);
}

std::string github_check(const CheckReport& r) {
  std::string out;
  for (const CheckItem& item : r.items) {
    const Deployment& d = item.deployment;
    for (const ConfigNote& w : d.warnings) out += annotation("warning", d.path, w.line, w.message);
    out += annotation(item.result.passes() ? "notice" : "error", d.path, d.line,
                      (d.name.empty() ? "" : d.name + ": ") + summary(item));
  }
  out += fmt::format("fitcheck check: {} of {} deployments {}{}\n", r.items.size() - failures(r), r.items.size(), passed(r),
                     unread(r));
  return out;
}

std::string junit_check(const CheckReport& r) {
  const std::size_t failed = failures(r);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::size_t tests = r.items.size() + r.errors.size();
  out += fmt::format("<testsuites name=\"fitcheck check\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests, failed,
                     r.errors.size());
  out += fmt::format("  <testsuite name=\"fitcheck check\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests, failed,
                     r.errors.size());
  for (const Error& e : r.errors) {
    out += fmt::format("    <testcase classname=\"fitcheck.check\" name=\"{}\" file=\"{}\" line=\"{}\">\n", xml_escape(e.file()),
                       xml_escape(e.file()), e.line());
    out += fmt::format("      <error message=\"{}\">{}</error>\n", xml_escape(e.reason()), xml_escape(e.what()));
    out += "    </testcase>\n";
  }
  for (const CheckItem& item : r.items) {
    const Deployment& d = item.deployment;
    const std::string name = d.name.empty() ? d.path : d.path + " [" + d.name + "]";
    out += fmt::format("    <testcase classname=\"fitcheck.check\" name=\"{}\" file=\"{}\" line=\"{}\">\n", xml_escape(name),
                       xml_escape(d.path), d.line);
    if (!item.result.passes()) {
      out +=
          fmt::format("      <failure message=\"{}\">{}</failure>\n", xml_escape(item.result.reason), xml_escape(summary(item)));
    }
    std::string details = subject(item) + "; " + margin_text(item.result);
    for (const ConfigNote& w : d.warnings) details += "\nwarning: " + w.message;
    out += "      <system-out>" + xml_escape(details) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace fitcheck::cli

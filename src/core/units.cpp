#include "fitcheck/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "core/text.hpp"
#include "fitcheck/error.hpp"

namespace fitcheck {
namespace {

using text::lower;
using text::trim;

// Splits "12.5GiB" into the number text and the unit text.
std::pair<std::string_view, std::string_view> split_number(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  return {text.substr(0, i), trim(text.substr(i))};
}

// Parses "12" or "12.5" as an exact fraction whole + frac/10^digits, then multiplies by `unit`.
std::uint64_t scaled(std::string_view number, std::uint64_t unit, std::string_view original, std::string_view what,
                     std::string_view examples) {
  const auto bad = [&] {
    return Error(Errc::usage,
                 "invalid " + std::string(what) + " '" + std::string(original) + "': expected " + std::string(examples));
  };
  const auto dot = number.find('.');
  const std::string_view whole_text = number.substr(0, dot);
  const std::string_view frac_text = dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  if (whole_text.empty() && frac_text.empty()) throw bad();
  if (frac_text.find('.') != std::string_view::npos || frac_text.size() > 9) throw bad();
  std::uint64_t whole = 0;
  if (!whole_text.empty()) {
    auto [ptr, ec] = std::from_chars(whole_text.data(), whole_text.data() + whole_text.size(), whole);
    if (ec != std::errc{} || ptr != whole_text.data() + whole_text.size()) throw bad();
  }
  std::uint64_t frac = 0;
  std::uint64_t frac_scale = 1;
  for (char c : frac_text) {
    frac = frac * 10 + static_cast<std::uint64_t>(c - '0');
    frac_scale *= 10;
  }
  const std::uint64_t whole_bytes = checked_mul(whole, unit, what);
  const std::uint64_t frac_bytes = checked_mul(frac, unit, what) / frac_scale;
  return checked_add(whole_bytes, frac_bytes, what);
}

}  // namespace

void throw_overflow(std::string_view what, std::string_view operation) {
  throw Error(Errc::usage, std::string(what) + " is too large: the " + std::string(operation) + " overflows 64-bit bytes");
}

namespace {

// Bytes per unit; 0 for a unit fitcheck does not know. `label`: KB, MB, GB and TB are binary, as on a card's box.
std::uint64_t unit_bytes(const std::string& unit, bool label) {
  const std::uint64_t kilo = label ? k_kib : 1000;
  if (unit.empty() || unit == "b") return 1;
  if (unit == "kib" || unit == "k") return k_kib;
  if (unit == "mib" || unit == "m") return k_mib;
  if (unit == "gib" || unit == "g") return k_gib;
  if (unit == "tib" || unit == "t") return 1024 * k_gib;
  if (unit == "kb") return kilo;
  if (unit == "mb") return kilo * kilo;
  if (unit == "gb") return kilo * kilo * kilo;
  if (unit == "tb") return kilo * kilo * kilo * kilo;
  return 0;
}

std::uint64_t parse_size_as(std::string_view text, bool label) {
  const std::string_view trimmed = trim(text);
  const auto [number, unit_text] = split_number(trimmed);
  const std::uint64_t unit = unit_bytes(lower(unit_text), label);
  if (unit == 0) {
    throw Error(Errc::usage, "invalid size '" + std::string(text) + "': unknown unit '" + std::string(unit_text) +
                                 "' (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)");
  }
  if (unit == 1 && number.find('.') != std::string_view::npos) {
    throw Error(Errc::usage, "invalid size '" + std::string(text) + "': a byte count must be a whole number");
  }
  return scaled(number, unit, text, "size", "a number with an optional unit, e.g. 12GiB, 12GB or 12884901888");
}

}  // namespace

std::uint64_t parse_size(std::string_view text) { return parse_size_as(text, false); }

std::uint64_t parse_size_option(std::string_view text, SizeUnits units) {
  const auto [number, unit_text] = split_number(trim(text));
  if (unit_text.empty() && !number.empty()) {
    throw Error(Errc::usage, "invalid size '" + std::string(text) + "': add a unit, e.g. " + std::string(number) + "GiB or " +
                                 std::string(number) + "GB");
  }
  return parse_size_as(text, units == SizeUnits::label);
}

std::uint64_t parse_context(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const auto [number, unit_text] = split_number(trimmed);
  const std::string unit = lower(unit_text);
  std::uint64_t unit_tokens = 0;
  if (unit.empty())
    unit_tokens = 1;
  else if (unit == "k")
    unit_tokens = 1024;
  else {
    throw Error(Errc::usage,
                "invalid context '" + std::string(text) + "': expected a token count such as 32768, 32k or 128K (k = 1024)");
  }
  if (number.find('.') != std::string_view::npos || number.empty()) {
    throw Error(Errc::usage, "invalid context '" + std::string(text) + "': expected a whole token count such as 32768 or 32k");
  }
  return scaled(number, unit_tokens, text, "context", "a token count such as 32768, 32k or 128K (k = 1024)");
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::optional<double> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  const std::string s(text);
  std::size_t used = 0;
  try {
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

// Bytes in `unit`s with two decimals, rounded half up, computed in integers: "12.00 GiB".
std::string format_in(std::uint64_t bytes, std::uint64_t unit, const char* suffix) {
  const std::uint64_t hundredths = (bytes / unit) * 100 + ((bytes % unit) * 100 + unit / 2) / unit;
  std::string frac = std::to_string(hundredths % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return std::to_string(hundredths / 100) + "." + frac + " " + suffix;
}

}  // namespace

std::string format_gib(std::uint64_t bytes) { return format_in(bytes, k_gib, "GiB"); }
std::string format_mib(std::uint64_t bytes) { return format_in(bytes, k_mib, "MiB"); }

std::string format_context(std::uint64_t tokens) {
  if (tokens != 0 && tokens % 1024 == 0) return std::to_string(tokens / 1024) + "K";
  return std::to_string(tokens);
}

}  // namespace fitcheck

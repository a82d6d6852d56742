#pragma once
// Byte arithmetic and unit parsing. Units only at the edges: MiB/GiB = 2^20/2^30, MB/GB = 10^6/10^9.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fitcheck {

inline constexpr std::uint64_t k_kib = 1024;
inline constexpr std::uint64_t k_mib = 1024 * k_kib;
inline constexpr std::uint64_t k_gib = 1024 * k_mib;

// Throws Error(Errc::usage): "<what> is too large: the <operation> overflows 64-bit bytes".
[[noreturn]] void throw_overflow(std::string_view what, std::string_view operation);

// Overflow-checked arithmetic (inline: they sit on the hot path of every footprint); throws on overflow.
inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, std::string_view what = "size") {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) throw_overflow(what, "sum");
  return sum;
}
inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, std::string_view what = "size") {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) throw_overflow(what, "product");
  return product;
}
inline std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0 ? 1 : 0); }
inline std::uint64_t round_up(std::uint64_t value, std::uint64_t multiple) {
  return checked_mul(ceil_div(value, multiple), multiple);
}

// "12GiB", "12 GB", "512MiB", "12884901888" -> bytes. Throws Error(Errc::usage).
std::uint64_t parse_size(std::string_view text);
// What KB, MB, GB and TB mean in a size option.
enum class SizeUnits {
  decimal,  // 10^9 bytes a GB: an amount (--reserve, --headroom)
  label,    // the size printed on a card, a Mac or a DIMM, which are sold in binary units labelled GB: 2^30
};
// A size on the command line: the unit is required, since a bare "24" could be GiB, GB or bytes
// ("24B" is bytes). Throws Error(Errc::usage): "invalid size '24': add a unit, e.g. 24GiB or 24GB".
std::uint64_t parse_size_option(std::string_view text, SizeUnits units);
// "32768", "32k", "128K" (k = 1024 tokens) -> tokens. Throws Error(Errc::usage).
std::uint64_t parse_context(std::string_view text);

// Numbers as people and config files write them: a plain decimal count ("512"; no sign, at most 19
// digits) or a finite decimal ("0.9", "51.2"); nullopt when `text` is not one.
std::optional<std::uint64_t> parse_count(std::string_view text);
std::optional<double> parse_decimal(std::string_view text);

// 12.00 GiB style, two decimals, binary units.
std::string format_gib(std::uint64_t bytes);
std::string format_mib(std::uint64_t bytes);
// 32768 -> "32K" when a multiple of 1024, else the plain number.
std::string format_context(std::uint64_t tokens);

}  // namespace fitcheck

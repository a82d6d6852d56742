#pragma once
// One way to name an enum's values: a table of {name, value} next to the enum, read both ways.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fitcheck {

template <class E>
struct EnumName {
  const char* name;
  E value;
};

template <class E, std::size_t N>
constexpr const char* name_of(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

template <class E, std::size_t N>
std::optional<E> value_named(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& entry : table) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

// "a, b, c": the names, for a message that says what is expected.
template <class E, std::size_t N>
std::string names_of(const EnumName<E> (&table)[N]) {
  std::string out;
  for (const EnumName<E>& entry : table) out += (out.empty() ? "" : ", ") + std::string(entry.name);
  return out;
}

}  // namespace fitcheck

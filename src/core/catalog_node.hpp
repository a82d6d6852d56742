#pragma once
// A located view of one catalog JSON value, for the section readers: typed getters that fail with
// "invalid catalog <fragment> at <JSON pointer>: <why>". Each node carries its fragment name and pointer
// by value, so a node outlives the node it came from.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fitcheck/enum_names.hpp"

namespace fitcheck {

class Node {
 public:
  Node(const nlohmann::json& value, std::string fragment) : m_value(&value), m_fragment(std::move(fragment)) {}

  [[noreturn]] void fail(const std::string& why) const;
  bool has(const char* key) const { return m_value->is_object() && m_value->contains(key); }
  Node at(const char* key) const;
  std::vector<Node> items() const;
  const nlohmann::json& json() const { return *m_value; }
  const std::string& fragment() const { return m_fragment; }

  std::uint64_t u64() const;
  std::uint64_t positive() const;
  // An integer in [low, high], named in the message.
  std::uint64_t in_range(std::uint64_t low, std::uint64_t high) const;
  double number() const;
  bool boolean() const;
  std::string str() const;
  std::string nonempty() const;
  // One of an enum's names: "unknown <what> 'x' (a, b, c)" otherwise.
  template <class E, std::size_t N>
  E named(const EnumName<E> (&table)[N], const char* what) const {
    const std::string s = nonempty();
    if (const std::optional<E> value = value_named(table, s)) return *value;
    fail(std::string("unknown ") + what + " '" + s + "' (" + names_of(table) + ")");
  }
  std::vector<std::string> strings() const;           // a list of non-empty strings
  std::vector<std::string> nonempty_strings() const;  // ... holding at least one
  // Every object holding numbers must say where they come from.
  void require_source() const;

 private:
  Node(const nlohmann::json& value, const std::string& fragment, std::string pointer)
      : m_value(&value), m_fragment(fragment), m_pointer(std::move(pointer)) {}

  const nlohmann::json* m_value;
  std::string m_fragment;
  std::string m_pointer;  // "" for the fragment's root
};

}  // namespace fitcheck

#include "core/catalog_node.hpp"

#include "fitcheck/error.hpp"

namespace fitcheck {

void Node::fail(const std::string& why) const {
  throw Error(Errc::data, "invalid catalog " + m_fragment + " at " + (m_pointer.empty() ? "/" : m_pointer) + ": " + why);
}

Node Node::at(const char* key) const {
  if (!m_value->is_object()) fail("expected an object");
  const auto it = m_value->find(key);
  if (it == m_value->end()) Node(*m_value, m_fragment, m_pointer + "/" + key).fail("missing required field");
  return Node(*it, m_fragment, m_pointer + "/" + key);
}

std::vector<Node> Node::items() const {
  if (!m_value->is_array()) fail("expected an array");
  std::vector<Node> out;
  out.reserve(m_value->size());
  for (std::size_t i = 0; i < m_value->size(); ++i)
    out.push_back(Node((*m_value)[i], m_fragment, m_pointer + "/" + std::to_string(i)));
  return out;
}

std::uint64_t Node::u64() const {
  if (!m_value->is_number_unsigned() && !(m_value->is_number_integer() && m_value->get<std::int64_t>() >= 0)) {
    fail("expected a non-negative integer");
  }
  return m_value->get<std::uint64_t>();
}

std::uint64_t Node::positive() const {
  const std::uint64_t v = u64();
  if (v == 0) fail("expected a positive integer");
  return v;
}

std::uint64_t Node::in_range(std::uint64_t low, std::uint64_t high) const {
  const std::uint64_t v = u64();
  if (v < low || v > high) fail("expected an integer from " + std::to_string(low) + " to " + std::to_string(high));
  return v;
}

double Node::number() const {
  if (!m_value->is_number()) fail("expected a number");
  return m_value->get<double>();
}

bool Node::boolean() const {
  if (!m_value->is_boolean()) fail("expected true or false");
  return m_value->get<bool>();
}

std::string Node::str() const {
  if (!m_value->is_string()) fail("expected a string");
  return m_value->get<std::string>();
}

std::string Node::nonempty() const {
  std::string text = str();
  if (text.empty()) fail("expected a non-empty string");
  return text;
}

std::vector<std::string> Node::strings() const {
  std::vector<std::string> out;
  for (const Node& n : items()) out.push_back(n.nonempty());
  return out;
}

std::vector<std::string> Node::nonempty_strings() const {
  std::vector<std::string> out = strings();
  if (out.empty()) fail("expected a list of at least one string");
  return out;
}

void Node::require_source() const {
  if (!has("source"))
    Node(*m_value, m_fragment, m_pointer + "/source").fail("missing source: every number in the catalog needs one");
  at("source").nonempty();
}

}  // namespace fitcheck

#pragma once
// One error type for the whole library; the CLI maps Errc to the process exit code.
#include <stdexcept>
#include <string>

namespace fitcheck {

// Values are the documented process exit codes (README "Exit codes").
enum class Errc : int {
  usage = 2,     // bad flag, unknown id, bad size, conflicting options
  data = 3,      // unreadable or invalid catalog, config or model file
  internal = 4,  // a bug
};

class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  Errc code() const noexcept { return m_code; }

 private:
  Errc m_code;
};

}  // namespace fitcheck

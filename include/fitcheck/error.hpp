#pragma once
// One error type for the whole library; the CLI maps Errc to the process exit code.
#include <cstddef>
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
  Error(Errc code, const std::string& message) : std::runtime_error(message), m_code(code), m_reason(message) {}
  // A data error in an input file; what() reads "<file>:<line>: <reason>", without ":<line>" when line is 0.
  static Error in_file(const std::string& file, std::size_t line, const std::string& reason) {
    Error e(Errc::data, file + (line ? ":" + std::to_string(line) : std::string()) + ": " + reason);
    e.m_file = file;
    e.m_line = line;
    e.m_reason = reason;
    return e;
  }
  Errc code() const noexcept { return m_code; }
  // Where the error is (empty and 0 when it is in no file), and the message without that place.
  const std::string& file() const noexcept { return m_file; }
  std::size_t line() const noexcept { return m_line; }
  const std::string& reason() const noexcept { return m_reason; }

 private:
  Errc m_code;
  std::string m_file;
  std::size_t m_line = 0;
  std::string m_reason;
};

}  // namespace fitcheck

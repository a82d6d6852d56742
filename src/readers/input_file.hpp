#pragma once
// Reading the files fitcheck is given: regular files only (a FIFO, a device or a socket could block or never
// end), bounded in size before anything is parsed. README "Bad input" documents the limits.
#include <cstdint>
#include <string>

namespace fitcheck::readers {

inline constexpr std::uint64_t k_max_config_bytes = 4ULL << 20;    // a deployment config or env file
inline constexpr std::uint64_t k_max_catalog_bytes = 16ULL << 20;  // a --catalog file (the built-in one is ~0.2 MiB)

// The whole file; throws Error::in_file(path, 0, why) when it is not a readable regular file of at most
// `limit` bytes. `what` names the kind of file for the message ("a config file").
std::string read_input_file(const std::string& path, std::uint64_t limit, const char* what);

}  // namespace fitcheck::readers

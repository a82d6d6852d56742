#pragma once
// The fuzz targets' bodies, shared by the libFuzzer binaries (fuzz/main_*.cpp) and the regression test
// that replays every kept crasher (tests/unit/fuzz_regression_test.cpp). Each takes arbitrary bytes and
// returns normally when fitcheck handled them as it must: a result, or a fitcheck::Error of the right kind.
// Anything else (another exception, a crash, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fitcheck::fuzz {

// The catalog loader, on the bytes as one --catalog file.
void catalog(std::string_view data);
// Each deployment config reader (recognized by content, and forced to each format), then the check.
void config(std::string_view data);
// The YAML readers (compose, Kubernetes, Helm values, llama-swap) and the parameter expansion.
void yaml(std::string_view data);
// The size, context, count and decimal parsers and the catalog lookups (GPU names, models, presets).
void parsers(std::string_view data);
// The whole command line: arguments separated by NUL bytes; exit 4 (a bug) is a finding.
void command_line(std::string_view data);
// The GGUF header reader: the first 8 bytes (little-endian) are the file's size, the rest its first bytes; a
// header read is then recognized and planned as a model.
void gguf_header(std::string_view data);

}  // namespace fitcheck::fuzz

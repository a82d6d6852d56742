#pragma once
// fitcheck's version, from CMake's project(VERSION) through one generated source file (src/core/version.cpp.in),
// so that a version bump recompiles one file, not the whole tree.
namespace fitcheck {

const char* version();

}  // namespace fitcheck

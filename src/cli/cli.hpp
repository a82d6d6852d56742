#pragma once
// The command-line front end, runnable in-process (tests) or from main().
#include <iosfwd>
#include <string>
#include <vector>

namespace fitcheck::cli {

// Runs fitcheck with `args` (without the program name). Results go to `out`, diagnostics to `err`.
// Returns the process exit code (README "Exit codes"). stdout stays empty on exit codes 2 to 4.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fitcheck::cli

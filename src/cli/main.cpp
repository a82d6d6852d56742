#include <csignal>
#include <iostream>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  // A closed stdout (`fitcheck ... | head -1`) is a write error that run() reports, not a signal that kills it.
  std::signal(SIGPIPE, SIG_IGN);
  return fitcheck::cli::run(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}

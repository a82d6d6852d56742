add_library(fitcheck_warnings INTERFACE)
target_compile_options(fitcheck_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)

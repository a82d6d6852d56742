add_library(fitcheck_warnings INTERFACE)
target_compile_options(fitcheck_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports a false positive inside libstdc++'s std::string (GCC bug 105329).
  target_compile_options(fitcheck_warnings INTERFACE -Wno-restrict)
endif()

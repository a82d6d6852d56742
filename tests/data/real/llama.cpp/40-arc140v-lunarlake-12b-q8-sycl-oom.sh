# source: https://github.com/ggml-org/llama.cpp/issues/25502 (flags as written in the issue: "First try with -ngl 99 -fit off -c 8192 -ub 256"; binary not named, version line is from llama-cli)
-ngl 99 -fit off -c 8192 -ub 256

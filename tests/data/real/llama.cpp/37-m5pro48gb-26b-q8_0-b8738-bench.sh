# source: https://github.com/jalemieux/curunir-evals/blob/ca4189eda70384b2ce05607be70733881b474219/reviews/article-draft-26b-perf-20260409.md
# (published at https://jalemieux.github.io/curunir-evals/reviews/article-draft-26b-perf-20260409): the "Baseline" run,
# $model = unsloth/gemma-4-26B-A4B-it-GGUF Q8_0 (25.00 GiB on disk), llama.cpp d6f303004 (b8738) built with
# "cmake -B build" and "cmake --build build --config Release -j"; MacBook Pro, Apple M5 Pro, 48 GB unified memory
# (Metal recommended max working set 40,200 MB). Result: pp512 1610.52 t/s, tg128 53.72 t/s.
./build/bin/llama-bench -m $model

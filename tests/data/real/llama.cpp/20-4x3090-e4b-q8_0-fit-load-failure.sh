# source: https://github.com/ggml-org/llama.cpp/issues/21730 (comment by heislera763, 2026-04-15)
llama-server -np 1 -m small-models/gemma-4-e4b-it-Q8_0-new/google_gemma-4-E4B-it-Q8_0.gguf --port 1234 --fit on --verbose

# source: https://github.com/ggml-org/llama.cpp/pull/23398 (comment by exander77, 2026-05-20)
llama-server -m models/Gemma4-31B-Q8_0.gguf -md models/mtp-gemma-4-31B-it.gguf -c 16384 --spec-type draft-mtp --spec-draft-n-max 4 --port 18080

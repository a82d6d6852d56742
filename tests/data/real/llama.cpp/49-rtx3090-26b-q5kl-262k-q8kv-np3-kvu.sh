# source: https://github.com/ggml-org/llama.cpp/issues/24166 (bobvious, 2026-06-05), its Environment section:
# "GPU: RTX 3090 (24 GB)", "Model: Gemma-4-26B-A4B-it Q5_K_L (SWA, n_swa=1024) via `llama-server`",
# "Model ~22 GB resident; ~2 GB VRAM headroom at 262k." The flags as posted (the model path is not part of them):
-ngl 99 -c 262144 -fa on --cache-type-k q8_0 --cache-type-v q8_0 --parallel 3 -kvu

# source: https://github.com/ggml-org/llama.cpp/issues/23075
llama-server   --host 0.0.0.0 --port 8080   --log-file llama-server.log   -m google_gemma-4-E2B-it-Q4_K_M.gguf   --mmproj mmproj-google_gemma-4-E2B-it-bf16.gguf   --threads 6 --n-gpu-layers auto --flash-attn on --temp 0.95 --top-k 64 --repeat-penalty 1.1 -c 12000 -lv 3

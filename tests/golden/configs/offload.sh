llama-server -m gemma-4-26B-A4B-it-Q4_K_M.gguf -c 32768 --n-cpu-moe 20 --no-mmproj

llama-server -m gemma-4-E2B-it-Q4_K_M.gguf -c 4096 --bogus-ÿþ

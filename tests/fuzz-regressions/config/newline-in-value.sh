llama-server -m "gemma-4-E2B-it-Q4_K_M.gguf" -c "40
96x"

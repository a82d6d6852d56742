llama-server -m '/models/gemma-4-E4B-it-Q4_K_M.gguf

llama-server -m gemma-4-31B-it-Q4_K_M.gguf -c 16384 \
  --tensor-split 1,1

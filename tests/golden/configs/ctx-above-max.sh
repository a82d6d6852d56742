llama-server -m /models/gemma-4-E2B-it-Q8_0.gguf \
  -c 262144 -ngl 99

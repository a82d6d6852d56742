llama-server -hf ggml-org/gemma-4-31B-it-GGUF:Q8_0 -c 131072

#!/bin/sh
# The 26B A4B MoE on a 24 GB card: 32K context, q8_0 KV cache, two parallel slots.
exec llama-server \
  -hf ggml-org/gemma-4-26B-A4B-it-GGUF:Q4_K_M \
  -c 32768 -np 2 \
  -ctk q8_0 -ctv q8_0 -fa on \
  -ngl 99 \
  --host 0.0.0.0 --port 8080 --jinja

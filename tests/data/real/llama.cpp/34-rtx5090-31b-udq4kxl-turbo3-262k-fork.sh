# source: https://www.reddlx.com/author/PerceptionGrouchy187 ('Gemma 4 31B at 256K Full Context on a Single RTX 5090 - TurboQuant KV Cache Benchmark')
# Config line as posted (results were llama-bench pp/tg runs):
--n-gpu-layers 99 --no-mmap --flash-attn on --cache-type-k turbo3 --cache-type-v turbo3

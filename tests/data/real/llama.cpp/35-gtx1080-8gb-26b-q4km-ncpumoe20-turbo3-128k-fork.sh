# source: https://mdda.net/blog/tech/dl/llama-cpp-moe-on-an-old-gtx-1080 (Martin Andrews, 2026-05-11; r/LocalLLaMA
# post mirrored at https://bittide.aicompass.dev/article/fcf0db81-51c5-453e-b91c-95476030f73a, dev.to write-up
# https://dev.to/mdda/running-gemma-4-26b-on-an-old-gtx-1080-with-llamacpp-4fi5). GTX 1080 8 GiB, i7-6700, 32 GiB RAM,
# AtomicBot-ai/atomic-llama-cpp-turboquant fork (turbo3 KV). The post's "Trying `--n-cpu-moe 20`:" run at 128k:
# "19.78 tok/s"; "At `--n-cpu-moe 19` it OOMs. So `20` is the floor for Gemma at 128k context."
# The stored copy of the post drops the two highlighted lines of this block; the --n-cpu-moe line is the one the
# text names for this run (its other dropped line, --n-gpu-layers 999 per the post's intro, changes nothing here).
./llama-server \
    --model ~/Models/gemma-4-26B-A4B-it-Q4_K_M.gguf \
    --n-cpu-moe 20 \
    --cache-type-k turbo3 --cache-type-v turbo3 \
    --flash-attn on \
    --no-mmap --mlock \
    --ctx-size 128000

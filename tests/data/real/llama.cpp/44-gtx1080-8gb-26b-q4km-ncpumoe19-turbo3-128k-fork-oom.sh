# source: https://mdda.net/blog/tech/dl/llama-cpp-moe-on-an-old-gtx-1080 (Martin Andrews, 2026-05-11). Same machine
# and command as 35-gtx1080-8gb-26b-q4km-ncpumoe20-turbo3-128k-fork.sh, one expert layer more on the GPU, as the
# post states: "At `--n-cpu-moe 19` it OOMs. So `20` is the floor for Gemma at 128k context." (GTX 1080: "VRAM:
# 8107 MiB", "7992 MiB free" per its llama-cli --list-devices.)
./llama-server \
    --model ~/Models/gemma-4-26B-A4B-it-Q4_K_M.gguf \
    --n-cpu-moe 19 \
    --cache-type-k turbo3 --cache-type-v turbo3 \
    --flash-attn on \
    --no-mmap --mlock \
    --ctx-size 128000

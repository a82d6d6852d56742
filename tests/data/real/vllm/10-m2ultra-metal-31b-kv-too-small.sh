# Source: https://github.com/vllm-project/vllm-metal/issues/505 (reproduction as written by ricky-chaoju, 2026-07-15)
VLLM_METAL_MEMORY_FRACTION=0.5 vllm serve <path-to-gemma-4-31B-it>
# Workaround stated in the same comment: "--max-model-len 16384 serves fine as a workaround."

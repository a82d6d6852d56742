# Source: https://github.com/vllm-project/vllm-metal/pull/563 (review by ricky-chaoju, 2026-07-28)
# "Ran it on the M1 Ultra with no --max-model-len, so the 262144 case from #505."
# Exact command line not posted; stated settings: model google/gemma-4-31B-it, no --max-model-len (derives 262144).
# Also: "Capped at 32768 for a like-for-like read" (--max-model-len 32768).

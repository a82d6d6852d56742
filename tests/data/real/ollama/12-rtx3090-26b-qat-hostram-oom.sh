# Source: https://github.com/ollama/ollama/pull/16744 ("llm: set --ctx-checkpoints 0 for Gemma 4 models to prevent OOM")
# Stated test setup: "gemma4:26b-a4b-it-qat on Ollama 0.30.8, RTX 3090, Linux."
# No explicit command/env given; the model tag as stated:
#   gemma4:26b-a4b-it-qat
# The PR's change passes this llama-server flag for gemma4 (the fix, not the failing config):
#   --ctx-checkpoints 0

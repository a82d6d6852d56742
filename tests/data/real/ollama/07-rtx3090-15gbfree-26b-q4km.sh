# Source: https://multimodalflow.net/en/blog/gemma4-sizes-rtx3090-benchmark/
# Ollama 0.21.0, RTX 3090 24 GB, ~15.1 GB free at test time (9.1 GB used by desktop + a background Python process).
# Request as written in the post (the prompt placeholder is the author's):
curl http://localhost:11434/api/generate -d '{
  "model": "gemma4:26b",
  "prompt": "<test prompt>",
  "stream": false,
  "options": {"num_predict": 128}
}'

# Source: https://github.com/vllm-project/vllm/issues/39734 (command as posted by bbrowning, "my DGX Spark, which is the single GPU instance")
vllm serve google/gemma-4-31B-it   --load-format fastsafetensors   --gpu-memory-utilization 0.8   --tool-call-parser gemma4   --enable-auto-tool-choice   --reasoning-parser gemma4   --default-chat-template-kwargs '{"enable_thinking": true}'

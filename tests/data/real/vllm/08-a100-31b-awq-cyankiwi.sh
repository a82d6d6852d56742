# Source: https://github.com/vllm-project/vllm/issues/43308
# The issue publishes only the model and one flag ("Using the same args and `--gpu-memory-utilization 0.9`");
# the remaining args were not published.
# model: cyankiwi/gemma-4-31B-it-AWQ-4bit
# --gpu-memory-utilization 0.9

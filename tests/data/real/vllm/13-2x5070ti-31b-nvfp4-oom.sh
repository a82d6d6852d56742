# Source: https://discuss.vllm.ai/t/oom-trying-to-run-gemma-4-31b-nvfp4-on-2x16gb/2674 (command as posted; vLLM 0.21.0, 2x RTX 5070 Ti 16GB)
vllm serve --model nvidia/Gemma-4-31B-IT-NVFP4 --max_num_batched_tokens 1024 --language-model-only --max_num_seqs 1 --max-model-len 1024 --kv-cache-dtype fp8 --gpu-memory-utilization 0.9 --tensor_parallel_size 2

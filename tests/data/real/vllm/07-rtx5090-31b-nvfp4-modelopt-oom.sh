# Source: https://github.com/vllm-project/vllm/issues/40291 (command as written in the issue)
vllm run --model nvidia/Gemma-4-31B-IT-NVFP4 --quantization modelopt --max-model-len 8192 

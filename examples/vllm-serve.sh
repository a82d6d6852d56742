#!/bin/sh
vllm serve google/gemma-4-E4B-it \
  --max-model-len 32768 \
  --gpu-memory-utilization 0.85 \
  --max-num-seqs 16

# source: https://github.com/ggml-org/llama.cpp/issues/24174
./llama-bench \
  -hf unsloth/gemma-4-26B-A4B-it-GGUF:MXFP4_MOE \
  -ngl 60 \
  -ncmoe 16 \
  -ub 768 \
  -t 8,10 \
  -p 2048

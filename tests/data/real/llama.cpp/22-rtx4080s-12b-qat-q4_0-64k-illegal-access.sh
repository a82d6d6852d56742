# source: https://github.com/ggml-org/llama.cpp/issues/24310
llama-server -m gemma-4-12b-it-qat-q4_0.gguf --ctx-size 65536 -ngl 99 -np 1 --host 127.0.0.1 --port 8080

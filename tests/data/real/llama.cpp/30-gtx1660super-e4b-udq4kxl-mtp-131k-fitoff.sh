# source: https://github.com/ggml-org/llama.cpp/issues/26017
llama-cpp\llama-server.exe -m gemma-4-e4b\gemma-4-E4B-it-UD-Q4_K_XL.gguf -md gemma-4-e4b\mtp-gemma-4-E4B-it.gguf --fit off --reasoning on --n-gpu-layers all --ctx-size 131072 --spec-type draft-mtp --spec-draft-n-max 2

# source: https://github.com/ggml-org/llama.cpp/issues/24758
llama-server -hf unsloth/gemma-4-31B-it-GGUF:UD-Q4_K_XL --spec-type draft-mtp --spec-draft-n-max 2

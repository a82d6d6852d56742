# source: https://github.com/ggml-org/llama.cpp/pull/24152 (comment by sniperwhg, 2026-06-13); llama-bench invocation via --bench
--bench -m /models/gemma-4-31B-it-qat-UD-Q4_K_XL.gguf -p 512,2048 -n 128,512 --split-mode tensor -ctk f16 -ctv f16

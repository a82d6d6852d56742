# source: https://github.com/ggml-org/llama.cpp/issues/26246
llama-completion.exe -m "<path-to-gemma4-12b-Q4_K_M.gguf>" -p "Reply with: FITOFF_NOCNV" -n 8 -c 4096 -b 512 -ub 512 -ngl 36 -fit off --no-mmap --temp 0 -no-cnv --simple-io --no-display-prompt

# source: https://docs.doc-vision.com/blog/gemma4-moe-local-mac (same steps in a gist by imaurer)
llama-server \
-m ~/.cache/gguf/gemma-4-26B-A4B-it-UD-Q8_K_XL.gguf \
-ngl 99 \
--host 0.0.0.0 \
--port 8082

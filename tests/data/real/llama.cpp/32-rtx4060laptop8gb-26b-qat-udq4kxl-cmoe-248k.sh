# source: https://digg.com/ai/khrz0nro (flags as posted: "The flags:"; binary = llama.cpp server, UI on localhost)
-m "gemma-4-26B-A4B-it-qat-UD-Q4_K_XL.gguf" -cmoe -c 248000 -v

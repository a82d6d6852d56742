llama-server -m gemma-4-31B-it-Q8_0.gguf -c 65536 -ngl 99 -fa on -np 1 --no-mmproj

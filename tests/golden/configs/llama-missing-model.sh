llama-server -c 8192 -ngl 99 --port 8080

# source: https://github.com/unslothai/unsloth/issues/11435
./llama-b11067/llama-cli -rea off -m gemma-4-26B-A4B-it-qat-UD-Q4_K_XL.gguf

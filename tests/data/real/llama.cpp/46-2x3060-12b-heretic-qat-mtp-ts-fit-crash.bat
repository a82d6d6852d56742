REM source: https://github.com/ggml-org/llama.cpp/issues/24350 (issue description, b1231227, 2026-06-09; version 9573
REM (f0152efe4), Windows, CUDA, "2*3060 12G"). "But there is no problem when fit off." (the ---fit on line as posted)
@echo off
set CUDA_DEVICE_ORDER=PCI_BUS_ID

start /affinity FFF0 /b /wait F:\ai_system\llama-cpp-cuda\llama-server.exe ^
  -m F:\ai_models\gemma4\12B\gemma-4-12B-it-heretic-QAT-UD-Q4_K_XL.gguf ^
  --spec-draft-model F:\ai_models\gemma4\12B\MTP\gemma-4-12B-it-qat-assistant-MTP-ONLY_Q4_0.gguf ^
  --spec-type draft-mtp ^
  --spec-draft-n-max 2 ^
  -ngl 99 ^
  -ts 50,50 ^
  --threads 12 ^
  -c 204800 ^
  -b 1024 ^
  -ub 128 ^
  -np 1 ^
  -ctk q8_0 ^
  -ctv q8_0 ^
  -fa on ^
  --temp 1 ^
  --top-k 64 ^
  --top-p 0.95 ^
  --min-p 0.00 ^
  --presence_penalty 1.0 ^
  --repeat-penalty 1.0^
  --frequency-penalty 0.05 ^
  --xtc-probability 0 ^
  --mirostat 0 ^
  --samplers "top_k;top_p;min_p;temperature" ^
  --reasoning on ^
  --seed -1 ^
  --host 0.0.0.0 ^
  --port 8000 ^
  --jinja ^
  --chat-template-file F:\ai_models\gemma4\12B\custom_pub_chat_template_gemma4.jinja ^
  --ctx-checkpoints 2 ^
  --warmup ^
  --mlock ^
  --no-mmap ^
  ---fit on ^
  -v

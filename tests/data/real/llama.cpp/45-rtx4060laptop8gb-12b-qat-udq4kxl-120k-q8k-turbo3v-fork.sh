# source: https://threadreaderapp.com/user/analogalok (thread of 2026-06-18, "Gemma 4 12B QAT (dense) achieves 1000+
# tokens/sec prefill on 8GB VRAM with 120k context"; the same author as 32-rtx4060laptop8gb-26b-qat-udq4kxl-cmoe-248k.sh)
# "rig: RTX 4060 8GB · i7H · 16GB RAM", TheTom/llama-cpp-turboquant fork; "tested with a 27k prompt, 120k context loaded."
# "llama.cpp TurboQuant flags:" (as posted; the program name is not part of them)
-m gemma-4-12B-it-qat-UD-Q4_K_XL.gguf -c 120000 --cache-type-k q8_0 --cache-type-v turbo3 -ngl 99 --port 8080

# source: https://chat.decentnewsroom.com/p/npub1aljazgxlpnpfp7n5sunlk3dvfp72456x6nezjw4sd850q879rxqsthg9jp/d/262k-context-on-16gb-vram-because-why-not
# ("262K context on 16GB VRAM because why not"): "my RTX A5000. 16GB", $MODEL = gemma-4-26B-A4B-it-Q4_K_M.gguf
# ("the MoE variant - gemma-4-26B-A4B-it-Q4_K_M.gguf - is doing the heavy lifting here"). "~658 tok/s prompt eval.
# ~35 tok/s decode. Full 262K context window. f16 KV cache, no compression tricks." The command, as posted:
llama-server \
-m "$MODEL" \
-c 262144 \
-ngl auto -fit on -fitt 128 -fitc 262144 \
-fa on \
-ctk f16 -ctv f16 \
-t 8 -tb 8 \
-b 4096 -ub 1024

# source: https://github.com/HilbertraumAI/HilbertRaum/blob/895ba543e0ba6592e5b1c11e590ecaefe41594f3/eval/results/hardware/i9-9900x-rtx-3090-24gb-128gb/leg7-moe-host-mapped.comment.md
llama-server --host 127.0.0.1 --port 35395 --model <drive>/models/chat/gemma4-26b-a4b-it-qat-q4.gguf --ctx-size 8192 --threads 10 --batch-size 2048 --ubatch-size 2048 --jinja --reasoning-format deepseek -lv 4 -np 1

# source: https://github.com/HilbertraumAI/HilbertRaum/blob/2dc2bd6eae9f2dc3f5e5e83e68a579fe73400944/eval/results/hardware/ryzen-7-5800h-rtx-3060-laptop-6gb-14gb/leg4-baseline-e2b.comment.md
llama-server --host 127.0.0.1 --port 54544 --model <drive>\models\chat\gemma4-e2b-it-qat-q4.gguf --ctx-size 8192 --threads 8 --batch-size 2048 --ubatch-size 2048 --jinja --reasoning-format deepseek -lv 4

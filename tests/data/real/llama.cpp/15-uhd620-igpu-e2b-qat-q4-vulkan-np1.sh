# source: https://github.com/HilbertraumAI/HilbertRaum/blob/1d94bb08e91f51c9515e8ed318e3f126496db547/eval/results/hardware/i7-8550u-uhd-620-shared-8gb-laptop-16gb/02-e2b.comment.md
# e2b-auto start (the cpu variant appends: --device none)
llama-server --host 127.0.0.1 --port <p> --model <drive>\models\chat\gemma4-e2b-it-qat-q4.gguf
  --ctx-size 8192 --threads 4 --batch-size 2048 --ubatch-size 2048
  --jinja --reasoning-format deepseek -lv 4 -np 1

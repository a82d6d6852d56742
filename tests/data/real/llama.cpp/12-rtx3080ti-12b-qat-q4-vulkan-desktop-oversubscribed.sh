# source: https://github.com/HilbertraumAI/HilbertRaum/blob/38240791b05ccaee61fa76ec01b7287b1a5a3eb2/eval/results/hardware/i9-14900k-rtx-3080-ti-12gb-64gb/leg3-desktop-use.comment.md
llama-server --host 127.0.0.1 --port 61443 --model <drive>\models\chat\gemma4-12b-it-qat-q4.gguf --ctx-size 8192 --threads 16 --batch-size 2048 --ubatch-size 2048 --jinja --reasoning-format deepseek -lv 4

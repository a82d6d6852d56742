# Source: https://dev.to/mrviduus/i-put-ollama-on-a-4-gb-mobile-gpu-and-got-25-heres-the-vram-math-3mhk
# Settings as stated in the post's setup table (the full request body is not shown):
#   model:   gemma4:e2b (~7.2 GB on disk)
#   runtime: Ollama 0.23.1 in Docker, Ubuntu
#   GPU:     NVIDIA GTX 1650 Ti Mobile, 4 GB VRAM; CPU AMD Ryzen 5 4600H
#   control: num_gpu=0 (CPU only)  vs  num_gpu=999 (let Ollama auto-split)
#   output budget ~60 tokens per call, /api/generate

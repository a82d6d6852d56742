# source: https://github.com/NVIDIA-AI-IOT/jetson-ai-lab/blob/2bcf81b42119770f8cf9596cb3496290272092f3/src/content/models/gemma4-e4b.md (serve_command_orin for the llama.cpp entry)
sudo docker run -it --rm --pull always \
  --runtime=nvidia --network host \
  -v $HOME/.cache/huggingface:/root/.cache/huggingface \
  ghcr.io/nvidia-ai-iot/llama_cpp:latest-jetson-orin \
  llama-server -hf unsloth/gemma-4-E4B:Q4_K_M

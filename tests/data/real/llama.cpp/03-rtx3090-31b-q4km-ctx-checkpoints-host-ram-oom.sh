# source: https://github.com/ggml-org/llama.cpp/issues/21690 (issue description)
# flags as quoted in the issue ("Examples of memory usage with the settings below on a Q4_K_M GGUF");
# the stored excerpt is cut after "--noweb", remaining flags unknown
-fa on -kvo -ngl 255 -c 16384 --mmap -m "location/model.gguf" --noweb

# source: https://github.com/ggml-org/llama.cpp/issues/29270
cmake -B build -DGGML_BLAS=ON -DGGML_BLAS_VENDOR=OpenBLAS -DLLAMA_OPENSSL=ON -DGGML_VULKAN=ON -DCMAKE_INSTALL_PREFIX=/usr
cmake --build build --config Release -j$(nproc)
build/bin/llama-server -hf unsloth/gemma-4-E2B-it-GGUF:Q4_0 --tools all

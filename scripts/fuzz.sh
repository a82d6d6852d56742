#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan, and runs each for SECONDS (default 20)
# on a seed corpus taken from the tests: examples, golden configs, real configs, the catalog, the kept
# regressions. A finding stops the run: the input is saved in build-fuzz/findings/ and the script exits 1;
# add it to tests/fuzz-regressions/<target>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
build=build-fuzz
CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFITCHECK_FUZZ=ON \
  -DFITCHECK_BUILD_TESTS=OFF -DFITCHECK_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target fuzz_catalog fuzz_config fuzz_yaml fuzz_parsers fuzz_command_line fuzz_gguf_header make_gguf_seeds

corpus="$build/corpus"
findings="$build/findings"
rm -rf "$corpus"
mkdir -p "$findings"
seed() {  # seed TARGET FILE...: copy the files that exist into the target's corpus
  local target=$1 i=0 f
  shift
  mkdir -p "$corpus/$target"
  for f in "$@"; do
    if [ -f "$f" ]; then i=$((i + 1)); cp "$f" "$corpus/$target/seed-$i"; fi
  done
}
shopt -s nullglob
seed catalog tests/data/mini_catalog.json data/*.json data/models/*.json tests/fuzz-regressions/catalog/*
seed config examples/* tests/golden/configs/* tests/data/real/*/* tests/fuzz-regressions/config/*
seed yaml tests/data/real/*/*.yaml tests/golden/configs/*.yaml examples/*.yaml tests/fuzz-regressions/yaml/*
seed parsers tests/fuzz-regressions/parsers/*
for word in 12GiB 24GB 512MiB 1.5TiB 32k 128K 262144 0.9 rtx3060-12g "RTX 4090" 31b e2b Q4_K_M q8_0; do
  printf '%s' "$word" >"$corpus/parsers/word-$(printf '%s' "$word" | tr -c 'A-Za-z0-9' _)"
done
seed command_line tests/fuzz-regressions/command_line/*
for case in tests/golden/cases/*.case; do  # the "args:" line, space-separated -> NUL-separated
  sed -n 's/^args: //p' "$case" | tr -d '\n' | tr ' ' '\0' >"$corpus/command_line/$(basename "$case" .case)"
done

seed gguf_header tests/fuzz-regressions/gguf_header/*
"$build/fuzz/make_gguf_seeds" tests/data/typemaps "$corpus/gguf_header"

status=0
for target in catalog config yaml parsers command_line gguf_header; do
  echo "fuzz: $target for ${seconds}s"
  log="$build/fuzz-$target.log"
  # -timeout: no input may take a second (two under the sanitizers); -rss_limit_mb: nor 2 GiB.
  if ! (cd "$build/fuzz" && ASAN_OPTIONS=detect_leaks=1 ./"fuzz_$target" -max_total_time="$seconds" -timeout=2 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="../findings/$target-" \
        "../corpus/$target" >"../fuzz-$target.log" 2>&1); then
    status=1
  fi
  # The report without the progress lines: a crash's stack and the final statistics.
  grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD|INITED)' "$log" | head -n 60 || true
done
if [ -n "$(ls -A "$findings")" ]; then
  echo "fuzz: findings in $findings:" && ls "$findings"
  status=1
fi
exit $status

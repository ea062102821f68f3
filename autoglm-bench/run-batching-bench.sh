#!/usr/bin/env bash
# Runs every continuous-batching measurement of docs/benchmarks.md ("Continuous batching") and prints
# the markdown tables. From the project root:
#
#   autoglm-bench/run-batching-bench.sh 2>&1 | tee /tmp/batching-bench.md      # ~45 min on 2 quiet vCPUs
#   QUICK=1 autoglm-bench/run-batching-bench.sh                                 # a few minutes: checks it all runs
#
# Environment (defaults in brackets):
#   THREADS [2]  ROUNDS [5]  REPS [3]  WARMUP [3]  TOKENS [32]   the harness settings (BatchedComparison)
#   SYNTH_DIR [/tmp]   where synthetic-100m-{f16,q8_0,q4_k_m}.gguf are (made there when missing)
#   MODELS_DIR [../shared/models]   stories260K.gguf and the text of the prefix experiments
#   SKIP_BUILD=1   use the jars and native programs as they are
#   CURRENT=1      also run the throughput and the single-sequence comparisons on the current llama.cpp
#                  generation ($AUTOGLM_TEST_LLAMA_CURRENT, see .ci/setup-llama-current.sh)
#   QUICK=1        1 round, 1 rep, 1 warm-up, fewer models and shorter prompts: validates, measures nothing
#
# The machine should be quiet: the load average is printed before and after each part.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk25.sh
JH=$(autoglm_find_jdk25) || { echo "run-batching-bench: JDK 25 not found; set JAVA_HOME" >&2; exit 2; }
export JAVA_HOME=$JH PATH=$JH/bin:$PATH

THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-5}
REPS=${REPS:-3}
WARMUP=${WARMUP:-3}
TOKENS=${TOKENS:-32}
SYNTH_DIR=${SYNTH_DIR:-/tmp}
MODELS_DIR=${MODELS_DIR:-../shared/models}
STORIES=$MODELS_DIR/stories260K.gguf
TEXT=$MODELS_DIR/text/war-and-peace-book-one.txt
F16=$SYNTH_DIR/synthetic-100m-f16.gguf
Q8=$SYNTH_DIR/synthetic-100m-q8_0.gguf
Q4=$SYNTH_DIR/synthetic-100m-q4_k_m.gguf
PREFIX_TOKENS=1000
STALL_PROMPT=2000
DECODE_ROUNDS=10
BENCH_REPS=5
if [ "${QUICK:-0}" = 1 ]; then
  ROUNDS=1 REPS=1 WARMUP=1 PREFIX_TOKENS=200 STALL_PROMPT=300 DECODE_ROUNDS=2 BENCH_REPS=1
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -q -pl autoglm-bench,autoglm-examples -am package -DskipTests
  make -s -C native all
  if [ "${CURRENT:-0}" = 1 ]; then
    make -s -C native batched_loop_current greedy_loop_current
  fi
fi

J="java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
J="$J -Dorg.slf4j.simpleLogger.log.io.autoglm.native=off -cp autoglm-bench/target/benchmarks.jar"
if [ ! -f "$F16" ]; then
  $J io.autoglm.bench.MakeSyntheticModel "$MODELS_DIR/vocab/ggml-vocab-llama-spm.gguf" "$F16" >&2
fi
[ -f "$Q8" ] || bin/autoglm quantize "$F16" "$Q8" --type Q8_0 >&2
[ -f "$Q4" ] || bin/autoglm quantize "$F16" "$Q4" --type Q4_K_M >&2

load() { echo; echo "_load average: $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S) UTC_"; echo; }
BC="$J io.autoglm.bench.BatchedComparison --threads $THREADS --tokens $TOKENS --rounds $ROUNDS --reps $REPS --warmup $WARMUP"
BC="$BC --text $TEXT"

echo "# Continuous batching ($(date -u +%Y-%m-%d) UTC, $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
load

echo "## Throughput: N concurrent requests vs one after another, FFM engine vs the C floor"
echo
if [ "${QUICK:-0}" = 1 ]; then
  $BC --model "$STORIES" --model "$Q8" --parallel 4 --cache both --occupy 0,512 --sections throughput,occupancy
else
  $BC --model "$STORIES" --model "$F16" --parallel 8 --cache both --sections throughput,occupancy
  load
  $BC --model "$Q8" --parallel 8,16 --sections throughput
  load
  $BC --model "$Q4" --parallel 8 --sections throughput
fi
load

echo "## Prefix cache, chat and chunked prefill"
echo
PREFIX_MODELS=(--model "$STORIES" --model "$F16")
[ "${QUICK:-0}" = 1 ] && PREFIX_MODELS=(--model "$STORIES")
$BC "${PREFIX_MODELS[@]}" --sections prefix-floor,ttft,chat,stall --prefix-tokens $PREFIX_TOKENS --stall-prompt $STALL_PROMPT
load

echo "## parallel(1) vs the single-sequence C loop (DecodeComparison)"
echo
DC="$J io.autoglm.bench.DecodeComparison --tokens 128 --rounds $DECODE_ROUNDS --reps 3 --warmup 10 --threads $([ "$THREADS" = 1 ] && echo 1 || echo 1,$THREADS) --settle 500"
for m in "$STORIES" "$F16"; do
  $DC --model "$m" --native native/build/greedy_loop
  echo
done
load

if [ "${CURRENT:-0}" = 1 ]; then
  : "${AUTOGLM_TEST_LLAMA_CURRENT:?set AUTOGLM_TEST_LLAMA_CURRENT (. .ci/setup-llama-current.sh)}"
  echo "## The same on the current llama.cpp generation"
  echo
  $BC --native native/build/batched_loop_current --native-library "$AUTOGLM_TEST_LLAMA_CURRENT" \
      --model "$STORIES" --model "$F16" --parallel 8 --sections throughput
  $DC --model "$F16" --native native/build/greedy_loop_current --native-library "$AUTOGLM_TEST_LLAMA_CURRENT"
  load
fi

echo "## autoglm bench"
echo
echo '```'
BENCH_MODEL=$F16
[ "${QUICK:-0}" = 1 ] && BENCH_MODEL=$STORIES
AUTOGLM_JAVA_OPTS="-Dorg.slf4j.simpleLogger.log.io.autoglm.native=off" bin/autoglm bench --model "$BENCH_MODEL" --parallel 1,8 \
    --prompt-tokens 32 --max-tokens 128 --threads "$THREADS" --reps $BENCH_REPS --warmup 2
AUTOGLM_JAVA_OPTS="-Dorg.slf4j.simpleLogger.log.io.autoglm.native=off" bin/autoglm bench --model "$BENCH_MODEL" --parallel 1,8 \
    --prompt-tokens 32 --max-tokens 128 --threads "$THREADS" --reps $BENCH_REPS --warmup 2 --prefix-tokens $PREFIX_TOKENS
echo '```'
load

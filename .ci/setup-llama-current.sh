# Sourced by .ci/run: fetches a current llama.cpp build (prebuilt, CPU) from the npm registry package
# @node-llama-cpp/linux-x64 into a cache folder and exports AUTOGLM_TEST_LLAMA_CURRENT=<folder with libllama>.
# Idempotent: reuses the unpacked copy.
autoglm_setup_llama_current() {
  local version=3.22.1
  local cache="${AUTOGLM_CACHE_DIR:-$HOME/.cache/autoglm}/native/node-llama-cpp-linux-x64-$version"
  local bins="$cache/package/bins/linux-x64"
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "ci: current llama.cpp build is only fetched on Linux x86_64" >&2
    return 0
  fi
  if [ ! -f "$bins/libllama.v0.5.0.so" ]; then
    command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }
    mkdir -p "$cache"
    local tgz
    tgz=$(cd "$cache" && npm pack --silent "@node-llama-cpp/linux-x64@$version") || { echo "error: npm pack failed" >&2; return 1; }
    tar -xzf "$cache/$tgz" -C "$cache"
    rm -f "$cache/$tgz"
  fi
  export AUTOGLM_TEST_LLAMA_CURRENT="$bins"
  echo "ci: current llama.cpp at $AUTOGLM_TEST_LLAMA_CURRENT"
}
autoglm_setup_llama_current

# Sourced by .ci/run after setup-gcc.sh and setup-llama-current.sh: the AutoGLM shim compiled in seconds against the
# llama.h of the very llama.cpp release node-llama-cpp 3.22.1 ships prebuilt (no llama.cpp compile), placed beside a
# copy of that prebuilt libllama, then exports AUTOGLM_TEST_LLAMA_CURRENT_SHIM=<that folder>. The shim suites thereby
# run in CI on a real library built by someone else. (AUTOGLM_TEST_LLAMA_CURRENT itself stays shim-free: it proves
# the hand-written layout.)
#
# The header: the npm package node-llama-cpp carries the llama.cpp release it builds (llama/llama.cpp.info.json,
# tag v0.5.0) as a git bundle, llama/gitRelease.bundle; only include/ and ggml/include/ are checked out of it.
# Idempotent and cached in AutoGLM's cache folder; the shim is rebuilt only when native/shim changes.
autoglm_setup_shim_current() {
  local version=3.22.1
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ] || [ -z "${AUTOGLM_TEST_LLAMA_CURRENT:-}" ]; then
    echo "ci: the shim on node-llama-cpp's build is only made on Linux x86_64, after setup-llama-current.sh" >&2
    return 0
  fi
  local root="${AUTOGLM_CACHE_DIR:-$HOME/.cache/autoglm}/native"
  local src="$root/node-llama-cpp-$version-llama-h"
  local out="$root/node-llama-cpp-linux-x64-$version-shim"
  local t0
  t0=$(date +%s)
  command -v g++ >/dev/null 2>&1 || { echo "error: g++ missing (setup-gcc.sh installs it)" >&2; return 1; }

  if [ ! -f "$src/include/llama.h" ]; then
    rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp"
    local tgz
    tgz=$(cd "$src.tmp" && npm pack --silent "node-llama-cpp@$version") || { echo "error: npm pack node-llama-cpp@$version failed" >&2; return 1; }
    tar -xzf "$src.tmp/$tgz" -C "$src.tmp" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json \
        || { echo "error: unpacking $tgz failed" >&2; return 1; }
    git clone -q --no-checkout "$src.tmp/package/llama/gitRelease.bundle" "$src.tmp/git" \
        && git -C "$src.tmp/git" -c advice.detachedHead=false checkout -q HEAD -- include ggml/include \
        || { echo "error: reading llama.h out of node-llama-cpp's gitRelease.bundle failed" >&2; return 1; }
    mkdir -p "$src" && cp -r "$src.tmp/git/include" "$src/include" && mkdir -p "$src/ggml" \
        && cp -r "$src.tmp/git/ggml/include" "$src/ggml/include" && cp "$src.tmp/package/llama/llama.cpp.info.json" "$src/"
    rm -rf "$src.tmp"
  fi
  local tag
  tag=$(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$src/llama.cpp.info.json")

  if [ ! -f "$out/libllama.v0.5.0.so" ]; then
    rm -rf "$out" && mkdir -p "$out"
    # hard links where the file system allows (no second copy of 60 MB), a copy elsewhere
    cp -al "$AUTOGLM_TEST_LLAMA_CURRENT/." "$out/" 2>/dev/null || cp -a "$AUTOGLM_TEST_LLAMA_CURRENT/." "$out/"
  fi
  local stamp
  stamp=$(cat "$here/native/shim/autoglm_shim.h" "$here/native/shim/autoglm_shim.cpp" | sha256sum | cut -c1-16)
  if [ ! -f "$out/libautoglm_shim.so" ] || [ "$(cat "$out/shim.stamp" 2>/dev/null)" != "$stamp" ]; then
    # the one command of docs/native-seam.md
    g++ -std=c++17 -O2 -fPIC -shared -o "$out/libautoglm_shim.so" "$here/native/shim/autoglm_shim.cpp" \
        -I "$src/include" -I "$src/ggml/include" "$out/libllama.v0.5.0.so" -Wl,-rpath,'$ORIGIN' \
        -DAUTOGLM_LLAMA_RELEASE="\"${tag:-?} (node-llama-cpp $version)\"" \
        || { echo "error: building the AutoGLM shim against node-llama-cpp's llama.h failed" >&2; return 1; }
    echo "$stamp" >"$out/shim.stamp"
  fi
  export AUTOGLM_TEST_LLAMA_CURRENT_SHIM="$out"
  echo "ci: llama.cpp ${tag:-?} (node-llama-cpp $version) with the AutoGLM shim at $out ($(( $(date +%s) - t0 )) s)"
}
autoglm_setup_shim_current

# Source it by hand (not part of .ci/run: compiling llama.cpp takes about 10 minutes on two cores, too long for
# CI's budget): builds llama.cpp from the newest sources a package registry serves and the AutoGLM shim
# against its llama.h, then exports AUTOGLM_TEST_LLAMA_RN=<folder with libllama.so and libautoglm_shim.so>,
# which turns on the llama.rn shim suites (they are skipped without it).
#   . .ci/build-llama-rn.sh
#
# The sources: the npm package llama.rn (MIT), which vendors llama.cpp's C/C++ under cpp/ with ggml's symbols
# prefixed lm_. Its own build files target Android and iOS, so .ci/llama-rn/CMakeLists.txt builds a Linux CPU
# libllama from them (only what libllama needs, at -O2, on every core). Idempotent and cached in AutoGLM's cache
# folder: the library is built once per llama.rn version and CPU level; the shim is rebuilt (seconds) only when
# native/shim changes. Timings go to stdout.
autoglm_setup_llama_rn() {
  local version=0.12.9
  local here
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "ci: llama.rn build is only made on Linux x86_64" >&2
    return 0
  fi
  # AVX2/FMA/F16C machines get the x86-64-v3 kernels; others the compiler's baseline
  local march=""
  if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && grep -qw f16c /proc/cpuinfo; then
    march=x86-64-v3
  fi
  local root="${AUTOGLM_CACHE_DIR:-$HOME/.cache/autoglm}/native"
  local src="$root/llama.rn-$version-src"
  local out="$root/llama.rn-$version-linux-x64${march:+-$march}"
  local t0 t1
  t0=$(date +%s)

  local tools=()
  command -v g++ >/dev/null 2>&1 || tools+=(g++)
  command -v cmake >/dev/null 2>&1 || tools+=(cmake)
  command -v npm >/dev/null 2>&1 || tools+=(npm)
  if [ ${#tools[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${tools[@]}" >/dev/null || { echo "error: apt-get install ${tools[*]} failed" >&2; return 1; }
  fi

  if [ ! -f "$src/package/cpp/llama.h" ]; then
    rm -rf "$src" && mkdir -p "$src"
    local tgz
    tgz=$(cd "$src" && npm pack --silent "llama.rn@$version") || { echo "error: npm pack llama.rn@$version failed" >&2; return 1; }
    tar -xzf "$src/$tgz" -C "$src" package/cpp package/LICENSE package/package.json || { echo "error: unpacking $tgz failed" >&2; return 1; }
    rm -f "$src/$tgz"
  fi
  # the llama.cpp release llama.rn vendors, from its generated build-info (e.g. b10256-6c8dcaa)
  local number commit release
  number=$(sed -n 's/^int LLAMA_BUILD_NUMBER = \([0-9]*\);/\1/p' "$src/package/cpp/common/build-info.cpp")
  commit=$(sed -n 's/^char const \* LLAMA_COMMIT = "\([0-9a-f]*\)";/\1/p' "$src/package/cpp/common/build-info.cpp")
  release="b${number:-?}-${commit:-?} (llama.rn $version)"

  if [ ! -f "$out/libllama.so" ]; then
    local gen=()
    command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
    rm -rf "$out" && mkdir -p "$out"
    cmake -S "$here/.ci/llama-rn" -B "$out/build" "${gen[@]}" -DLLAMA_RN_CPP="$src/package/cpp" \
        -DAUTOGLM_MARCH="$march" >"$out/cmake.txt" 2>&1 || { cat "$out/cmake.txt" >&2; echo "error: cmake configure failed" >&2; return 1; }
    cmake --build "$out/build" -j "$(nproc)" >"$out/build.txt" 2>&1 || { tail -40 "$out/build.txt" >&2; echo "error: building llama.rn's llama.cpp failed" >&2; return 1; }
    cp "$out/build/bin/libllama.so" "$out/libllama.so.tmp" && mv "$out/libllama.so.tmp" "$out/libllama.so"
    rm -rf "$out/build"
    t1=$(date +%s)
    echo "ci: built libllama of llama.cpp $release in $((t1 - t0)) s"
  fi

  local stamp
  stamp=$(cat "$here/native/shim/autoglm_shim.h" "$here/native/shim/autoglm_shim.cpp" | sha256sum | cut -c1-16)
  if [ ! -f "$out/libautoglm_shim.so" ] || [ "$(cat "$out/shim.stamp" 2>/dev/null)" != "$stamp" ]; then
    # the one command of docs/native-seam.md, against llama.rn's headers (llama.h and ggml.h both live in cpp/)
    g++ -std=c++17 -O2 -fPIC -shared -o "$out/libautoglm_shim.so" "$here/native/shim/autoglm_shim.cpp" \
        -I "$src/package/cpp" "$out/libllama.so" -Wl,-rpath,'$ORIGIN' \
        -DAUTOGLM_LLAMA_RELEASE="\"$release\"" || { echo "error: building the AutoGLM shim against llama.rn failed" >&2; return 1; }
    echo "$stamp" >"$out/shim.stamp"
  fi
  export AUTOGLM_TEST_LLAMA_RN="$out"
  echo "ci: llama.cpp $release with the AutoGLM shim at $AUTOGLM_TEST_LLAMA_RN ($(( $(date +%s) - t0 )) s)"
}
autoglm_setup_llama_rn

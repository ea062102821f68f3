#!/bin/sh
# Builds llama.cpp's libllama with one backend and the AutoGLM shim against the same llama.h, in one go,
# into one folder that AutoGLM's --native-library / nativeLibrary(Path) can point at (native/GPU.md).
#
# Usage: native/shim/build.sh LLAMA_CPP_DIR [cpu|cuda|metal|vulkan] [BUILD_DIR]
#   LLAMA_CPP_DIR  a llama.cpp checkout (any release since the 2025 C API: llama_model_load_from_file)
#   BUILD_DIR      default LLAMA_CPP_DIR/build-autoglm-BACKEND; the libraries end up in BUILD_DIR/bin
# Environment: JOBS (parallel compile jobs, default all cores), CXX (default g++, clang++ on macOS),
#   AUTOGLM_LLAMA_RELEASE (the release name AutoGLM reports; default: git describe of the checkout)
set -eu

usage() {
    echo "usage: $0 LLAMA_CPP_DIR [cpu|cuda|metal|vulkan] [BUILD_DIR]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
[ -f "$1/include/llama.h" ] || { echo "$1 is not a llama.cpp checkout (no include/llama.h)" >&2; exit 2; }
src=$(cd "$1" && pwd)
backend=${2:-cpu}
build=${3:-$src/build-autoglm-$backend}
here=$(cd "$(dirname "$0")" && pwd)

case $backend in
    cpu) flags="" ;;
    cuda) flags="-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=native" ;;
    metal) flags="-DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON" ;;
    vulkan) flags="-DGGML_VULKAN=ON" ;;
    *) usage ;;
esac
if [ -z "${JOBS:-}" ]; then
    JOBS=$(getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
fi

# 1. libllama and its ggml libraries as shared libraries; nothing else of the repository (no tools, server, tests)
# shellcheck disable=SC2086 # $flags is a list of options
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DLLAMA_BUILD_COMMON=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF $flags
cmake --build "$build" --config Release --target llama -j "$JOBS"

# 2. the shim, compiled against this checkout's llama.h and linked to the libllama just built
release=${AUTOGLM_LLAMA_RELEASE:-$(git -C "$src" describe --tags --always 2>/dev/null || echo unknown)}
bin="$build/bin"
if [ "$(uname -s)" = Darwin ]; then
    ${CXX:-clang++} -std=c++17 -O2 -fPIC -dynamiclib -o "$bin/libautoglm_shim.dylib" "$here/autoglm_shim.cpp" \
        -I "$src/include" -I "$src/ggml/include" -L "$bin" -lllama -lggml -lggml-base -Wl,-rpath,@loader_path \
        -DAUTOGLM_LLAMA_RELEASE="\"$release\""
else
    ${CXX:-g++} -std=c++17 -O2 -fPIC -shared -o "$bin/libautoglm_shim.so" "$here/autoglm_shim.cpp" \
        -I "$src/include" -I "$src/ggml/include" "$bin/libllama.so" -Wl,-rpath,'$ORIGIN' \
        -DAUTOGLM_LLAMA_RELEASE="\"$release\""
fi
echo "built llama.cpp $release ($backend) with the AutoGLM shim in $bin"
echo "use it with: --native-library $bin   (or AutoGLM.builder().nativeLibrary(Path.of(\"$bin\")))"

# Sourced by .ci/run: the native tests (abi_check, the in-process greedy loop) build small C programs with gcc,
# and ShimHeaderAdaptationTest compiles the AutoGLM shim (C++17) with g++ against synthetic llama.h headers.
# Installs them through apt when missing (CI runs as root); idempotent.
autoglm_setup_gcc() {
  if command -v gcc >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; then
    echo "ci: $(gcc --version | head -1), $(g++ --version | head -1)"
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq gcc g++ libc6-dev >/dev/null || { echo "error: apt-get install gcc g++ failed" >&2; return 1; }
    echo "ci: installed $(gcc --version | head -1), $(g++ --version | head -1)"
  else
    echo "error: gcc or g++ is missing and cannot be installed here (need root and apt-get)" >&2
    return 1
  fi
}
autoglm_setup_gcc

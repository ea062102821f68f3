#!/usr/bin/env bash
# Builds the runtime image (./mvnw -Pdist package runs it in autoglm-dist's package phase):
#
#   build-image.sh JDK_HOME CLI_JAR REPO_ROOT OUT_DIR VERSION --extra-modules=[M,...] [MODELS_FOLDER]
#
# The image is for the platform it is built on (so is a jlinked runtime): NAME is autoglm-VERSION-PLATFORM, PLATFORM
# linux-x64 or linux-aarch64 (glibc). OUT_DIR/NAME/ gets
#   runtime/                a jlinked Java runtime: the modules jdeps finds in the CLI jar plus the --extra-modules
#                           (comma-separated: what jdeps cannot see, such as service providers)
#   lib/autoglm.jar         the CLI jar without the native libraries of other platforms
#   lib/autoglm.aot         its AOT cache, recorded by the image's own runtime (a cache made by another JDK is not used)
#   bin/autoglm             the project's launcher, which runs on ../runtime when it is there
#   bin/autoglm-healthcheck the Docker HEALTHCHECK (GET /health)
# and OUT_DIR/NAME.tar.gz holds that folder. MODELS_FOLDER (optional) holds stories260K.gguf for the AOT training run.
# Needs bash, tar and gzip besides the JDK.
set -euo pipefail
[ $# -ge 6 ] || { echo "usage: build-image.sh JDK_HOME CLI_JAR REPO_ROOT OUT_DIR VERSION --extra-modules=[M,...] [MODELS_FOLDER]" >&2; exit 2; }
JDK=$1 JAR=$2 ROOT=$3 OUT=$4 VERSION=$5 EXTRA=${6#--extra-modules=} MODELS=${7:-}
# KEEP: the folders of this platform's native libraries in the jar (de/kherud/llama/Linux/x86_64/, lib/linux/x86_64/ of
# XGBoost, org/sqlite/native/Linux/x86_64/, org/jline/nativ/Linux/x86_64/); the others are left out of the image
case $(uname -s)/$(uname -m) in
  Linux/x86_64 | Linux/amd64) PLATFORM=linux-x64 KEEP='/[Ll]inux/(x86_64|amd64)/' ;;
  Linux/aarch64 | Linux/arm64) PLATFORM=linux-aarch64 KEEP='/[Ll]inux/(aarch64|arm64)/' ;;
  *) echo "build-image: $(uname -s)/$(uname -m) is not supported; the runtime image is built on Linux x86_64 or aarch64" >&2; exit 2 ;;
esac
NAME=autoglm-$VERSION-$PLATFORM
[ -x "$JDK/bin/jlink" ] || { echo "build-image: $JDK/bin/jlink not found; build with a full JDK 25" >&2; exit 2; }
[ -f "$JAR" ] || { echo "build-image: $JAR not found; autoglm-examples must be packaged first" >&2; exit 2; }

IMAGE=$OUT/$NAME
rm -rf "$IMAGE" "$IMAGE.tar.gz"
mkdir -p "$IMAGE/bin" "$IMAGE/lib"

# --- the modules: what the classes of the jar (and its dependencies) refer to, plus EXTRA_MODULES -------------------
DEPS=$("$JDK/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$JAR")
MODULES=$DEPS${EXTRA:+,$EXTRA}
echo "build-image: modules $MODULES"

# --- the runtime ------------------------------------------------------------------------------------------------------
# no default CDS archive (--generate-cds-archive, 29 MB): the AOT cache below holds the JDK's classes too, and only
# the runs that load the Vector API (quantize, --quantize) start without it
"$JDK/bin/jlink" --add-modules "$MODULES" --output "$IMAGE/runtime" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 2>&1 \
  | { grep -v 'incubator module' || true; }
[ -x "$IMAGE/runtime/bin/java" ] || { echo "build-image: jlink made no runtime" >&2; exit 1; }

# --- the jar, the launcher ----------------------------------------------------------------------------------------------
cp "$JAR" "$IMAGE/lib/autoglm.jar"
"$JDK/bin/java" "$(dirname "$0")/StripNatives.java" "$IMAGE/lib/autoglm.jar" "$KEEP"
cp "$ROOT/bin/autoglm" "$IMAGE/bin/autoglm"
cp "$(dirname "$0")/bin/autoglm-healthcheck" "$IMAGE/bin/autoglm-healthcheck"
chmod 755 "$IMAGE/bin/autoglm" "$IMAGE/bin/autoglm-healthcheck"

# --- the AOT cache, recorded by the image's runtime (the launcher uses it when it is newer than the jar) --------------
# quiet: a training run that fails only means a smaller cache or none; the launcher runs without it
env -u JAVA_TOOL_OPTIONS "$IMAGE/runtime/bin/java" --enable-native-access=ALL-UNNAMED \
  -XX:AOTCacheOutput="$IMAGE/lib/autoglm.aot" -Xlog:aot=off,cds=off \
  -Dautoglm.cache.dir="$OUT/aot-training-cache" \
  -cp "$IMAGE/lib/autoglm.jar" io.autoglm.cli.AotTraining ${MODELS:+"$MODELS"} >"$OUT/$NAME-aot.log" 2>&1 \
  || echo "build-image: the AOT training run failed (see $OUT/$NAME-aot.log); the image starts without an AOT cache"
rm -rf "$OUT/aot-training-cache"

# --- the tarball ------------------------------------------------------------------------------------------------------
tar -C "$OUT" -czf "$IMAGE.tar.gz" "$NAME"
echo "build-image: $IMAGE ($(du -sh "$IMAGE" | cut -f1)), $IMAGE.tar.gz ($(du -h "$IMAGE.tar.gz" | cut -f1))"

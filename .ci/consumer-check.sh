#!/usr/bin/env bash
# Proves docs/user-guide.md's "Using AutoGLM from Maven" snippet from outside the reactor: installs the
# library modules into a private local repository, then resolves a fresh consumer project whose pom holds
# only that snippet (taken from the guide itself) and runs a program on its class path with each backend.
#
# The machine's ~/.m2/repository is only read (Maven's maven.repo.local.tail): no AutoGLM SNAPSHOT lands
# there, so other builds on the machine never pick one up. On a fresh machine whatever is missing is
# downloaded into the private repository. Run after a build (the jars are then up to date): ~30 s.
#
# Environment: JAVA_HOME (a JDK 25; found like ./mvnw does when unset), AUTOGLM_TEST_MODELS (for the
# run; without the model the run is skipped outside CI and fails with CI=true), MVN_FLAGS (default -B -ntp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/bin/find-jdk25.sh"
JAVA_HOME=$(autoglm_find_jdk25 javac) || { echo "consumer-check: JDK 25 not found" >&2; exit 1; }
export JAVA_HOME
WORK=$(mktemp -d "${TMPDIR:-/tmp}/autoglm-consumer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
read -r -a FLAGS <<< "${MVN_FLAGS:--B -ntp}"
REPO=(-Dmaven.repo.local="$WORK/repo" -Dmaven.repo.local.tail="${AUTOGLM_M2_TAIL:-$HOME/.m2/repository}")

echo "consumer-check: installing autoglm-bom, autoglm-core and autoglm-backend-jni into $WORK/repo"
./mvnw "${FLAGS[@]}" -q "${REPO[@]}" install -DskipTests -pl autoglm-bom,autoglm-core,autoglm-backend-jni -am

# the snippet: the first ```xml block after the guide's "### Maven coordinates" heading
SNIPPET=$(awk '/^### Maven coordinates/ {h=1} h && /^```xml/ {x=1; next} x && /^```/ {exit} x {print}' docs/user-guide.md)
[ -n "$SNIPPET" ] || { echo "consumer-check: no xml snippet under '### Maven coordinates' in docs/user-guide.md" >&2; exit 1; }
mkdir -p "$WORK/consumer"
cat > "$WORK/consumer/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>consumer</artifactId>
  <version>1</version>
$SNIPPET
</project>
POM
cat > "$WORK/consumer/Main.java" <<'JAVA'
import io.autoglm.AutoGLM;
import io.autoglm.Backend;
import io.autoglm.Completion;
import io.autoglm.CompletionRequest;
import io.autoglm.LanguageModel;
import java.nio.file.Path;

public class Main {
    public static void main(String[] args) {
        try (LanguageModel model = AutoGLM.builder().model(Path.of(args[0])).backend(Backend.valueOf(args[1]))
                .contextSize(512).build()) {
            Completion c = model.complete(CompletionRequest.builder()
                    .prompt("Once upon a time").maxTokens(32).stop(".").build());
            System.out.println(c.text() + " | " + c.finishReason());
        }
    }
}
JAVA
( cd "$WORK/consumer" && "$ROOT/mvnw" "${FLAGS[@]}" -q "${REPO[@]}" \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath -Dmdep.outputFile="$WORK/cp.txt" )
CP=$(cat "$WORK/cp.txt")
# the JNI backend is the optional module the guide's table names: the same snippet plus that one dependency
mkdir -p "$WORK/consumer-jni"
JNI_DEP='<dependency><groupId>io.autoglm</groupId><artifactId>autoglm-backend-jni</artifactId></dependency>'
awk -v dep="$JNI_DEP" '{ lines[NR] = $0 } /<\/dependencies>/ { last = NR }
    END { for (i = 1; i <= NR; i++) { if (i == last) print "    " dep; print lines[i] } }' "$WORK/consumer/pom.xml" \
    | sed 's#<artifactId>consumer</artifactId>#<artifactId>consumer-jni</artifactId>#' > "$WORK/consumer-jni/pom.xml"
( cd "$WORK/consumer-jni" && "$ROOT/mvnw" "${FLAGS[@]}" -q "${REPO[@]}" \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath -Dmdep.outputFile="$WORK/cp-jni.txt" )
CP_JNI=$(cat "$WORK/cp-jni.txt")
case "$CP_JNI" in *autoglm-backend-jni-0.1.0-SNAPSHOT.jar*) ;; *) echo "consumer-check: autoglm-backend-jni missing from the JNI consumer's class path: $CP_JNI" >&2; exit 1 ;; esac
for jar in autoglm-core-0.1.0-SNAPSHOT.jar slf4j-api- slf4j-simple- llama-4.2.0.jar; do
  case "$CP" in *"$jar"*) ;; *) echo "consumer-check: $jar missing from the consumer's class path: $CP" >&2; exit 1 ;; esac
done
case "$CP" in *caffeine*|*jackson*) echo "consumer-check: unexpected dependency on the class path: $CP" >&2; exit 1 ;; esac
echo "consumer-check: the snippet resolves to $(tr ':' '\n' <<< "$CP" | wc -l) jars"

MODEL="${AUTOGLM_TEST_MODELS:-$ROOT/../shared/models}/stories260K.gguf"
if [ ! -f "$MODEL" ]; then
  if [ "${CI:-}" = true ]; then echo "consumer-check: $MODEL missing (CI=true)" >&2; exit 1; fi
  echo "consumer-check: $MODEL missing: resolution checked, run skipped"
  exit 0
fi
EXPECTED=", there was a little girl named Lily | STOP"   # the README's Java API example prints this
for backend in FFM JNI; do
  cp="$CP"; [ "$backend" = JNI ] && cp="$CP_JNI"
  out=$("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" "$WORK/consumer/Main.java" "$MODEL" "$backend" \
        2> "$WORK/err.txt") || { cat "$WORK/err.txt" >&2; echo "consumer-check: $backend run failed" >&2; exit 1; }
  [ "$out" = "$EXPECTED" ] || { echo "consumer-check: $backend printed '$out', expected '$EXPECTED'" >&2; exit 1; }
  if grep -E ' WARN |WARNING' "$WORK/err.txt" >&2; then
    echo "consumer-check: $backend logged the warnings above" >&2; exit 1
  fi
  echo "consumer-check: $backend ok: $out"
done

#!/usr/bin/env bash
# Proves docs/frameworks.md's LangChain4j and Spring Boot Maven snippets from outside the reactor (the core-only
# one is the user guide's, checked by consumer-check.sh): installs the modules into a private local repository,
# resolves a fresh project whose pom holds only the snippet (taken from the doc itself), compiles the doc's
# example source against that class path and runs it on the test model: the LangChain4j quickstart prints its
# three lines, the Spring Boot application starts, answers GET /story and GET /hero over HTTP, and stops.
#
# The machine's ~/.m2/repository is only read (maven.repo.local.tail), as in consumer-check.sh. Run after a
# build: ~1-2 min. Environment: JAVA_HOME, AUTOGLM_TEST_MODELS (without the model the runs are skipped outside
# CI and fail with CI=true), MVN_FLAGS (default -B -ntp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/bin/find-jdk25.sh"
JAVA_HOME=$(autoglm_find_jdk25 javac) || { echo "frameworks-check: JDK 25 not found" >&2; exit 1; }
export JAVA_HOME
WORK=$(mktemp -d "${TMPDIR:-/tmp}/autoglm-frameworks.XXXXXX")
APP_PID=
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
read -r -a FLAGS <<< "${MVN_FLAGS:--B -ntp}"
REPO=(-Dmaven.repo.local="$WORK/repo" -Dmaven.repo.local.tail="${AUTOGLM_M2_TAIL:-$HOME/.m2/repository}")
DOC=docs/frameworks.md

echo "frameworks-check: installing the BOM, core, server and the adapters into $WORK/repo"
./mvnw "${FLAGS[@]}" -q "${REPO[@]}" install -DskipTests \
  -pl autoglm-bom,autoglm-core,autoglm-server,autoglm-langchain4j,autoglm-spring-boot-starter -am

# block SECTION LANG: the first ```LANG block under the doc's "## SECTION" heading
block() {
  awk -v s="## $1" -v f="\`\`\`$2" '/^## / {h=($0==s)} h && $0==f {x=1; next} x && /^```/ {exit} x {print}' "$DOC"
}

# classpath NAME SECTION: a project whose pom is the section's snippet; prints its class path
classpath() {
  local dir="$WORK/$1" snippet
  snippet=$(block "$2" xml)
  [ -n "$snippet" ] || { echo "frameworks-check: no xml block under '## $2' in $DOC" >&2; exit 1; }
  mkdir -p "$dir"
  cat > "$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>$1</artifactId>
  <version>1</version>
$snippet
</project>
POM
  ( cd "$dir" && "$ROOT/mvnw" "${FLAGS[@]}" -q "${REPO[@]}" \
      org.apache.maven.plugins:maven-dependency-plugin:3.11.0:build-classpath -Dmdep.outputFile="$dir/cp.txt" ) >&2
  cat "$dir/cp.txt"
}

MODEL="${AUTOGLM_TEST_MODELS:-$ROOT/../shared/models}/stories260K.gguf"
run_ok=true
if [ ! -f "$MODEL" ]; then
  if [ "${CI:-}" = true ]; then echo "frameworks-check: $MODEL missing (CI=true)" >&2; exit 1; fi
  echo "frameworks-check: $MODEL missing: resolution and compilation checked, runs skipped"
  run_ok=false
fi
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)

# --- LangChain4j -------------------------------------------------------------------------------------------
CP=$(classpath langchain4j LangChain4j)
for jar in autoglm-langchain4j- autoglm-core- langchain4j-core-1.19.0 langchain4j-1.19.0 slf4j-simple-; do
  case "$CP" in *"$jar"*) ;; *) echo "frameworks-check: $jar missing from the LangChain4j snippet's class path: $CP" >&2; exit 1 ;; esac
done
case "$CP" in *helidon*|*spring*) echo "frameworks-check: unexpected dependency of the LangChain4j snippet: $CP" >&2; exit 1 ;; esac
mkdir -p "$WORK/langchain4j/src/io/autoglm/langchain4j" "$WORK/langchain4j/classes"
cp autoglm-langchain4j/src/test/java/io/autoglm/langchain4j/LangChain4jQuickstart.java "$WORK/langchain4j/src/io/autoglm/langchain4j/"
cat > "$WORK/langchain4j/src/io/autoglm/langchain4j/Main.java" <<'JAVA'
package io.autoglm.langchain4j;

public class Main {
    public static void main(String[] args) {
        System.out.println(LangChain4jQuickstart.run(args[0]));
    }
}
JAVA
"$JAVA_HOME/bin/javac" -d "$WORK/langchain4j/classes" -cp "$CP" $(find "$WORK/langchain4j/src" -name '*.java')
echo "frameworks-check: the LangChain4j snippet resolves to $(tr ':' '\n' <<< "$CP" | wc -l) jars and compiles the example"
if $run_ok; then
  out=$("${JAVA[@]}" -cp "$WORK/langchain4j/classes:$CP" io.autoglm.langchain4j.Main "$MODEL" 2> "$WORK/l4j-err.txt") \
    || { cat "$WORK/l4j-err.txt" >&2; echo "frameworks-check: the LangChain4j example failed" >&2; exit 1; }
  [ "$(tail -n 1 <<< "$out")" = 64 ] || { echo "frameworks-check: the LangChain4j example printed '$out'" >&2; exit 1; }
  echo "frameworks-check: LangChain4j example ok (embedding dimension $(tail -n 1 <<< "$out"))"
fi

# --- Spring Boot -------------------------------------------------------------------------------------------
CP=$(classpath spring-boot "Spring Boot")
for jar in autoglm-spring-boot-starter- autoglm-core- spring-ai-model-2.0.1 spring-boot-autoconfigure-4.0.7 spring-webmvc- logback-classic-; do
  case "$CP" in *"$jar"*) ;; *) echo "frameworks-check: $jar missing from the Spring Boot snippet's class path: $CP" >&2; exit 1 ;; esac
done
case "$CP" in *helidon*) echo "frameworks-check: the server came without autoglm-server: $CP" >&2; exit 1 ;; esac
mkdir -p "$WORK/spring-boot/classes"
"$JAVA_HOME/bin/javac" -parameters -d "$WORK/spring-boot/classes" -cp "$CP" \
  autoglm-spring-boot-starter/src/test/java/io/autoglm/spring/boot/example/StoryApplication.java
echo "frameworks-check: the Spring Boot snippet resolves to $(tr ':' '\n' <<< "$CP" | wc -l) jars and compiles the example"
if $run_ok; then
  # the doc's application.properties, with the model given as the test model's path
  block "Spring Boot" properties | grep -v '^autoglm.model=' > "$WORK/spring-boot/classes/application.properties"
  printf 'autoglm.model=%s\nautoglm.threads=1\nserver.port=0\n' "$MODEL" >> "$WORK/spring-boot/classes/application.properties"
  : > "$WORK/boot.log"   # exists before the loop below reads it
  "${JAVA[@]}" -cp "$WORK/spring-boot/classes:$CP" io.autoglm.spring.boot.example.StoryApplication > "$WORK/boot.log" 2>&1 &
  APP_PID=$!
  port=
  for _ in $(seq 1 120); do
    port=$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$WORK/boot.log" | head -n 1)
    [ -n "$port" ] && grep -q 'Started StoryApplication' "$WORK/boot.log" && break
    kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/boot.log" >&2; echo "frameworks-check: the application stopped" >&2; exit 1; }
    sleep 0.5
  done
  [ -n "$port" ] || { cat "$WORK/boot.log" >&2; echo "frameworks-check: the application did not start" >&2; exit 1; }
  story=$(curl -fsS "http://127.0.0.1:$port/story?topic=cats")
  hero=$(curl -fsS "http://127.0.0.1:$port/hero?name=Lily")
  [ -n "$story" ] || { echo "frameworks-check: empty /story" >&2; exit 1; }
  case "$hero" in '{"name":'*'"age":'*'"brave":'*) ;; *) echo "frameworks-check: /hero answered '$hero'" >&2; exit 1 ;; esac
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=
  if grep -E ' WARN |ERROR' "$WORK/boot.log" >&2; then
    echo "frameworks-check: the Spring Boot application logged the lines above" >&2; exit 1
  fi
  echo "frameworks-check: Spring Boot example ok: /hero -> $hero"
fi

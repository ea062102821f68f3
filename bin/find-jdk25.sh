# Sourced by ./mvnw, bin/autoglm and .ci/run (POSIX sh, so also dash): finds a JDK 25 or newer.
#
#   autoglm_find_jdk25 [javac]   prints the home of the first JDK >= 25 found, or fails (status 1).
#                                With "javac", only homes that also have bin/javac count (Maven
#                                compiles; the CLI launcher needs only bin/java).
#   autoglm_java_major HOME      prints the feature version (17, 25, ...) of the JDK at HOME.
#
# Looks, in this order, at JAVA_HOME, the java on the PATH, then the folders installers use:
# Debian/Ubuntu/Fedora packages and Temurin's .deb/.rpm (/usr/lib/jvm), /usr/java, /opt, SDKMAN,
# IntelliJ's ~/.jdks, asdf, macOS (/usr/libexec/java_home, /Library/Java/JavaVirtualMachines) and
# the Windows installers' folders as Git Bash sees them. The version comes from the JDK's `release`
# file (no JVM start), else from running its java.
autoglm_java_major() {
  _agj_v=
  if [ -f "$1/release" ]; then
    _agj_v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n 1)
  fi
  if [ -z "$_agj_v" ] && [ -x "$1/bin/java" ]; then
    _agj_v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  printf '%s\n' "$_agj_v"
}

# prints the candidate homes, one a line (may contain duplicates and non-JDKs)
autoglm_jdk_candidates() {
  [ -z "${JAVA_HOME:-}" ] || printf '%s\n' "$JAVA_HOME"
  _agj_java=$(command -v java 2>/dev/null || true)
  if [ -n "$_agj_java" ]; then
    _agj_java=$(readlink -f "$_agj_java" 2>/dev/null || printf '%s' "$_agj_java")
    printf '%s\n' "$(dirname "$(dirname "$_agj_java")")"
  fi
  if [ -x /usr/libexec/java_home ]; then
    /usr/libexec/java_home -v 25+ 2>/dev/null || true
  fi
  for _agj_c in /usr/lib/jvm/* /usr/lib64/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*/jdk* \
      "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/* \
      "${HOME:-/nonexistent}"/.asdf/installs/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home \
      "${HOME:-/nonexistent}"/Library/Java/JavaVirtualMachines/*/Contents/Home \
      "/c/Program Files/Eclipse Adoptium"/* "/c/Program Files/Java"/* "/c/Program Files/Microsoft"/jdk*; do
    [ -d "$_agj_c" ] && printf '%s\n' "$_agj_c"
  done
  return 0
}

autoglm_find_jdk25() {
  case $- in *f*) _agj_noglob=1; set +f ;; *) _agj_noglob= ;; esac
  _agj_found=
  _agj_list=$(autoglm_jdk_candidates)
  set -f
  _agj_ifs=$IFS
  IFS='
'
  for _agj_c in $_agj_list; do
    [ -x "$_agj_c/bin/java" ] || continue
    [ "${1:-}" != javac ] || [ -x "$_agj_c/bin/javac" ] || continue
    _agj_v=$(autoglm_java_major "$_agj_c")
    if [ -n "$_agj_v" ] && [ "$_agj_v" -ge 25 ] 2>/dev/null; then
      _agj_found=$_agj_c
      break
    fi
  done
  IFS=$_agj_ifs
  [ -n "$_agj_noglob" ] || set +f
  [ -n "$_agj_found" ] || return 1
  printf '%s\n' "$_agj_found"
}

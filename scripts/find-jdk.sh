# Sourced by ./squall and ./test.sh: finds a JDK >= 21 and exports JAVA_HOME for it.
# Order: $JAVA_HOME, then the usual install folders (newest first), then `java` on PATH.

squall_java_major() {  # prints the major version of the java binary $1, or nothing
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

squall_release_major() {  # the major version in a JDK home's `release` file ($1 = the home), or nothing
    [ -f "$1/release" ] || return 0
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -1
}

squall_jdk_ok() {  # $1 = a JDK home; true when it has java and javac >= 21 (its major is left in SQUALL_JAVA_MAJOR)
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
    # The release file says it without starting a JVM (~0.1 s of every ./squall); java itself otherwise.
    local v; v=$(squall_release_major "$1")
    [ -n "$v" ] || v=$(squall_java_major "$1/bin/java")
    SQUALL_JAVA_MAJOR=$v
    [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null
}

# Maven's own libraries use sun.misc.Unsafe, which JDK 24+ warns about on every build; the switch
# that quiets it does not exist before JDK 23, so it is set only where it is understood.
squall_maven_opts() {
    local v=${SQUALL_JAVA_MAJOR:-}
    [ -n "$v" ] || v=$(squall_java_major "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 24 ] 2>/dev/null; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    fi
}

squall_find_jdk() {
    squall_find_jdk_home || return 1
    squall_maven_opts
}

squall_find_jdk_home() {
    local candidate
    if [ -n "${JAVA_HOME:-}" ] && squall_jdk_ok "$JAVA_HOME"; then
        return 0
    fi
    for candidate in $(ls -d /usr/lib/jvm/*/ /usr/java/*/ /opt/java/*/ /opt/jdk*/ /usr/local/jdk*/ \
                          "$HOME"/.sdkman/candidates/java/*/ "$HOME"/.jdks/*/ \
                          /Library/Java/JavaVirtualMachines/*/Contents/Home/ 2>/dev/null | sort -rV); do
        candidate=${candidate%/}
        if squall_jdk_ok "$candidate"; then
            export JAVA_HOME="$candidate"
            return 0
        fi
    done
    if command -v javac >/dev/null 2>&1; then
        candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        if squall_jdk_ok "$candidate"; then
            export JAVA_HOME="$candidate"
            return 0
        fi
    fi
    cat >&2 <<'MSG'
squall: no JDK 21 or newer was found (looked at $JAVA_HOME, /usr/lib/jvm, /opt/java, ~/.sdkman, and java on PATH).
Install one, for example:
  Debian/Ubuntu:  sudo apt-get install openjdk-21-jdk     (or Temurin 25 from adoptium.net)
  macOS:          brew install openjdk@21
  SDKMAN:         sdk install java 25-tem
then run this command again, or point JAVA_HOME at it.
MSG
    return 1
}

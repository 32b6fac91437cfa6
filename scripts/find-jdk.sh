# Sourced by ./squall and ./test.sh: finds a JDK >= 21 and exports JAVA_HOME for it.
# Order: $JAVA_HOME, then the usual install folders (newest first), then `java` on PATH.

squall_java_major() {  # prints the major version of the java binary $1, or nothing
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

squall_jdk_ok() {  # $1 = a JDK home; true when it has java and javac >= 21
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
    local v; v=$(squall_java_major "$1/bin/java")
    [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null
}

squall_find_jdk() {
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

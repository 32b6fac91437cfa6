# The launcher's ahead-of-time cache (JDK 25+), shared by ./squall and the benchmarks
# (bench/scripts/lib.sh). Sourced; needs JAVA_HOME and SQUALL_JAVA_MAJOR (scripts/find-jdk.sh).
#
# squall_aot_cache ROOT JAR: prints the path of the cache (ROOT/app/target/squall.aot), first
# recording it with a training run (`squall train`, ~15 s) when it is missing or older than JAR.
# Prints nothing when the JDK is older than 25 or the recording failed: a start goes on without it.
# One recording at a time: a second caller waits for the first, then finds the cache fresh.
squall_aot_cache() {
    local root=$1 jar=$2
    local aot="$root/app/target/squall.aot"
    [ "${SQUALL_JAVA_MAJOR:-0}" -ge 25 ] 2>/dev/null || return 0
    if [ ! -f "$aot" ] || [ "$jar" -nt "$aot" ]; then
        exec 8>"$root/.squall-aot.lock"
        flock 8 2>/dev/null || true
        if [ ! -f "$aot" ] || [ "$jar" -nt "$aot" ]; then
            echo "squall: recording the start-up cache $aot (once per build, ~15 s; SQUALL_AOT=off skips it) ..." >&2
            rm -f "$aot"
            if ! "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:AOTCacheOutput="$aot.tmp" -jar "$jar" train \
                    >"$root/app/target/aot-train.log" 2>&1 || ! mv "$aot.tmp" "$aot"; then
                echo "squall: the start-up cache could not be made (see app/target/aot-train.log); starting without it" >&2
                rm -f "$aot.tmp"
            fi
        fi
        exec 8>&-
    fi
    if [ -f "$aot" ]; then echo "$aot"; fi
}

#!/usr/bin/env bash
# JMH micro-benchmarks of the hot paths: the POST /jobs parse and answer (IntakeBench), submits to
# the memory and SQLite stores, group-commit batches, claim + finish (StoreBench). Not part of the
# test suite. Builds the jmh module (and what it needs), then runs JMH with any arguments given:
#   bench/jmh.sh                       # every benchmark (about 3 minutes)
#   bench/jmh.sh IntakeBench           # one class (a regex over benchmark names)
#   bench/jmh.sh StoreBench -p store=memory -f 1 -wi 2 -i 3
#   bench/jmh.sh -l                    # list them
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/find-jdk.sh"
squall_find_jdk >/dev/null
cd "$root"
./mvnw -q -B -pl jmh -am package -DskipTests
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar jmh/target/benchmarks.jar "$@"

#!/usr/bin/env bash
# Runs the whole test suite: finds a JDK >= 21, then builds and tests every module with the Maven
# wrapper (which fetches the pinned Maven 3.9 on first use). Extra arguments go to Maven, e.g.
#   ./test.sh -Dtest=QueueStageTest -Dsurefire.failIfNoSpecifiedTests=false
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$root/scripts/find-jdk.sh"
squall_find_jdk || exit 1
echo "test.sh: JDK $JAVA_HOME" >&2
cd "$root"
exec ./mvnw -B --no-transfer-progress verify "$@"

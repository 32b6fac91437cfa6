#!/usr/bin/env bash
# Runs the whole test suite: finds a JDK >= 21, then builds and tests every module with the Maven
# wrapper (which fetches the pinned Maven 3.9 on first use). Extra arguments go to Maven, e.g.
#   ./test.sh -Dtest=QueueStageTest -Dsurefire.failIfNoSpecifiedTests=false
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$root/scripts/find-jdk.sh"
squall_find_jdk || exit 1
echo "test.sh: JDK $JAVA_HOME" >&2
# The PostgreSQL tests need PostgreSQL's binaries: they use the server of SQUALL_TEST_PG_URL or the
# one on 127.0.0.1:5432, else they start one of their own from /usr/lib/postgresql/*/bin.
if [ -z "${SQUALL_TEST_PG_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing PostgreSQL (Debian package) for the PostgreSQL tests ..." >&2
        apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postgresql >/dev/null 2>&1; }
    fi
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "test.sh: PostgreSQL is needed: sudo apt-get install postgresql, or set SQUALL_TEST_PG_URL" >&2; exit 1; }
fi
# The dashboard's browser tests drive Debian's chromium through chromium-driver (nothing is
# downloaded by Selenium); fonts-liberation gives the screenshots real fonts.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing chromium and chromium-driver (Debian packages) for the browser tests ..." >&2
        pkgs="chromium chromium-driver fonts-liberation"
        apt-get install -y -qq $pkgs >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $pkgs >/dev/null 2>&1; }
    fi
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || {
        echo "test.sh: the browser tests need chromium and chromium-driver: sudo apt-get install chromium chromium-driver fonts-liberation" >&2
        exit 1
    }
fi
cd "$root"
exec ./mvnw -B --no-transfer-progress verify "$@"

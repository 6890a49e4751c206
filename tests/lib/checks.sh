# Sourced by test scripts: one test per `check`, reported like cargo's harness, which tests/run
# adds up (tests/suites/README.md).
#
#   check NAME COMMAND...   runs COMMAND; prints "test NAME ... ok" or "... FAILED" and, on a
#                           failure, the tail of what it printed
#   finish [LABEL]          prints the "test result:" line; returns 1 if anything failed

CHECKS_PASSED=0
CHECKS_FAILED=0
CHECKS_LOG=$(mktemp /tmp/lvs-check.XXXXXX)

check() {
  local name=$1
  shift
  if "$@" > "$CHECKS_LOG" 2>&1; then
    echo "test $name ... ok"
    CHECKS_PASSED=$((CHECKS_PASSED + 1))
  else
    echo "test $name ... FAILED"
    tail -n 40 "$CHECKS_LOG" | sed 's/^/    /'
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
  fi
}

finish() {
  local label=${1:+ ($1)}
  rm -f "$CHECKS_LOG"
  if [ "$CHECKS_FAILED" -eq 0 ] && [ "$CHECKS_PASSED" -gt 0 ]; then
    echo "test result: ok. $CHECKS_PASSED passed; 0 failed; 0 ignored;$label"
  else
    echo "test result: FAILED. $CHECKS_PASSED passed; $CHECKS_FAILED failed; 0 ignored;$label"
    return 1
  fi
}

# Sourced by test scripts: one test per `check`, reported like cargo's harness, which tests/run
# adds up (tests/suites/README.md).
#
#   check NAME COMMAND...   runs COMMAND; prints "test NAME ... ok" or "... FAILED" and, on a
#                           failure, the tail of what it printed
#   finish [LABEL]          prints the "test result:" line; returns 1 if anything failed
#   report_counts PASSED FAILED [LABEL]
#                           prints the "test result:" line for counts kept elsewhere (a
#                           pytest log, a lab, a whole step as one test); returns 1 if
#                           anything failed or nothing passed
#   report_step LABEL COMMAND...
#                           runs COMMAND, its output shown as it comes, as one test with a
#                           "test result:" line of its own; returns COMMAND's failure
#
# The one place the "test result:" line is written, so tests/run reads one format.

# CHECKS_PREFIX, when set, goes before each test's name (e.g. "ffi-host ").
CHECKS_PREFIX=${CHECKS_PREFIX:-}
CHECKS_PASSED=0
CHECKS_FAILED=0
# Made by the first `check`, so that scripts using only report_counts leave no file behind.
CHECKS_LOG=

check() {
  local name=$1
  shift
  [ -n "$CHECKS_LOG" ] || CHECKS_LOG=$(mktemp /tmp/lvs-check.XXXXXX)
  if "$@" > "$CHECKS_LOG" 2>&1; then
    echo "test $CHECKS_PREFIX$name ... ok"
    CHECKS_PASSED=$((CHECKS_PASSED + 1))
  else
    echo "test $CHECKS_PREFIX$name ... FAILED"
    tail -n 40 "$CHECKS_LOG" | sed 's/^/    /'
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
  fi
}

finish() {
  [ -z "$CHECKS_LOG" ] || rm -f "$CHECKS_LOG"
  report_counts "$CHECKS_PASSED" "$CHECKS_FAILED" "$@"
}

report_counts() {
  local passed=$1 failed=$2 label=${3:+ ($3)}
  if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
    echo "test result: ok. $passed passed; 0 failed; 0 ignored;$label"
  else
    echo "test result: FAILED. $passed passed; $failed failed; 0 ignored;$label"
    return 1
  fi
}

report_step() {
  local label=$1
  shift
  if "$@"; then
    report_counts 1 0 "$label"
  else
    report_counts 0 1 "$label"
  fi
}

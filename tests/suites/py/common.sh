# Shared by tests/suites/py/{host,guest}: where the virtualenv lives, and how a pytest run
# is reported to tests/run in cargo's "test result:" format.

# shellcheck source=../../lib/checks.sh
. tests/lib/checks.sh

VENV=target/lvs-py-venv
PYTHON=$VENV/bin/python

# report NAME LOG STATUS: prints cargo's summary line for a pytest log (errors count as
# failures); a run that reports nothing counts as one failure.
report() {
  local name=$1 log=$2 status=$3 counts passed failed
  # (No process substitution: the test VM has no /dev/fd.)
  counts=$(awk '
    /^(=+ )?[0-9]+ (passed|failed|error)/ {
      for (i = 1; i < NF; i++) {
        if ($(i+1) ~ /^passed/) p = $i
        if ($(i+1) ~ /^(failed|errors?)/) f += $i
      }
    }
    END { print p + 0, f + 0 }' "$log")
  passed=${counts% *}
  failed=${counts#* }
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  report_counts "$passed" "$failed" "$name"
}

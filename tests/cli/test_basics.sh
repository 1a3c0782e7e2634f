#!/bin/bash
# Placeholder until the CLI tests land.
. "$(dirname "$0")/lib.sh"
ry --version
expect_rc 0 "--version succeeds"
expect_out_has "runyard" "--version names the program"
t_end

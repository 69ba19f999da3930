#!/bin/sh
# test_holes_cli.sh - holes hostile input found on the command line
# (issue 9) and what a newcomer trips on there (issue 11): each case one
# line on stderr naming the flag or file, the right exit status, nothing
# written.
. "$(dirname "$0")/lib.sh"
M=$MGPT_TUI
D=$T/runs.db

finish

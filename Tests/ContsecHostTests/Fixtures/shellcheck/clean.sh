#!/bin/sh
# No issues here.
set -eu
printf '%s\n' "ready"

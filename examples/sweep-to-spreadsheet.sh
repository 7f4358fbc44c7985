#!/usr/bin/env bash
# Sweep the V3 run over price and MFU on three chips into a CSV a spreadsheet opens:
# one header row, raw numbers, units in the column names.
set -euo pipefail
output=${1:-v3-sweep.csv}
costcalc sweep deepseek-v3 \
    --vary gpu=H800,H100,H20 \
    --vary price=1.5:3:0.25 \
    --vary mfu=0.2:0.45:0.05 \
    --set run.precision=bf16 \
    --format csv > "$output"
echo "wrote $(($(wc -l < "$output") - 1)) rows to $output" >&2
# The same, written atomically and straight to a workbook (needs the xlsx extra):
#   costcalc sweep deepseek-v3 --vary price=1.5:3:0.25 --output v3-sweep.xlsx

#!/usr/bin/env bash
# Seed a scratch database, produce the 2021-22 Q2 report, open it with headless LibreOffice
# and check the Units sheet shows 487 housed to date (the September 2021 note's figure).
# Needs LibreOffice (apt-get install libreoffice-calc-nogui); not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HFM_ENV=development DATABASE_URL="sqlite:///$work/check.sqlite" REPORTS_DIR="$work/reports"
mkdir -p "$REPORTS_DIR"
.venv/bin/hfm db upgrade >/dev/null 2>&1
.venv/bin/hfm programme load >/dev/null
.venv/bin/hfm demo seed >/dev/null
for variant in taskforce mhclg; do
  workbook=$(.venv/bin/hfm report quarterly --quarter 2021-22-Q2 --variant "$variant" | tail -n 1)
  # Every sheet to its own CSV (filter option -1 = all sheets), as LibreOffice reads them.
  soffice --headless --norestore -env:UserInstallation=file://$work/lo-profile \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
    --outdir "$work/csv-$variant" "$workbook" >/dev/null 2>&1
  units=$(ls "$work/csv-$variant"/*Units*.csv)
  total_row=$(grep -i "programme total" "$units")
  echo "$variant: LibreOffice opened $(basename "$workbook"): $(ls "$work/csv-$variant" | wc -l) sheets; Units total row: $total_row"
  echo "$total_row" | grep -q ",487," || { echo "FAILED: 487 housed to date not found on the Units sheet" >&2; exit 1; }
done
echo "OK: both workbooks open in LibreOffice and show 487 housed to date"

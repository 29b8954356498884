#!/usr/bin/env bash
# Seed a scratch database, produce both variants of the 2021-22 Q2 and 2022-23 Q4 reports,
# open each with headless LibreOffice: the Units sheet of 2021-22 Q2 must show 487 housed to
# date (the September 2021 note's figure), and every workbook is printed to PDF (A4) with its
# page count. With OUT=dir the PDFs and a PNG of every page (pdftoppm) are kept there, to
# look at: no chart cut by a page break, no title rows printed over a chart.
# Needs LibreOffice and poppler (apt-get install libreoffice-calc-nogui poppler-utils);
# not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${OUT:-$work/out}
mkdir -p "$out"
export HFM_ENV=development DATABASE_URL="sqlite:///$work/check.sqlite" REPORTS_DIR="$work/reports"
mkdir -p "$REPORTS_DIR"
.venv/bin/hfm db upgrade >/dev/null 2>&1
.venv/bin/hfm programme load >/dev/null
.venv/bin/hfm demo seed >/dev/null
office() {
  soffice --headless --norestore -env:UserInstallation=file://$work/lo-profile "$@" >/dev/null 2>&1
}
for quarter in 2021-22-Q2 2022-23-Q4; do
  for variant in taskforce mhclg; do
    workbook=$(.venv/bin/hfm report quarterly --quarter "$quarter" --variant "$variant" | tail -n 1)
    name=$(basename "$workbook" .xlsx)
    if [ "$quarter" = 2021-22-Q2 ]; then
      # Every sheet to its own CSV (filter option -1 = all sheets), as LibreOffice reads them.
      office --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
        --outdir "$work/csv-$variant" "$workbook"
      total_row=$(grep -i "programme total" "$work"/csv-"$variant"/*Units*.csv)
      echo "$total_row" | grep -q ",487," || { echo "FAILED: 487 housed to date not found ($name)" >&2; exit 1; }
    fi
    office --convert-to pdf --outdir "$out" "$workbook"
    pdf="$out/$name.pdf"
    [ -s "$pdf" ] || { echo "FAILED: LibreOffice printed no PDF for $name" >&2; exit 1; }
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    size=$(pdfinfo "$pdf" | awk -F': *' '/^Page size:/ {print $2}')
    echo "$name: $pages pages ($size)"
    case "$size" in
      "841."*" x 595."*"(A4)"*) ;;  # landscape: wider than tall
      *) echo "FAILED: $name is not printed on A4 landscape ($size)" >&2; exit 1 ;;
    esac
    if [ -n "${OUT:-}" ]; then
      pdftoppm -r 50 -png "$pdf" "$out/$name"
    fi
  done
done
echo "OK: LibreOffice opens all four workbooks, prints them on A4 landscape, and 2021-22 Q2 shows 487 housed to date"

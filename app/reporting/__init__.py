"""The quarterly report: figures, workbook, runs, scheduler and reminders."""

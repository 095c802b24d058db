"""One module per question the workbook answers."""

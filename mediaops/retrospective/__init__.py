"""The retrospective (复盘): KPIs, the per-product table, the insights and the document the reports are built from."""

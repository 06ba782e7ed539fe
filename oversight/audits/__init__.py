"""Monitoring the handling status (取扱状況の把握): audit schedule, audit records, findings, the 把握 light."""

"""`handouts batch`: a manifest -> many handout PDFs, a report and a print file (entry point: `handouts.batch.run.execute`)."""

"""Stage 5-7: a handout XML tree and a theme -> PDF bytes (entry point: `handouts.pdf.render.render_pdf`)."""

"""Stage 4: spec, clinic and selected blocks -> handout XML through a sandboxed Jinja2 layout (entry point: `handouts.layout.environment.render_layout`)."""

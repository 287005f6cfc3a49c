"""Stages 2-3: stacked content directories -> a Library; a spec -> the blocks that fit it (entry points: `handouts.content.loader.load_library`, `handouts.content.translation.select_translated`)."""

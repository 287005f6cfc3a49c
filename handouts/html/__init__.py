"""The HTML stage: a handout XML tree and a theme -> one self-contained, accessible HTML page."""

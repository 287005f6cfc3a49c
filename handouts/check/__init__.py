"""`handouts check`: content and template directories -> Problems and readability scores (entry point: `handouts.check.rules.check_directories`)."""

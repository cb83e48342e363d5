"""Documents: reading files (encodings, language, metadata, boilerplate), segmentation, uploads."""

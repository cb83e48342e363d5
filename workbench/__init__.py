"""Translation and alignment workbench for border-defence press reports.

The package is a library: importing it loads no model, opens no database and
creates no folder. Heavy dependencies (torch, transformers, sentencepiece) are
imported inside the functions that need them.
"""

__version__ = "0.1.0"

"""Machine translation: the `Translator` interface, one factory, and the engines behind it.

`workbench.mt.factory.get_translator` is the only way callers obtain a translator;
engines live in `transformers_engine`, `ctranslate2_engine` and `ray_engine`.
"""

"""Build random-weight Marian checkpoints for tests and benchmarks only.

No model hub is reachable in CI, so tests build a tiny checkpoint here
(SentencePiece trained on given texts, a MarianConfig of a few dimensions)
and load it through exactly the code that loads real opus-mt checkpoints.
Its output is noise: the config carries `workbench_random_weights = true`,
the translator reports it, and the store and UI label such output as a test
model's, never as a translation.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path


def train_sentencepiece(texts: Iterable[str], vocab_size: int, model_path: Path) -> list[str]:
    """Train a SentencePiece model on `texts`; write it to `model_path`; return its pieces."""
    import sentencepiece as spm

    sentences = [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=buffer, vocab_size=vocab_size,
        model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
        bos_id=-1, eos_id=1, unk_id=0, pad_id=-1, minloglevel=2,
    )
    model_path.write_bytes(buffer.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=buffer.getvalue())
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_random_marian(
    output_dir: str | Path,
    source_texts: Iterable[str],
    target_texts: Iterable[str],
    *,
    vocab_size: int = 400,
    d_model: int = 16,
    layers: int = 1,
    heads: int = 2,
    ffn_dim: int = 32,
    language_tokens: Iterable[str] = (),
    extra_vocab: int = 0,
    max_positions: int = 512,
    seed: int = 0,
) -> Path:
    """Write a random-weight MarianMT checkpoint (model + tokenizer) to `output_dir`."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    source_pieces = train_sentencepiece(source_texts, vocab_size, output_dir / "source.spm")
    target_pieces = train_sentencepiece(target_texts, vocab_size, output_dir / "target.spm")

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for token in language_tokens:
        vocab.setdefault(token, len(vocab))
    for piece in source_pieces + target_pieces:
        if piece not in {"<unk>", "</s>", "<s>"}:
            vocab.setdefault(piece, len(vocab))
    # Benchmarks pad the vocabulary to a real checkpoint's size so the output layer costs the same.
    for index in range(extra_vocab):
        vocab.setdefault(f"▁filler{index}", len(vocab))
    vocab["<pad>"] = len(vocab)
    (output_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    pad_id = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=d_model,
        encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads,
        encoder_ffn_dim=ffn_dim, decoder_ffn_dim=ffn_dim, max_position_embeddings=max_positions,
        pad_token_id=pad_id, eos_token_id=0, decoder_start_token_id=pad_id,
        forced_eos_token_id=0, share_encoder_decoder_embeddings=True,
        scale_embedding=True, static_position_embeddings=True,
    )
    config.workbench_random_weights = True
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config.bad_words_ids = [[pad_id]]
    model.generation_config.max_length = max_positions
    model.generation_config.num_beams = 1
    model.save_pretrained(output_dir)
    tokenizer = MarianTokenizer(
        source_spm=str(output_dir / "source.spm"), target_spm=str(output_dir / "target.spm"),
        vocab=str(output_dir / "vocab.json"))
    tokenizer.save_pretrained(output_dir)
    return output_dir

"""Train the term-enforcement proxy: a small Marian model that reads its input.

Reads train.tsv / dev.tsv written by `bench/proxy_data.py`, builds a Marian checkpoint
with `workbench.mt.random_checkpoint.build_random_marian` (so the result loads through
exactly the code that loads opus-mt checkpoints, and converts to CTranslate2 the same way),
trains it for a wall-clock budget and saves it as an ordinary checkpoint: the
`workbench_random_weights` flag is set to false and `workbench_proxy` names the task, so
reports say which model produced their figures.

Recipe (scaled down from the issue's to fit a shared 2-core machine): AdamW 1e-3, 300
warm-up steps then inverse-square-root decay, label smoothing 0.1, batches of about
`--batch-tokens` target tokens, bf16 autocast on request (`--bf16`: faster on a quiet
CPU with AMX, slower than float32 on the crowded shared machine it was trained on). The checkpoint is
saved every few minutes, so a run cut short still leaves a usable model.

    OMP_WAIT_POLICY=PASSIVE nice -n 10 python -m bench.proxy_train DATA_DIR OUT_DIR --minutes 22
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, target = line.partition("\t")
        if source and target:
            pairs.append((source, target))
    return pairs


def _batches(encoded, batch_tokens: int, rng: random.Random):
    """Length-bucketed batches of about `batch_tokens` target tokens, in random order."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][1]), rng.random()))
    batches, current, longest = [], [], 0
    for index in order:
        longest = max(longest, len(encoded[index][1]), len(encoded[index][0]))
        if current and longest * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current, longest = [], max(len(encoded[index][1]), len(encoded[index][0]))
        current.append(index)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def _save(model, tokenizer, out_dir: Path, info: dict) -> None:
    model.config.workbench_random_weights = False
    model.config.workbench_proxy = info
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def exact_match(model, tokenizer, pairs, limit: int = 200) -> float:
    """Share of held-out sentences whose greedy output equals the proxy's rendering."""
    import torch

    model.eval()
    hits = 0
    with torch.inference_mode():
        for start in range(0, min(limit, len(pairs)), 16):
            chunk = pairs[start:min(start + 16, limit)]
            batch = tokenizer([s for s, _ in chunk], return_tensors="pt", padding=True)
            output = model.generate(**batch, num_beams=1, max_new_tokens=96)
            decoded = tokenizer.batch_decode(output, skip_special_tokens=True)
            hits += sum(d.strip() == t.strip() for d, (_, t) in zip(decoded, chunk, strict=True))
    model.train()
    return hits / max(1, min(limit, len(pairs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--minutes", type=float, default=22.0)
    parser.add_argument("--vocab", type=int, default=6000, help="SentencePiece size per side")
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batch-tokens", type=int, default=2500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save-every", type=float, default=4.0, help="minutes")
    parser.add_argument("--bf16", action="store_true",
                        help="bf16 autocast (faster on a quiet CPU with AMX; slower on a crowded one)")
    parser.add_argument("--resume", action="store_true",
                        help="continue training the checkpoint in OUT_DIR (schedule resumes at its step)")
    args = parser.parse_args()

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    from transformers import MarianMTModel, MarianTokenizer
    from transformers.models.marian.modeling_marian import shift_tokens_right

    from workbench.mt.random_checkpoint import build_random_marian

    torch.set_num_threads(args.threads)
    started = time.monotonic()
    train = _read_pairs(args.data_dir / "train.tsv")
    dev = _read_pairs(args.data_dir / "dev.tsv")
    out_dir = args.out_dir
    if not args.resume:
        build_random_marian(
            out_dir, (s for s, _ in train), (t for _, t in train), vocab_size=args.vocab,
            d_model=args.d_model, layers=args.layers, heads=4, ffn_dim=args.d_model * 4,
            max_positions=256, seed=0)
    tokenizer = MarianTokenizer.from_pretrained(out_dir)
    model = MarianMTModel.from_pretrained(out_dir)
    model.generation_config.max_length = 256
    pad = model.config.pad_token_id
    print(f"vocab {len(tokenizer)}; parameters {sum(p.numel() for p in model.parameters()):,};"
          f" setup {time.monotonic() - started:.0f}s", flush=True)

    encoded = []
    for source, target in train:
        source_ids = tokenizer(source, truncation=True, max_length=96)["input_ids"]
        target_ids = tokenizer(text_target=target, truncation=True, max_length=96)["input_ids"]
        encoded.append((source_ids, target_ids))
    print(f"encoded {len(encoded)} pairs at {time.monotonic() - started:.0f}s", flush=True)

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.01)
    warmup = 300
    previous = (getattr(model.config, "workbench_proxy", None) or {}) if args.resume else {}
    first_step = int(previous.get("steps", 0))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((first_step + step + 1) / warmup,
                                    math.sqrt(warmup / (first_step + step + 1))))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)
    rng = random.Random(0)
    deadline = started + args.minutes * 60
    next_save = time.monotonic() + args.save_every * 60
    step, epoch = first_step, 0
    info = {"task": "bench/proxy_data.py", "train_pairs": len(train), "d_model": model.config.d_model,
            "layers": model.config.encoder_layers, "vocab": len(tokenizer),
            "minutes_before": previous.get("minutes_before", 0) + previous.get("minutes", 0)}
    model.train()
    while time.monotonic() < deadline:
        epoch += 1
        for batch_ids in _batches(encoded, args.batch_tokens, rng):
            if time.monotonic() >= deadline:
                break
            sources = [encoded[i][0] for i in batch_ids]
            targets = [encoded[i][1] for i in batch_ids]
            source_len = max(map(len, sources))
            target_len = max(map(len, targets))
            input_ids = torch.tensor([s + [pad] * (source_len - len(s)) for s in sources])
            labels = torch.tensor([t + [-100] * (target_len - len(t)) for t in targets])
            decoder_input_ids = shift_tokens_right(labels, pad, model.config.decoder_start_token_id)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(input_ids=input_ids, attention_mask=input_ids.ne(pad),
                               decoder_input_ids=decoder_input_ids).logits
            loss = loss_fn(logits.float().view(-1, logits.size(-1)), labels.view(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch} step {step} loss {loss.item():.3f} "
                      f"at {time.monotonic() - started:.0f}s", flush=True)
            if time.monotonic() >= next_save:
                info.update(steps=step, epochs_started=epoch,
                            minutes=round((time.monotonic() - started) / 60, 1))
                _save(model, tokenizer, out_dir, info)
                next_save = time.monotonic() + args.save_every * 60
                print(f"saved at step {step}", flush=True)
    info.update(steps=step, epochs_started=epoch,
                minutes=round((time.monotonic() - started) / 60, 1))
    info["dev_exact_match"] = round(exact_match(model, tokenizer, dev), 3)
    _save(model, tokenizer, out_dir, info)
    print(json.dumps(info), flush=True)


if __name__ == "__main__":
    main()

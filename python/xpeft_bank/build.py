"""Builds a trained bank with PyTorch and AdapterHub, across processes (torchrun) or GPUs.

The method is the engine's (src/training/bank-builder.ts): a population head fitted on the frozen
model's mean-pooled vectors of the population's texts, then one adapter per source person trained
against that fixed head. Under torchrun, every rank embeds its share of the population's texts and
the head is fitted with DistributedDataParallel; the source people whose adapters are not built yet are
then dealt out over the ranks in turn; rank 0 turns the saved adapters into the bank file. Adapters are
saved as AdapterHub adapters the moment they finish, so a run that stops resumes from them, provided
the model, the sources and the recipe are those the output folder's manifest.json records (manifest.py).

  torchrun --nproc_per_node 2 -m xpeft_bank build --model M --sources S --out DIR
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import adapters
import numpy as np
import torch
import torch.distributed as dist
from adapters import BnConfig
from torch.nn.parallel import DistributedDataParallel
from transformers import BertModel, BertTokenizerFast

from .adapterhub import config_for, import_adapters
from .bankfile import bank_identity, model_fingerprint, write_bank_file
from .finite import require_finite
from .manifest import build_manifest, check_resumable, start_folder
from .sources import Sources


class Ranks:
    """This process's place among the builders: (rank, world) and the device it computes on."""

    def __init__(self) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        cuda = torch.cuda.is_available()
        if self.world > 1:
            dist.init_process_group("nccl" if cuda else "gloo")
        local = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if not cuda:  # the machine's cores, shared between the ranks
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // self.world))

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()

    def close(self) -> None:
        if self.world > 1:
            dist.destroy_process_group()


def log(ranks: Ranks, message: str) -> None:
    print(f"[rank {ranks.rank}/{ranks.world}] {message}", flush=True)


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def loss_fn(src: Sources, outputs: torch.Tensor, targets: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    if src.task["kind"] == "regression":
        return torch.nn.functional.mse_loss(outputs.squeeze(-1), targets.float(), reduction=reduction)
    return torch.nn.functional.cross_entropy(outputs, targets.long(), reduction=reduction)


def head_objective(src: Sources, outputs: torch.Tensor, targets: torch.Tensor, total: int, world: int) -> torch.Tensor:
    """One rank's share of the head's loss over the whole population of `total` rows: its rows' summed loss
    times world / total. DDP averages the ranks' gradients, so theirs is the population's mean loss's
    gradient however the rows fall, and a rank without rows adds exactly zero."""
    return loss_fn(src, outputs, targets, reduction="sum") * (world / total)


def embed(model, tokenizer, texts: list, max_length: int, device, batch: int = 32) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch):
            enc = tokenizer(
                [t if isinstance(t, str) else tuple(t) for t in texts[i : i + batch]],
                padding=True, truncation=True, max_length=max_length, return_tensors="pt",
            ).to(device)
            out.append(mean_pool(model(**enc).last_hidden_state, enc["attention_mask"]))
    return torch.cat(out) if out else torch.zeros(0, model.config.hidden_size, device=device)


def fit_head(src: Sources, model, tokenizer, ranks: Ranks, steps: int = 300):
    """The population head, weight [d, outputs] and bias [outputs] as the engine stores them, and what it
    was fitted on: {"texts", "labels", "people"}."""
    key = lambda t: t if isinstance(t, str) else json.dumps(t)  # noqa: E731
    distinct = list({key(e["text"]): e["text"] for e in src.population}.items())
    random.Random(src.recipe.seed).shuffle(distinct)
    distinct = distinct[: src.recipe.population_texts]
    row = {k: i for i, (k, _) in enumerate(distinct)}
    mine = [i for i in range(len(distinct)) if i % ranks.world == ranks.rank]
    vectors = embed(model, tokenizer, [distinct[i][1] for i in mine], src.recipe.max_length, ranks.device)
    local = {g: j for j, g in enumerate(mine)}
    pairs = [(local[row[key(e["text"])]], src.target(e["label"])) for e in src.population
             if key(e["text"]) in row and row[key(e["text"])] in local]
    x = vectors[[p[0] for p in pairs]]
    y = torch.tensor([p[1] for p in pairs], device=ranks.device)
    used = [e for e in src.population if key(e["text"]) in row]
    if not used:
        raise ValueError("the sources' population has no labelled texts, so there is no population head to fit")
    everyone = [src.target(e["label"]) for e in used]
    stats = {"texts": len(distinct), "labels": len(used), "people": len({e.get("person") for e in used} - {None})}
    head = torch.nn.Linear(model.config.hidden_size, src.outputs).to(ranks.device)
    with torch.no_grad():  # start where the data is: the mean target, or the log class priors
        head.weight.zero_()
        if src.task["kind"] == "regression":
            head.bias.fill_(float(np.mean(everyone)))
        else:
            counts = np.bincount(everyone, minlength=src.outputs) + 1.0
            head.bias.copy_(torch.tensor(np.log(counts / counts.sum()), dtype=torch.float32))
    fitted = DistributedDataParallel(head) if ranks.world > 1 else head
    opt = torch.optim.Adam(fitted.parameters(), lr=1e-2)
    for _ in range(steps):
        opt.zero_grad()
        head_objective(src, fitted(x), y, len(used), ranks.world).backward()
        opt.step()
    return head.weight.detach().cpu().numpy().T.copy(), head.bias.detach().cpu().numpy().copy(), stats


def residual_offset(src: Sources, outputs: torch.Tensor, targets: list) -> torch.Tensor:
    """The offset that removes a head's average error on a person's examples, given its outputs [B, C]
    (the engine's residualBias): the mean residual (regression), or log(prior / mean predicted
    probability) per class, the priors add-one smoothed (classification)."""
    if src.task["kind"] == "regression":
        return (torch.tensor(targets, dtype=torch.float32) - outputs[:, 0].float().cpu()).mean().reshape(1)
    counts = np.bincount(targets, minlength=src.outputs) + 1.0
    prior = np.log(counts / counts.sum())
    mean_prob = torch.softmax(outputs.float(), dim=1).mean(0).cpu().numpy()
    return torch.tensor(prior - np.log(np.maximum(mean_prob, 1e-6)), dtype=torch.float32)


def train_adapter(src: Sources, i: int, model, tokenizer, head: torch.nn.Linear, ranks: Ranks, folder: Path):
    """Source person i's adapter against the fixed head, saved as an AdapterHub adapter in `folder`."""
    r = src.recipe
    name = f"source{i}"
    d = model.config.hidden_size
    width = r.r or max(1, round(d / 16))
    torch.manual_seed(r.seed * 100_003 + i)  # the adapter's initial values depend on the person only
    model.add_adapter(name, config=BnConfig(**config_for(r.placement, r.activation, d / width, r.first_layer)))
    model.train_adapter(name)
    params = [p for n, p in model.named_parameters() if p.requires_grad]
    history = src.sources[i]["history"]
    groups = [{"params": params, "lr": r.learning_rate}]
    offset = torch.zeros(src.outputs, device=ranks.device)
    if r.source_bias:  # the person's own bias takes their mean answer, then is dropped
        texts = [e["text"] for e in history]
        start = head(embed(model, tokenizer, texts, r.max_length, ranks.device))
        offset = residual_offset(src, start, [src.target(e["label"]) for e in history]).to(ranks.device)
        offset.requires_grad_(True)
        groups.append({"params": [offset], "lr": r.bias_learning_rate})
    opt = torch.optim.Adam(groups)
    order = list(range(len(history)))
    rng = random.Random(r.seed * 7919 + i)
    for _ in range(r.epochs):
        rng.shuffle(order)
        for b in range(0, len(order), r.batch_size):
            batch = [history[j] for j in order[b : b + r.batch_size]]
            enc = tokenizer(
                [e["text"] if isinstance(e["text"], str) else tuple(e["text"]) for e in batch],
                padding=True, truncation=True, max_length=r.max_length, return_tensors="pt",
            ).to(ranks.device)
            targets = torch.tensor([src.target(e["label"]) for e in batch], device=ranks.device)
            opt.zero_grad()
            pooled = mean_pool(model(**enc).last_hidden_state, enc["attention_mask"])
            loss_fn(src, head(pooled) + offset, targets).backward()
            opt.step()
    for key, value in model.named_parameters():
        if value.requires_grad:
            require_finite(f"source {i} ({src.sources[i]['id']}): adapter weight {key}", value)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)  # what a stopped run left
    partial.mkdir(parents=True)
    model.save_adapter(str(partial), name, use_safetensors=True)
    (partial / "source.json").write_text(json.dumps({"index": i, "id": src.sources[i]["id"]}))
    shutil.rmtree(folder, ignore_errors=True)  # an unfinished adapter (no adapter_config.json)
    partial.rename(folder)  # a folder without .partial is a finished adapter
    model.delete_adapter(name)


def share(remaining: list[int], rank: int, world: int) -> list[int]:
    """A rank's part of the adapters still to build: every world-th one, so no two ranks differ by more than one."""
    return remaining[rank::world]


def build(src: Sources, model_dir: str, out: str, resume: bool = True) -> dict:
    """Builds the bank in `out`, resuming an earlier run there (refused unless it had the same model,
    sources and recipe), or clearing it first when `resume` is false."""
    started = time.perf_counter()
    out_dir = Path(out)
    adapters_dir = out_dir / "adapters"
    manifest = build_manifest(src, model_dir)
    if resume:
        check_resumable(out_dir, manifest)
    ranks = Ranks()
    ranks.barrier()  # every rank has checked the folder before rank 0 changes it
    if ranks.rank == 0:
        start_folder(out_dir, manifest, fresh=not resume)
    ranks.barrier()
    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    model = BertModel.from_pretrained(model_dir).to(ranks.device)
    for module in model.modules():  # the engine trains and answers without dropout
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    adapters.init(model)

    head_file = out_dir / "head.npz"
    if head_file.exists():
        saved = np.load(head_file)
        weight, bias = saved["weight"], saved["bias"]
        require_finite(f"{head_file}: weight", weight)
        require_finite(f"{head_file}: bias", bias)
        stats = json.loads(str(saved["stats"]))
        log(ranks, "population head: kept from the earlier run")
    else:
        weight, bias, stats = fit_head(src, model, tokenizer, ranks)
        require_finite("the population head's weight", weight)
        require_finite("the population head's bias", bias)
        if ranks.rank == 0:
            np.savez(head_file, weight=weight, bias=bias, stats=json.dumps(stats))
        log(ranks, f"population head fitted ({time.perf_counter() - started:.1f} s)")
    head = torch.nn.Linear(weight.shape[0], weight.shape[1]).to(ranks.device)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(weight.T.copy()))
        head.bias.copy_(torch.from_numpy(bias))
    head.requires_grad_(False)

    n = len(src.sources)
    folders = [adapters_dir / f"{i:05d}" for i in range(n)]
    remaining = [i for i in range(n) if not (folders[i] / "adapter_config.json").exists()]
    ranks.barrier()  # every rank has listed the same adapters before any rank writes one
    todo = share(remaining, ranks.rank, ranks.world)
    log(ranks, f"{n - len(remaining)} of {n} adapters were built before; training {len(todo)} of {len(remaining)} left")
    for done, i in enumerate(todo, 1):
        t = time.perf_counter()
        train_adapter(src, i, model, tokenizer, head, ranks, folders[i])
        log(ranks, f"source {i} ({src.sources[i]['id']}): {time.perf_counter() - t:.1f} s, {done}/{len(todo)}")
    ranks.barrier()
    summary = {}
    if ranks.rank == 0:
        config = json.loads((Path(model_dir) / "config.json").read_text())
        shape, arrays, _ = import_adapters(folders, config)
        trained_on = json.dumps({
            "builder": "python -m xpeft_bank build",
            "sources": [s["id"] for s in src.sources],
            "task": src.task,
            "recipe": src.recipe.__dict__,
            "dataset": src.dataset,
            "licence": src.licence,
            "population": stats,
        })
        bank = out_dir / "bank.safetensors"
        fingerprint = write_bank_file(bank, shape, arrays, model_fingerprint(model_dir), trained_on, (weight, bias))
        seconds = time.perf_counter() - started
        # The identity is what the engine calls the bank's fingerprint: the weights' digest with the head's.
        identity = bank_identity(fingerprint, {"head.weight": weight, "head.bias": bias})
        summary = {"bank": str(bank), "fingerprint": fingerprint, "identity": identity, "n": n, "trained": len(todo),
                   "world": ranks.world, "seconds": seconds}
        (out_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
        log(ranks, f"wrote {bank}: N={n}, fingerprint {fingerprint}, {seconds:.1f} s in all")
    ranks.close()
    return summary

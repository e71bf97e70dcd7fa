#!/usr/bin/env bash
# Chimera v2 alignment on the shared 2-core CPU machine: SFT -> DPO -> GRPO -> ship.
#
# Every stage is resumable: rerun the script and each one continues from its checkpoint
# (exactly; a finished stage does nothing). The step counts below are the ones chimera-v2 was
# made with (the second time: SFT with replay), wall times measured on the shared 2-core
# machine (other work running beside it):
#
#   0. data                        ~30 s (assistant) + ~2 min (pretraining corpus for replay)
#   0b. IMPORT (optional)          3 s: v1 read back from its shipped Q4_K_M GGUF
#   1. SFT   800 steps x 8 x 512   1,618 s with 2 replay windows a step (val bpb on assistant
#                                  tokens hi 0.083, en 0.138, hinglish 0.129; on the
#                                  pretraining text 0.193 / 0.309 / 0.191, v1 0.395 / 0.614 / 0.446)
#   2. DPO   150 steps x 8 pairs   799 s (lr 5e-6: implicit reward margin 0.13 at the end)
#   3. GRPO   40 steps x 8 x 8     705 s (val reward 0.631/0.769/0.659 at step 20 ->
#                                  0.635/0.772/0.676 at 40)
#   4. draft 1000 steps x 4 x 512  distilled from the GRPO model (DRAFT_IMPORT: the shipped
#                                  chimera-draft as the start)
#   5. ship (export, quantize, cards; the per-stage table from training.eval_assistant)
#
#   BASE          the pretrained target (training/recipes/chimera-cpu.sh, or a larger run)
#   IMPORT        a shipped Chimera GGUF to start from instead (training.import_gguf): how
#                 chimera-v2 was made, IMPORT=models/chimera/chimera-q4_k_m.gguf, since v1's
#                 float checkpoint was not kept; DRAFT_IMPORT likewise for the draft
#   SFT_STEPS DPO_STEPS GRPO_STEPS DRAFT_STEPS
#
# On a GPU the same commands run with bf16 autocast (and --compile for SFT/DPO); raise
# --batch / --prompts and drop --threads.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-runs}
BASE=${BASE:-$RUNS/chimera/ckpt.pt}
SFT_STEPS=${SFT_STEPS:-800}
DPO_STEPS=${DPO_STEPS:-150}
GRPO_STEPS=${GRPO_STEPS:-40}
DRAFT_STEPS=${DRAFT_STEPS:-1000}
IMPORT=${IMPORT:-}
DRAFT_IMPORT=${DRAFT_IMPORT:-}
DRAFT_BASE=${DRAFT_BASE:-$RUNS/chimera-draft/ckpt.pt}

ALIGN=${ALIGN:-$RUNS/data/align}
REPLAY=${REPLAY:-$RUNS/data/chimera}   # the pretraining corpus, replayed during SFT
UPTO=${UPTO:-ship}                     # stop after this stage: sft | dpo | grpo | draft | ship

# 0. the alignment data (deterministic; <stage>-train.jsonl, <stage>-val_<lang>.jsonl, manifests)
for spec in sft:20000 dpo:10000 grpo:5000; do
    [ -f "$ALIGN/${spec%%:*}-manifest.json" ] || \
        $PY -m training.data.assistant --stage "${spec%%:*}" --n "${spec##*:}" --out "$ALIGN"
done

# 0a. the pretraining corpus (training/recipes/chimera-cpu.sh step 2; without teacher caches
#     it is the generators' and real text only: ~2 minutes)
[ -f "$REPLAY/manifest.json" ] || \
    $PY -m training.data --budget-tokens 24000000 --out "$REPLAY" --seed 0

# 0b. start from a shipped GGUF, read back into a checkpoint
if [ -n "$IMPORT" ]; then
    BASE=$RUNS/chimera-v1/ckpt.pt
    [ -f "$BASE" ] || $PY -m training.import_gguf "$IMPORT" --out "$BASE"
fi
if [ -n "$DRAFT_IMPORT" ]; then
    DRAFT_BASE=$RUNS/chimera-draft-v1/ckpt.pt
    [ -f "$DRAFT_BASE" ] || $PY -m training.import_gguf "$DRAFT_IMPORT" --out "$DRAFT_BASE"
fi

resume_or() { if [ -f "$1/ckpt.pt" ]; then echo --resume "$1/ckpt.pt"; else shift; echo "$@"; fi; }
common=(--threads 2 --nice 10 --ckpt-every 25)

# 1. SFT on the assistant chats, loss on the assistant's tokens, with 2 windows of the
#    pretraining corpus replayed in every step (loss on all their tokens) so that the
#    language model is not forgotten
$PY -m training.sft $(resume_or "$RUNS/chimera-sft" --init-from "$BASE" --out "$RUNS/chimera-sft") \
    --data "$ALIGN" --seq 512 --batch 8 --pack --compile --steps "$SFT_STEPS" \
    --replay "$REPLAY" --replay-rows 2 --replay-weight 1.0 \
    --lr 3e-4 --warmup 30 --decay wsd --eval-every 100 "${common[@]}"
[ "$UPTO" != sft ] || exit 0

# 2. DPO on the automatic preference pairs (faithful wording, tool choice, decline, language),
#    reference = the SFT model, a little SFT loss on the chosen turns
$PY -m training.dpo $(resume_or "$RUNS/chimera-dpo" --init-from "$RUNS/chimera-sft/ckpt.pt" \
    --out "$RUNS/chimera-dpo") \
    --data "$ALIGN" --seq 512 --batch 8 --beta 0.1 --rpo-alpha 0.2 \
    --steps "$DPO_STEPS" --lr 5e-6 --warmup 20 --eval-every 50 "${common[@]}"
[ "$UPTO" != dpo ] || exit 0

# 3. GRPO (DAPO settings) on the verifiable tasks, rewards from training.rewards, KL to the
#    SFT model kept small
$PY -m training.grpo $(resume_or "$RUNS/chimera-grpo" --init-from "$RUNS/chimera-dpo/ckpt.pt" \
    --out "$RUNS/chimera-grpo") \
    --data "$ALIGN" --ref "$RUNS/chimera-sft/ckpt.pt" --dapo --kl-coef 0.02 \
    --prompts 8 --group 8 --max-new 64 --temperature 1.0 --top-p 1.0 --minibatches 4 \
    --steps "$GRPO_STEPS" --lr 1e-5 --warmup 10 --eval-every 20 --eval-tasks 32 "${common[@]}"
[ "$UPTO" != grpo ] || exit 0

# 4. the draft, distilled from the new target so speculation keeps its acceptance
$PY -m training.pretrain $(resume_or "$RUNS/chimera-draft-v2" --size chimera-draft \
    --init-from "$DRAFT_BASE" --out "$RUNS/chimera-draft-v2") \
    --data "$RUNS/data/chimera" --teacher "$RUNS/chimera-grpo/ckpt.pt" --seq 512 --batch 4 \
    --steps "$DRAFT_STEPS" --lr 1e-3 --warmup 50 --decay wsd --eval-every 250 "${common[@]}"
[ "$UPTO" != draft ] || exit 0

# 5. export, quantize, evaluate (training.eval_assistant: every stage of the chain and v1),
#    cards, manifest: a new pack beside v1 (chimera stays loadable by name); it becomes the
#    default LLM only if ship reports that it beats v1 on every column
$PY -m training.ship --target "$RUNS/chimera-grpo" --name chimera-v2 \
    --draft "$RUNS/chimera-draft-v2" --data "$RUNS/data/chimera" --results results/chimera-v2

#!/usr/bin/env bash
# Chimera v2 alignment on the shared 2-core CPU machine: SFT -> DPO -> GRPO -> ship.
#
# STUB (issue 9): the stage commands and their settings are final, the step counts below are
# placeholders until the real runs happen; they will be replaced by the counts that were run,
# with the wall time of each stage, as in chimera-cpu.sh. Every stage is resumable: rerun the
# script and each one continues from its checkpoint (exactly; a finished stage does nothing).
#
#   BASE          the pretrained target (training/recipes/chimera-cpu.sh, or a larger run)
#   SFT_STEPS DPO_STEPS GRPO_STEPS DRAFT_STEPS
#
# On a GPU the same commands run with bf16 autocast (and --compile for SFT/DPO); raise
# --batch / --prompts and drop --threads.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-runs}
BASE=${BASE:-$RUNS/chimera/ckpt.pt}
SFT_STEPS=${SFT_STEPS:-1000}      # placeholder
DPO_STEPS=${DPO_STEPS:-300}       # placeholder
GRPO_STEPS=${GRPO_STEPS:-150}     # placeholder
DRAFT_STEPS=${DRAFT_STEPS:-1000}  # placeholder

ALIGN=${ALIGN:-$RUNS/data/align}

# 0. the alignment data (deterministic; <stage>-train.jsonl, <stage>-val_<lang>.jsonl, manifests)
for spec in sft:20000 dpo:10000 grpo:5000; do
    [ -f "$ALIGN/${spec%%:*}-manifest.json" ] || \
        $PY -m training.data.assistant --stage "${spec%%:*}" --n "${spec##*:}" --out "$ALIGN"
done

resume_or() { if [ -f "$1/ckpt.pt" ]; then echo --resume "$1/ckpt.pt"; else shift; echo "$@"; fi; }
common=(--threads 2 --nice 10 --ckpt-every 25)

# 1. SFT on the assistant chats, loss on the assistant's tokens
$PY -m training.sft $(resume_or "$RUNS/chimera-sft" --init-from "$BASE" --out "$RUNS/chimera-sft") \
    --data "$ALIGN" --seq 512 --batch 16 --steps "$SFT_STEPS" \
    --lr 3e-4 --warmup 50 --decay wsd --eval-every 100 "${common[@]}"

# 2. DPO on the automatic preference pairs (faithful wording, tool choice, decline, language),
#    reference = the SFT model, a little SFT loss on the chosen turns
$PY -m training.dpo $(resume_or "$RUNS/chimera-dpo" --init-from "$RUNS/chimera-sft/ckpt.pt" \
    --out "$RUNS/chimera-dpo") \
    --data "$ALIGN" --seq 512 --batch 8 --beta 0.1 --rpo-alpha 0.2 \
    --steps "$DPO_STEPS" --lr 5e-6 --warmup 20 --eval-every 50 "${common[@]}"

# 3. GRPO (DAPO settings) on the verifiable tasks, rewards from training.rewards, KL to the
#    SFT model kept small
$PY -m training.grpo $(resume_or "$RUNS/chimera-grpo" --init-from "$RUNS/chimera-dpo/ckpt.pt" \
    --out "$RUNS/chimera-grpo") \
    --data "$ALIGN" --ref "$RUNS/chimera-sft/ckpt.pt" --dapo --kl-coef 0.02 \
    --prompts 8 --group 8 --max-new 64 --temperature 1.0 --top-p 1.0 --minibatches 4 \
    --steps "$GRPO_STEPS" --lr 1e-5 --warmup 10 --eval-every 25 --eval-tasks 32 "${common[@]}"

# 4. the draft, distilled from the new target so speculation keeps its acceptance
$PY -m training.pretrain $(resume_or "$RUNS/chimera-draft-v2" --size chimera-draft \
    --init-from "$RUNS/chimera-draft/ckpt.pt" --out "$RUNS/chimera-draft-v2") \
    --data "$RUNS/data/chimera" --teacher "$RUNS/chimera-grpo/ckpt.pt" --seq 512 --batch 4 \
    --steps "$DRAFT_STEPS" --lr 1e-3 --warmup 50 --decay wsd --eval-every 250 "${common[@]}"

# 5. export, quantize, evaluate (training.eval_assistant: every stage of the chain and v1),
#    cards, manifest: a new pack beside v1 (chimera stays loadable by name); it becomes the
#    default LLM only if ship reports that it beats v1 on every column
$PY -m training.ship --target "$RUNS/chimera-grpo" --name chimera-v2 \
    --draft "$RUNS/chimera-draft-v2" --data "$RUNS/data/chimera" --results results/chimera-v2

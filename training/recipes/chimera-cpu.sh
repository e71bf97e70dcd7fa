#!/usr/bin/env bash
# How the shipped models/chimera and models/chimera-draft were made, on the shared 2-core CPU
# machine (no GPU), in about 80 minutes of wall time. Each step is resumable: rerun the script.
#
#   TEACHER_S   seconds of teacher sampling per job (Gemma-3-270M Hindi, SmolLM2 English chat)
#   TARGET_STEPS, DRAFT_STEPS   optimizer steps of 4 x 512 tokens
#
# The target and the draft train at the same time, one thread each (two small models on one
# core each use the machine better than one model on two). The draft is trained on the same
# corpus, not distilled: distillation needs the finished target, which costs wall time we did
# not have; its acceptance rate is measured by `vaani bench speculative`.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
RUNS=${RUNS:-runs}
TEACHER_S=${TEACHER_S:-1080}
TARGET_STEPS=${TARGET_STEPS:-1600}
DRAFT_STEPS=${DRAFT_STEPS:-3400}

# 1. teacher text (resumable cache in $VAANI_DATA_DIR/chimera/teacher)
timeout "$TEACHER_S" $PY -m training.data.teacher --job gemma-hi --tokens 300000 --threads 1 &
timeout "$TEACHER_S" $PY -m training.data.teacher --job smollm2-en --tokens 100000 --threads 1 &
wait || true

# 2. the corpus (deterministic given the teacher caches)
$PY -m training.data --budget-tokens 24000000 --out "$RUNS/data/chimera" --seed 0

# 3. target and draft, side by side
common=(--data "$RUNS/data/chimera" --seq 512 --batch 4 --decay wsd --warmup 200 --compile
        --threads 1 --nice 10 --eval-every 500 --eval-tokens 32768 --ckpt-every 100)
resume_or() { if [ -f "$1/ckpt.pt" ]; then echo --resume "$1/ckpt.pt"; else shift; echo "$@"; fi; }
$PY -m training.pretrain $(resume_or "$RUNS/chimera" --size chimera --out "$RUNS/chimera") \
    "${common[@]}" --steps "$TARGET_STEPS" --lr 2e-3 > "$RUNS/chimera.log" 2>&1 &
$PY -m training.pretrain $(resume_or "$RUNS/chimera-draft" --size chimera-draft --out "$RUNS/chimera-draft") \
    "${common[@]}" --steps "$DRAFT_STEPS" --lr 3e-3 > "$RUNS/chimera-draft.log" 2>&1 &
wait

# 4. export, quantize, evaluate, cards, manifest entries
$PY -m training.ship --target "$RUNS/chimera" --draft "$RUNS/chimera-draft" --data "$RUNS/data/chimera"

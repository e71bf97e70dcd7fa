#!/usr/bin/env bash
# A drafter of our own for qwen2.5-coder-1.5b (issue 12): the Chimera architecture with
# Qwen's tokenizer, distilled from the target's answers, on the shared 2-core CPU machine.
# Every step skips itself when its output is there, so the script resumes where it stopped.
#
#   1. collect   the 1.5B answers 753 template prompts (never the bench's), greedy, 128
#                tokens at most, with its top-8 log-probabilities per step (~55 min)
#   2. train     depth 4 (M-M-*-M-), width 256, embedding started from the PCA of the
#                target's output rows; loss = target tokens (hard and top-8 soft) + plain
#                text: the first 2M tokens of the Python standard library in path order
#                (the chatterbot corpus, listed after it, is not reached) (~40 min);
#                done.json marks it finished, and a stopped run resumes from ckpt.pt
#   3. export    full 151,936-token vocabulary, Qwen's tokenizer copied from the target
#                GGUF, then Q4_K_M
#   4. bench     plain 1.5B against the 0.5B draft, n-gram lookup and this drafter, in one
#                run (results/speculative-drafter.json)
#
# Needs the large packs: vaani models install qwen2.5-coder-1.5b qwen2.5-coder-0.5b
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
RUN=${RUN:-runs/qwen-drafter}
STEPS=${STEPS:-2400}
export PYTHONPATH=.
mkdir -p "$RUN"

PYTHONPATH=. $PY -m training.drafter collect --target qwen2.5-coder-1.5b --n 753 \
    --threads 2 --out "$RUN/target.jsonl"

[ -f "$RUN/done.json" ] || $PY -m training.drafter train --resume --data "$RUN/target.jsonl" \
    --target qwen2.5-coder-1.5b --text /usr/lib/python3.11 \
    "$($PY -m vaani models path chatterbot-corpus)" --text-budget 2000000 \
    --depth 4 --width 256 --steps "$STEPS" --warmup 50 --lr 1.5e-3 --batch 8 --text-batch 2 \
    --eval-every 200 --threads 2 --out "$RUN"

[ -f "$RUN/chimera-qwen-draft-q4_k_m.gguf" ] || {
    $PY -m training.drafter export --ckpt "$RUN/best.pt" --target qwen2.5-coder-1.5b \
        --out "$RUN/f16.gguf"
    $PY -m training.quantize "$RUN/f16.gguf" "$RUN/chimera-qwen-draft-q4_k_m.gguf"
}

$PY -m vaani bench speculative --model qwen2.5-coder-1.5b \
    --draft-model qwen2.5-coder-0.5b --extra-draft "$RUN/chimera-qwen-draft-q4_k_m.gguf" \
    --modes plain,model,ngram,auto --temperatures 0 --max-tokens 128 \
    --out results/speculative-drafter.json

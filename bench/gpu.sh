#!/usr/bin/env bash
# The bench on a lent GPU (an H200 through the device tool) as one prepared call, built on shared/gpu/pack.sh and
# run.sh: that machine has no Node, no npm and no network, and NVIDIA's Vulkan driver needs GLVND beside the loader.
#
# 1. prepare, here, from the project root of the checkout the device tool sends (the one the session started in;
#    a helper's worktree does not travel):
#      bash bench/gpu.sh prepare
#    bundles bench/run.ts with Node, dawn.node, benchmark.js and the loader/GLVND debs into .gpu/ (about 38 MiB,
#    git-ignored; with the tracked tree about 44 of the 64 MiB a call may carry) and copies the files the bundle
#    reads at run time (bench/torch_ref.py, bench/ceilings.py) beside it.
# 2. run: one call of the device tool's `run`, with carry [".gpu"] and timeout_s 560, command:
#      bash .gpu/run.sh run.mjs --peers=webgpu --only=overhead,torch,matmul,kernels,half,gpt,mlp --budget=400 --max-time=0.5
#    The adapter is not a software one, so the sizes are issue 11's (bench/sizes.ts). Timing stops after 400 s
#    (later benchmarks print "skipped" lines; a hard stop writes what was measured at 460 s), so with the unpacking
#    the call takes under 8 minutes. The torch suite adds PyTorch CUDA on the same card when python3 imports torch
#    (the H200 image has it) and prints why not otherwise. Back under $OUT (the reply's files_at): log.txt and
#    <gpu>-full.json/.md (e.g. nvidia-h200-full.json).
# 3. collect, here:  bash bench/gpu.sh collect <files_at>   copies the .json/.md into bench/results/.
#
#    bash bench/gpu.sh check   proves steps 1-2 on this machine (lavapipe, tiny sizes, about 2-4 minutes on 2
# loaded cores): the same run.sh and arguments with VK_DRIVER_FILES at lavapipe's ICD, OUT in a temporary folder
# and dpkg/ldconfig/nvidia-smi shimmed (run.sh unpacks the loader debs into / on the GPU machine, which must not
# happen on a shared dev machine), then checks that the result files came back with both timing modes in them.
set -euo pipefail
GPU_ARGS=(--peers=webgpu --only=overhead,torch,matmul,kernels,half,gpt,mlp --budget=400 --max-time=0.5)

find_shared() {
  for d in "${TESSERA_SHARED_GPU:-}" ../shared/gpu ../../shared/gpu /work/shared/gpu; do
    [ -n "$d" ] && [ -f "$d/pack.sh" ] && [ -f "$d/run.sh" ] && { echo "$d"; return; }
  done
  echo "bench/gpu.sh: shared/gpu/pack.sh not found (set TESSERA_SHARED_GPU to its folder)" >&2
  exit 1
}

# What run.sh leaves in .gpu/ when it runs here: the unpacked dawn.node (20 MiB, which would push a carried .gpu/
# past the device tool's 64 MiB) and the results of that run.
clean_run_leftovers() { rm -rf .gpu/node_modules/webgpu/dist/linux-x64/dawn.node .gpu/results; }

prepare() {
  bash "$(find_shared)/pack.sh" bench/run.ts
  cp bench/torch_ref.py bench/ceilings.py .gpu/
  clean_run_leftovers
  # pack.sh registers .gpu/ in .git/info/exclude, which a worktree (.git is a file) does not have: .gitignore
  # lists it too; make sure it really is ignored, or the device tool would send it twice (tracked and carried)
  git check-ignore -q .gpu/run.mjs || { echo "bench/gpu.sh: .gpu/ is not ignored by git here" >&2; exit 1; }
  echo "prepared .gpu/ ($(du -sh .gpu | cut -f1)); device tool: run with carry [\".gpu\"], timeout_s 560, command:"
  echo "  bash .gpu/run.sh run.mjs ${GPU_ARGS[*]}"
}

check() {
  prepare # the bundle of the code as it is now (seconds once node and dawn.node are compressed)
  local icd; icd=$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -1)
  [ -n "$icd" ] || { echo "bench/gpu.sh check: lavapipe's ICD (lvp_icd*.json) is not under /usr/share/vulkan/icd.d" >&2; exit 1; }
  local tmp; tmp=$(mktemp -d /tmp/tessera-gpu-check.XXXXXX)
  mkdir -p "$tmp/bin" "$tmp/out"
  for tool in dpkg ldconfig nvidia-smi; do printf '#!/bin/sh\necho "(%s shimmed by bench/gpu.sh check)"\n' "$tool" > "$tmp/bin/$tool"; done
  chmod +x "$tmp/bin/"*
  PATH="$tmp/bin:$PATH" OUT="$tmp/out" VK_DRIVER_FILES="$icd" \
    bash .gpu/run.sh run.mjs "${GPU_ARGS[@]}" --sizes=tiny --max-time=0.05 --budget=240
  clean_run_leftovers
  local json="$tmp/out/lavapipe-tiny.json"
  for f in log.txt lavapipe-tiny.json lavapipe-tiny.md; do
    [ -s "$tmp/out/$f" ] || { echo "bench/gpu.sh check: FAILED, $f did not come back in $tmp/out" >&2; exit 1; }
  done
  grep -q '"mode": "latency"' "$json" && grep -q '"mode": "queued x' "$json" ||
    { echo "bench/gpu.sh check: FAILED, $json lacks a timing mode" >&2; exit 1; }
  echo "bench/gpu.sh check: ok, $(grep -c '"suite":' "$json") rows came back in $tmp/out: $(ls "$tmp/out" | tr '\n' ' ')"
}

collect() {
  local from=${1:?usage: bash bench/gpu.sh collect <folder the device run returned>}
  local n=0
  for f in "$from"/*.json "$from"/*.md; do [ -f "$f" ] && cp "$f" bench/results/ && n=$((n + 1)); done
  echo "copied $n files into bench/results/"
}

cd "$(dirname "$0")/.."
case "${1:-}" in
  prepare) prepare ;;
  check) check ;;
  collect) collect "${2:-}" ;;
  *) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

/**
 * `lab bench reference`: the lab's QTMRL A2C against a PyTorch reference of the same shape, side by
 * side in one process tree (issue 10). The reference (bench/reference/qtmrl_a2c.py) is the plain
 * per-window design — every observation copies its W×N×F window, Conv1d per window, numpy env —
 * with the lab's exact network (47,364 parameters: TimeCNN 28→64→64 k = 3, mean pool, merge,
 * single-head cross-asset attention, per-asset actor head, critic), 8 envs × rollout 50, Adam.
 * It runs first, on one torch thread and then two, and the lab right after it on the current
 * machine: Node, tfjs wasm, one thread, the market resident and the TimeCNN per (asset, day);
 * then the lab's per-window path (the figure before issue 10) and PPO's 'qtmrl' preset.
 *
 * Python: $PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3 on PATH — the first
 * that imports torch. Without one the reference figures are skipped with a note.
 * Figures: reference_t<n>_{sps,env_ms,act_ms,update_ms}, lab_a2c_{sps,<part>_ms},
 * lab_a2c_window_sps, ratio_t1 / ratio_t2 (lab ÷ reference), lab_ppo_sps, minutes_to_1e6; and the
 * same without the cross-asset layer (the plain network, 30,724 parameters):
 * reference_plain_t1_*, lab_a2c_plain_*, ratio_plain_t1.
 * Target: ratio_t1 ≥ 2 (and ≥ 1.5 against two torch threads with two wasm threads, browser only).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../core/agents/backend.ts';
import { measureTraining, qtmrlFeatures, TRAIN_BENCH_SHAPE, TRAIN_PARTS } from '../../core/bench/train.ts';
import type { BenchFigures } from './index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(repoRoot, 'bench/reference/qtmrl_a2c.py');
export const REFERENCE_TARGET_RATIO = 2;

/** The first Python that imports torch: $PYTHON, /usr/bin/python3, python3. Null when none does. */
export function findTorchPython(): { python: string; torch: string } | null {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
  for (const python of candidates) {
    if (python.startsWith('/') && !fs.existsSync(python)) continue;
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status === 0) return { python, torch: r.stdout.trim() };
  }
  return null;
}

/** One run of the reference script; its JSON line, parsed. */
export function runReference(python: string, args: string[]): Record<string, number | string> {
  const r = spawnSync(python, [SCRIPT, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`reference ${args.join(' ')} failed: ${r.stderr.trim().slice(-500)}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Record<string, number | string>;
}

export async function benchReference(): Promise<BenchFigures> {
  const fs0 = qtmrlFeatures();
  const out: BenchFigures = {
    assets: TRAIN_BENCH_SHAPE.assets,
    window: TRAIN_BENCH_SHAPE.window,
    features: fs0.featureNames.length,
    target_ratio_t1: REFERENCE_TARGET_RATIO,
  };
  const py = findTorchPython();
  const shape = ['--assets', String(TRAIN_BENCH_SHAPE.assets), '--window', String(TRAIN_BENCH_SHAPE.window)];
  shape.push('--features', String(fs0.featureNames.length));
  if (py) {
    out.reference_python = py.python;
    out.reference_torch = py.torch;
    for (const threads of [1, 2]) {
      process.stderr.write(`bench reference: PyTorch, ${threads} thread(s)…\n`);
      const r = runReference(py.python, ['--threads', String(threads), '--iterations', '4', ...shape]);
      for (const k of ['sps', 'env_ms', 'act_ms', 'update_ms', 'params'] as const)
        out[`reference_t${threads}_${k}`] = r[k];
    }
    // The plain network: no cross-asset layer (crossAsset 'none' in the lab).
    process.stderr.write('bench reference: PyTorch, 1 thread, no cross-asset layer…\n');
    const r = runReference(py.python, ['--threads', '1', '--iterations', '4', '--cross', 'none', ...shape]);
    for (const k of ['sps', 'env_ms', 'act_ms', 'update_ms', 'params'] as const)
      out[`reference_plain_t1_${k}`] = r[k];
  } else {
    out.reference_note =
      'no python3 with torch found ($PYTHON, /usr/bin/python3, python3): reference skipped; on Debian: apt-get install python3-torch';
  }
  const info = await initBackend('wasm');
  if (info.backend !== 'wasm')
    throw new Error(`bench reference: wasm did not initialise (${info.notes.join('; ')})`);
  out.lab_wasm_threads = info.threadsCount ?? 1;
  process.stderr.write('bench reference: lab A2C (resident market, per (asset, day))…\n');
  const a = await measureTraining({ algo: 'a2c', iterations: 4 });
  out.lab_a2c_sps = a.sps;
  for (const p of TRAIN_PARTS) out[`lab_a2c_${p}_ms`] = a[`${p}_ms`];
  out.lab_a2c_params = a.params;
  out.lab_a2c_minutes_to_1e6 = a.minutes_to_1e6;
  out.lab_a2c_leaked_tensors = a.leaked_tensors;
  if (py) {
    out.ratio_t1 = a.sps / Number(out.reference_t1_sps);
    out.ratio_t2 = a.sps / Number(out.reference_t2_sps);
  }
  process.stderr.write('bench reference: lab A2C without the cross-asset layer…\n');
  const plain = await measureTraining({
    algo: 'a2c',
    iterations: 4,
    network: { encoder: 'timecnn', crossAsset: 'none' },
  });
  out.lab_a2c_plain_sps = plain.sps;
  for (const p of TRAIN_PARTS) out[`lab_a2c_plain_${p}_ms`] = plain[`${p}_ms`];
  out.lab_a2c_plain_params = plain.params;
  if (py) out.ratio_plain_t1 = plain.sps / Number(out.reference_plain_t1_sps);
  process.stderr.write('bench reference: lab A2C, per-window path…\n');
  const w = await measureTraining({ algo: 'a2c', iterations: 2, residentMarket: false });
  out.lab_a2c_window_sps = w.sps;
  out.lab_a2c_window_update_ms = w.update_ms;
  out.lab_a2c_window_forward_ms = w.forward_ms;
  out.speedup_vs_window = a.sps / w.sps;
  process.stderr.write('bench reference: lab PPO (qtmrl preset)…\n');
  const p = await measureTraining({ algo: 'ppo', iterations: 2 });
  out.lab_ppo_sps = p.sps;
  out.lab_ppo_update_ms = p.update_ms;
  out.lab_ppo_forward_ms = p.forward_ms;
  return out;
}

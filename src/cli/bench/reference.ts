/**
 * `lab bench reference`: the lab's QTMRL A2C against a PyTorch reference of the same shape, side by
 * side in one process tree (issue 10). The reference (bench/reference/qtmrl_a2c.py) is the plain
 * per-window design — every observation copies its W×N×F window, Conv1d per window, numpy env —
 * with the lab's exact network (47,364 parameters: TimeCNN 28→64→64 k = 3, mean pool, merge,
 * single-head cross-asset attention, per-asset actor head, critic), 8 envs × rollout 50, Adam.
 * For each network (the lab's default, then the plain one without a cross-asset layer) the
 * reference runs on one torch thread and the lab right after it on the same machine: Node, tfjs
 * wasm, one thread, the market resident and the TimeCNN per (asset, day). Then the reference on two
 * torch threads, the lab's per-window path (the figure before issue 10), and PPO's 'qtmrl' preset
 * on both paths.
 *
 * Python: $PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3 on PATH — the first
 * that imports torch. Without one the reference figures are skipped with a note.
 * Figures: reference_t<n>_{sps,cpu_sps,env_ms,act_ms,update_ms}, lab_a2c_{sps,cpu_sps,<part>_ms},
 * ratio_t1 / ratio_cpu_t1 / ratio_t2 (lab ÷ reference, wall and CPU-time), lab_a2c_window_*
 * (the per-window path) and speedup_vs_window, lab_ppo_* / lab_ppo_window_* and
 * ppo_speedup_vs_window; lab_a2c_bmm_{simd,tfjs}_cpu_sps and bmm_speedup_cpu (the default network
 * with the attention's batched products on the SIMD kernel vs tfjs's own BatchMatMul, alternating
 * on one agent); and the same without the cross-asset
 * layer (the plain network, 30,724 parameters): reference_plain_t1_*, lab_a2c_plain_*,
 * ratio_plain_t1, ratio_plain_cpu_t1. `cpu_sps` is env steps per CPU-second of the measuring
 * process: with other jobs on the cores, wall-clock rates swing by 2–5×, CPU time much less.
 * Target: ratio_t1 ≥ 2 (and ≥ 1.5 against two torch threads with two wasm threads, browser only).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/agents/backend.ts';
import { enableWasmBatchMatMul, wasmBatchMatMulReady } from '../../core/agents/nets/wasmBatchMatMul.ts';
import {
  makeQtmrlAgent,
  qtmrlFeatures,
  timeIterations,
  TRAIN_BENCH_SHAPE,
  TRAIN_PARTS,
  type Figures,
  type QtmrlAgentOptions,
  QTMRL_TOTAL_STEPS,
} from '../../core/bench/train.ts';
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

/**
 * One warm-up update, then `iterations` timed ones: env steps per wall second and per CPU-second of
 * this process (`cpu_sps`: Node runs tfjs-wasm on one thread, so CPU time is the work done, whatever
 * else shares the cores), the per-update breakdown, and tensors left behind after dispose.
 */
async function labRun(opts: QtmrlAgentOptions, iterations: number): Promise<Figures> {
  const before = tf.memory().numTensors;
  const agent = makeQtmrlAgent(opts);
  let f: Figures;
  try {
    await agent.iterate();
    const c0 = process.cpuUsage();
    f = await timeIterations(agent, iterations, false);
    const c = process.cpuUsage(c0);
    f.cpu_sps = (iterations * agent.batchSize) / ((c.user + c.system) / 1e6);
    f.params = agent.policy.paramCount;
  } finally {
    agent.dispose();
  }
  f.leaked_tensors = tf.memory().numTensors - before;
  return f;
}

/**
 * The default network's A2C iterations with the attention's batched products on the SIMD kernel
 * (wasmBatchMatMul.ts) and on tfjs's own BatchMatMul, alternating on one agent (on/off, then off/on,
 * `rounds` times) so that JIT warm-up, heap growth and the neighbours' load fall on both alike:
 * median CPU ms per iteration of each, as env steps per CPU-second, and their ratio.
 */
async function batchMatMulSideBySide(rounds: number): Promise<BenchFigures> {
  const agent = makeQtmrlAgent({ algo: 'a2c' });
  const cpu: Record<'on' | 'off', number[]> = { on: [], off: [] };
  try {
    await agent.iterate();
    for (let r = 0; r < rounds; r++) {
      for (const mode of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        enableWasmBatchMatMul(mode === 'on');
        const c0 = process.cpuUsage();
        await agent.iterate();
        const c = process.cpuUsage(c0);
        cpu[mode].push((c.user + c.system) / 1e6);
      }
    }
  } finally {
    enableWasmBatchMatMul(true);
    agent.dispose();
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const on = agent.batchSize / median(cpu.on);
  const off = agent.batchSize / median(cpu.off);
  return { lab_a2c_bmm_simd_cpu_sps: on, lab_a2c_bmm_tfjs_cpu_sps: off, bmm_speedup_cpu: on / off };
}

const REF_KEYS = ['sps', 'cpu_sps', 'env_ms', 'act_ms', 'update_ms', 'params'] as const;
const LAB_KEYS = ['sps', 'cpu_sps', ...TRAIN_PARTS.map((p) => `${p}_ms`), 'params', 'leaked_tensors'];

export async function benchReference(): Promise<BenchFigures> {
  const fs0 = qtmrlFeatures();
  const out: BenchFigures = {
    assets: TRAIN_BENCH_SHAPE.assets,
    window: TRAIN_BENCH_SHAPE.window,
    features: fs0.featureNames.length,
    target_ratio_t1: REFERENCE_TARGET_RATIO,
    load_average_1m: os.loadavg()[0],
  };
  const py = findTorchPython();
  const shape = ['--assets', String(TRAIN_BENCH_SHAPE.assets), '--window', String(TRAIN_BENCH_SHAPE.window)];
  shape.push('--features', String(fs0.featureNames.length), '--iterations', '4');
  if (py) {
    out.reference_python = py.python;
    out.reference_torch = py.torch;
  } else {
    out.reference_note =
      'no python3 with torch found ($PYTHON, /usr/bin/python3, python3): reference skipped; on Debian: apt-get install python3-torch';
  }
  const info = await initBackend('wasm');
  if (info.backend !== 'wasm')
    throw new Error(`bench reference: wasm did not initialise (${info.notes.join('; ')})`);
  out.lab_wasm_threads = info.threadsCount ?? 1;
  const pick = (prefix: string, f: Record<string, unknown>, keys: readonly string[]) => {
    for (const k of keys)
      if (typeof f[k] === 'number' || typeof f[k] === 'string') out[`${prefix}${k}`] = f[k] as number;
  };

  // Side by side: each reference run right before the lab's run of the same network.
  const pairs = [
    { tag: '', cross: 'attention', network: { encoder: 'timecnn' as const } },
    { tag: 'plain_', cross: 'none', network: { encoder: 'timecnn' as const, crossAsset: 'none' as const } },
  ];
  for (const { tag, cross, network } of pairs) {
    if (py) {
      process.stderr.write(`bench reference: PyTorch, 1 thread, cross-asset ${cross}…\n`);
      pick(
        `reference_${tag}t1_`,
        runReference(py.python, ['--threads', '1', '--cross', cross, ...shape]),
        REF_KEYS,
      );
    }
    process.stderr.write(`bench reference: lab A2C, resident market, cross-asset ${cross}…\n`);
    const a = await labRun({ algo: 'a2c', network }, 4);
    pick(`lab_a2c_${tag}`, a, LAB_KEYS);
    out[`lab_a2c_${tag}minutes_to_1e6`] = QTMRL_TOTAL_STEPS / a.sps / 60;
    if (py) {
      out[`ratio_${tag}t1`] = a.sps / Number(out[`reference_${tag}t1_sps`]);
      out[`ratio_${tag}cpu_t1`] = a.cpu_sps / Number(out[`reference_${tag}t1_cpu_sps`]);
    }
  }
  if (py) {
    process.stderr.write('bench reference: PyTorch, 2 threads…\n');
    pick('reference_t2_', runReference(py.python, ['--threads', '2', ...shape]), REF_KEYS);
    out.ratio_t2 = Number(out.lab_a2c_sps) / Number(out.reference_t2_sps);
  }
  out.lab_wasm_batch_matmul_simd = wasmBatchMatMulReady();
  process.stderr.write("bench reference: lab A2C, SIMD kernel vs tfjs's BatchMatMul, alternating…\n");
  Object.assign(out, await batchMatMulSideBySide(4));
  process.stderr.write('bench reference: lab A2C, per-window path (before issue 10)…\n');
  const w = await labRun({ algo: 'a2c', residentMarket: false }, 2);
  pick('lab_a2c_window_', w, LAB_KEYS);
  out.speedup_vs_window = Number(out.lab_a2c_sps) / w.sps;
  out.speedup_vs_window_cpu = Number(out.lab_a2c_cpu_sps) / w.cpu_sps;
  process.stderr.write('bench reference: lab PPO (qtmrl preset)…\n');
  const ppo = await labRun({ algo: 'ppo' }, 2);
  pick('lab_ppo_', ppo, LAB_KEYS);
  process.stderr.write('bench reference: lab PPO, per-window path…\n');
  const ppoWindow = await labRun({ algo: 'ppo', residentMarket: false }, 1);
  pick('lab_ppo_window_', ppoWindow, LAB_KEYS);
  out.ppo_speedup_vs_window = ppo.sps / ppoWindow.sps;
  out.ppo_speedup_vs_window_cpu = ppo.cpu_sps / ppoWindow.cpu_sps;
  out.load_average_1m_end = os.loadavg()[0];
  return out;
}

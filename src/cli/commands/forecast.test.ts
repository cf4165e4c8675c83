/** `lab forecast`, in-process on tiny budgets: files written, their schema, and bad input → exit 2. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-forecast-test-');
const tiny = ['--seq-len', '24', '--pred-len', '12', '--top-k', '2', '--num-kernels', '2', '--d-model', '8'];
const fast = [...tiny, '--d-ff', '8', '--epochs', '1', '--steps-per-epoch', '2'];

describe('lab forecast', () => {
  it('planted data: metrics.json (both models, three splits, periods) and forecast_test.csv', async () => {
    const out = path.join(dir, 'planted');
    const code = await main([
      'forecast',
      '--model',
      'timesnet',
      '--data',
      'planted:length=400,channels=2,periods=12/6,amplitudes=1/0.4,noise=0.2,seed=1',
      ...fast,
      '--out',
      out,
    ]);
    expect(io.stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    for (const model of ['timesnet', 'seasonal_naive'])
      for (const split of ['train', 'valid', 'test']) {
        expect(m[model][split].mse).toBeGreaterThan(0);
        expect(m[model][split].mae).toBeGreaterThan(0);
      }
    expect(m.periods.map((p: { period: number }) => p.period)).toEqual([12, 6]);
    expect(m.periods[0].amplitude).toBeGreaterThan(m.periods[1].amplitude);
    expect(m.seasonal_naive.season).toBe(12);
    expect(m.history[0]).toMatchObject({ step: 2, epoch: 1 });
    const csv = readFileSync(path.join(out, 'forecast_test.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('origin,target,horizon,channel,actual,timesnet,seasonal_naive');
    expect(csv.length - 1).toBe(m.windows.test * 12 * 2);
    expect(csv[1].split(',').slice(0, 4)).toEqual(['319', '320', '1', 'ch0']);
    expect(io.stdout).toMatch(/test MSE {2}timesnet/);

    // LoRA fine-tuning from the saved base, base frozen: the saved base comes back bit-identical.
    const tuned = path.join(dir, 'tuned');
    const data = ['--data', 'planted:length=400,channels=2,periods=12/6,noise=0.4,seed=2'];
    const args = [...data, ...fast];
    expect(
      await main(['forecast', ...args, '--init', out, '--lora-rank', '2', '--freeze-base', '--out', tuned]),
    ).toBe(0);
    expect(readFileSync(path.join(tuned, 'weights.bin'))).toEqual(
      readFileSync(path.join(out, 'weights.bin')),
    );
    const t = JSON.parse(readFileSync(path.join(tuned, 'metrics.json'), 'utf8'));
    expect(t.params.trainable).toBeLessThan(t.params.total / 5);
    // A model of another shape cannot start from it.
    const wider = [...data, ...tiny, '--d-ff', '16', '--init', out, '--out', path.join(dir, 'bad')];
    expect(await main(['forecast', ...wider])).toBe(2);
    expect(io.stderr).toMatch(
      /--init .*'block0\/conv1\/k1\/filter' has shape \[1, 1, 8, 8\], the model needs \[1, 1, 8, 16\]/,
    );
  }, 90_000);

  it('market data (synthetic panel, dated rows) with LoRA and a frozen base', async () => {
    const out = path.join(dir, 'synthetic');
    const code = await main([
      'forecast',
      '--data',
      'synthetic:assets=2,days=300,seed=4',
      '--field',
      'log-close',
      '--time-features',
      '--lora-rank',
      '2',
      '--freeze-base',
      ...fast,
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(m.series.channels).toEqual(['SYN1', 'SYN2']);
    expect(m.params.trainable).toBeLessThan(m.params.total);
    expect(m.config).toMatchObject({ loraRank: 2, freezeBase: true, timeFeatures: true });
    const first = readFileSync(path.join(out, 'forecast_test.csv'), 'utf8').split('\n')[1];
    expect(first).toMatch(/^\d{4}-\d\d-\d\d,\d{4}-\d\d-\d\d,1,SYN1,/);
  }, 60_000);

  it('bad input is a usage error (exit 2)', async () => {
    expect(await main(['forecast', '--data', 'planted:period=3', '--out', path.join(dir, 'x')])).toBe(2);
    expect(io.stderr).toMatch(/unknown field 'period'/);
    expect(
      await main(['forecast', '--data', 'planted', '--freeze-base', ...tiny, '--out', path.join(dir, 'y')]),
    ).toBe(2);
    expect(io.stderr).toMatch(/loraRank ≥ 1/);
    expect(await main(['forecast', '--data', 'planted:length=100', '--out', path.join(dir, 'z')])).toBe(2);
    expect(io.stderr).toMatch(/seq_len 96/);
  });
});

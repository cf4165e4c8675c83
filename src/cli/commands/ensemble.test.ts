/** `lab ensemble backtest|dataset|train|evaluate`, in-process: files, the lab's splits, signals, BC and its checklist, the 4th analyst, and bad input → exit 2. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDatasetBinary } from '../../core/agents/offline/binary.ts';
import { parseDatasetCsv } from '../../core/ensemble/index.ts';
import { main } from '../main.ts';
import { captureCliOutput, testDir } from '../testing.ts';

const io = captureCliOutput();
const dir = testDir('lab-ensemble-test-');

/** 300 weekdays of a deterministic wavy Yahoo-layout series. */
const T = 300;
const dates: string[] = [];
for (let d = Date.parse('2021-01-04T00:00:00Z'); dates.length < T; d += 86_400_000) {
  const wd = new Date(d).getUTCDay();
  if (wd !== 0 && wd !== 6) dates.push(new Date(d).toISOString().slice(0, 10));
}
const closes = dates.map(
  (_, t) => Math.round((100 + 12 * Math.sin(t / 9) + 4 * Math.sin(t / 2.3) + t / 10) * 100) / 100,
);
const yahoo = path.join(dir, 'ACME.csv');
writeFileSync(
  yahoo,
  [
    'Date,Open,High,Low,Close,Adj Close,Volume',
    ...closes.map((c, t) => `${dates[t]},${c},${c + 1},${c - 1},${c},${c},${1000 + (t % 7) * 100}`),
  ].join('\n') + '\n',
);

const readCsv = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('lab ensemble backtest', () => {
  it('embedded S&P 500 on the lab’s QTMRL splits: metrics per split beside buy-and-hold, equity and votes', async () => {
    const out = path.join(dir, 'sp500');
    expect(await main(['ensemble', 'backtest', '--data', 'embedded:sp500', '--out', out])).toBe(0);
    expect(io.stdout).toMatch(/news: none \(the news analyst abstains\)/);
    expect(io.stdout).toMatch(/train 2000-01-03\.\.2010-12-31 {2}ensemble total_return -?\d/);
    const run = readJson(path.join(out, 'run.json'));
    expect(run.config.splits.valid.start).toBe('2011-01-03');
    expect(run.config.splits.test.end).toBe('2020-04-17');
    const m = readJson(path.join(out, 'metrics.json'));
    expect(Object.keys(m.splits)).toEqual(['train', 'valid', 'test']);
    for (const s of Object.values(m.splits) as Record<string, Record<string, number>>[]) {
      expect(Number.isFinite(s.ensemble.sharpe)).toBe(true);
      expect(Number.isFinite(s.buy_and_hold.total_return)).toBe(true);
      expect(s.excess_total_return as unknown as number).toBeCloseTo(
        s.ensemble.total_return - s.buy_and_hold.total_return,
        12,
      );
    }
    const [eqHeader, ...eq] = readCsv(path.join(out, 'equity.csv'));
    expect(eqHeader.slice(0, 3)).toEqual(['split', 'date', 'ensemble_equity']);
    expect(eq.length).toBe(run.data.rows);
    const [vHeader, ...votes] = readCsv(path.join(out, 'votes.csv'));
    expect(vHeader).toContain('technical_action');
    expect(vHeader).toContain('risk_regime');
    expect(votes.length).toBe(run.data.rows);
    const col = (n: string) => vHeader.indexOf(n);
    expect(new Set(votes.map((r) => r[col('news_action')]))).toEqual(new Set(['ABSTAIN']));
    expect(new Set(votes.map((r) => r[col('risk_regime')]))).toEqual(
      new Set(['unknown', 'low', 'normal', 'high']),
    );
    // Veto days hold no position.
    const vetoed = votes.filter((r) => r[col('risk_veto')] === '1');
    expect(vetoed.length).toBeGreaterThan(0);
    expect(vetoed.every((r) => Number(r[col('position')]) === 0)).toBe(true);
  });

  it('a signals file feeds the news analyst; unknown tickers are reported', async () => {
    const sig = path.join(dir, 'signals.csv');
    writeFileSync(
      sig,
      [
        'date,ticker,sentiment,confidence',
        `${dates[100]},ACME,0.9,1`,
        `${dates[101]},ACME,-0.8,0.9`,
        `${dates[102]},NOPE,1,1`,
        `${dates[103]},*,0.5,1`,
      ].join('\n'),
    );
    const out = path.join(dir, 'news');
    expect(await main(['ensemble', 'backtest', '--data', yahoo, '--signals', sig, '--out', out])).toBe(0);
    expect(io.stdout).toMatch(/news: file:signals\.csv, 3 of 4 records used .*1 for unknown assets \[NOPE\]/);
    const [h, ...votes] = readCsv(path.join(out, 'votes.csv'));
    const byDate = new Map(votes.map((r) => [r[h.indexOf('date')], r]));
    expect(byDate.get(dates[100])![h.indexOf('news_action')]).toBe('BUY');
    expect(byDate.get(dates[101])![h.indexOf('news_action')]).toBe('SELL');
    expect(byDate.get(dates[102])![h.indexOf('news_action')]).toBe('ABSTAIN');
    // 60/20/20 of the rows for a user's file.
    expect(Object.keys(readJson(path.join(out, 'metrics.json')).splits)).toEqual(['train', 'valid', 'test']);
  });

  it('bad input: exit 2 with one line naming the file, line and column, or the option', async () => {
    const bad = path.join(dir, 'bad-signals.csv');
    writeFileSync(bad, `date,asset,sentiment\n${dates[5]},ACME,2\n`);
    expect(
      await main(['ensemble', 'backtest', '--data', yahoo, '--signals', bad, '--out', path.join(dir, 'x')]),
    ).toBe(2);
    expect(io.stderr).toBe(
      `lab ensemble: ${bad}, line 2, column 'sentiment': '2' is not a number in [-1, 1]\n`,
    );
    expect(await main(['ensemble', 'frobnicate', '--data', yahoo, '--out', path.join(dir, 'x')])).toBe(2);
    expect(io.stderr).toMatch(/unknown subcommand 'frobnicate'/);
    expect(
      await main([
        'ensemble',
        'backtest',
        '--data',
        yahoo,
        '--weight',
        'oracle=2',
        '--out',
        path.join(dir, 'x'),
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/--weight oracle: unknown analyst/);
    expect(
      await main([
        'ensemble',
        'backtest',
        '--data',
        yahoo,
        '--signals',
        'synthetic',
        '--out',
        path.join(dir, 'x'),
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/needs a synthetic market/);
  });
});

describe('lab ensemble dataset', () => {
  it('dataset.csv with the 34 named features and labels, dataset.bin, and the action distribution printed', async () => {
    const out = path.join(dir, 'ds');
    expect(
      await main([
        'ensemble',
        'dataset',
        '--data',
        'synthetic:assets=2,days=400,signal=0.3',
        '--signals',
        'synthetic:coverage=0.5',
        '--out',
        out,
      ]),
    ).toBe(0);
    const ds = parseDatasetCsv(readFileSync(path.join(out, 'dataset.csv'), 'utf8'));
    expect(ds.size).toBe(800);
    // A plain Uint8Array copy: decodeDatasetBinary mis-reads a Node Buffer (Buffer#slice shares memory, so
    // its readArray views the whole pooled buffer) — reported to the offline-dataset owners.
    const bin = decodeDatasetBinary(
      new Uint8Array(readFileSync(path.join(out, 'dataset.bin'))),
      'dataset.bin',
    );
    expect(bin.size).toBe(800);
    expect(bin.obs).toEqual(ds.X);
    expect(Array.from(bin.actions)).toEqual(Array.from(ds.action));
    const run = readJson(path.join(out, 'run.json'));
    const counts = { HOLD: 0, BUY: 0, SELL: 0 };
    for (const a of ds.action) counts[(['HOLD', 'BUY', 'SELL'] as const)[a]]++;
    expect(run.dataset.action_distribution.counts).toEqual(counts);
    const pct = (c: number) => ((100 * c) / 800).toFixed(1);
    expect(io.stdout).toContain(
      `Action distribution:\n  HOLD: ${counts.HOLD} (${pct(counts.HOLD)}%)\n  BUY: ${counts.BUY} (${pct(counts.BUY)}%)\n  SELL: ${counts.SELL} (${pct(counts.SELL)}%)`,
    );
    // Synthetic news reaches the features.
    const news = ds.featureNames.indexOf('news_sentiment');
    let withNews = 0;
    for (let r = 0; r < ds.size; r++) if (ds.X[r * 34 + news] !== 0) withNews++;
    expect(withNews / ds.size).toBeGreaterThan(0.4);
    expect(withNews / ds.size).toBeLessThan(0.6);
  });
});

describe('lab ensemble train', () => {
  it('BC on the ensemble’s own S&P 500 decisions: ≥ 85% validation accuracy, and every file the checklist is recomputed from', async () => {
    const data = path.join(dir, 'sp500-ds');
    expect(await main(['ensemble', 'dataset', '--data', 'embedded:sp500', '--out', data])).toBe(0);
    const out = path.join(dir, 'sp500-bc');
    expect(await main(['ensemble', 'train', data, '--out', out])).toBe(0);
    expect(io.stdout).toMatch(/best epoch \d+: .*val_acc 0\.\d{3}/);
    const report = readJson(path.join(out, 'report.json'));
    const checklist = readJson(path.join(out, 'checklist.json'));
    console.log(
      `[ensemble train] sp500: val accuracy ${report.best.val_accuracy.toFixed(4)}, loss gap ${report.best.loss_gap.toFixed(4)}, ` +
        `best epoch ${report.best_epoch}/${report.epochs.length}, inference ${report.inference.median_ms.toFixed(3)} ms, train ${report.train_ms} ms`,
    );
    // The lab's QTMRL splits: train 2000–2010 trains, valid 2011–2018 validates, test stays out.
    const run = readJson(path.join(data, 'run.json'));
    expect(report.dataset.train_rows).toBe(run.dataset.per_split.train.total);
    expect(report.dataset.val_rows).toBe(run.dataset.per_split.valid.total);
    expect(report.dataset.held_out_test_rows).toBe(run.dataset.per_split.test.total);
    expect(report.config.hidden).toEqual([128, 128]);
    expect(report.best.val_accuracy).toBeGreaterThanOrEqual(0.85);

    // The best epoch is the lowest validation loss of the per-epoch records; the gap is read there.
    const epochs = report.epochs as { val_loss: number; train_loss: number; val_accuracy: number }[];
    const best = epochs.reduce((b, e, k) => (e.val_loss < epochs[b].val_loss ? k : b), 0);
    expect(report.best_epoch).toBe(best + 1);
    expect(report.early_stopped).toBe(epochs.length < report.config.epochs);
    // learning.csv (the learner's own end-of-epoch validation) agrees with report.json.
    const [lh, ...lrows] = readCsv(path.join(out, 'learning.csv'));
    const valLoss = lrows.map((r) => Number(r[lh.indexOf('eval/val_loss')]));
    expect(valLoss).toHaveLength(epochs.length);
    valLoss.forEach((v, k) => expect(v).toBeCloseTo(epochs[k].val_loss, 4));
    const valAcc = lrows.map((r) => Number(r[lh.indexOf('eval/val_accuracy')]));
    valAcc.forEach((v, k) => expect(v).toBeCloseTo(epochs[k].val_accuracy, 6));

    // Confusion matrix: rows = true class, sums to the validation rows; recall/precision follow from it.
    const cm = report.validation.confusion as number[][];
    expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(report.dataset.val_rows);
    ['HOLD', 'BUY', 'SELL'].forEach((a, c) => {
      const row = cm[c].reduce((x, y) => x + y, 0);
      const col = cm.reduce((x, r) => x + r[c], 0);
      expect(report.validation.recall[a]).toBeCloseTo(cm[c][c] / row, 12);
      expect(report.validation.precision[a]).toBeCloseTo(cm[c][c] / col, 12);
    });
    expect(cm.reduce((a, r, c) => a + r[c], 0) / report.dataset.val_rows).toBeCloseTo(
      report.best.val_accuracy,
      12,
    );

    // The checklist, recomputed from the files: accuracy and gap at the best epoch, thresholds applied.
    const i = checklist.items;
    expect(i.model_validated.value).toBe(epochs[best].val_accuracy);
    expect(i.model_validated.pass).toBe(epochs[best].val_accuracy > 0.7);
    expect(i.no_overfitting.value).toBeCloseTo(epochs[best].val_loss - epochs[best].train_loss, 12);
    expect(i.no_overfitting.pass).toBe(i.no_overfitting.value < 0.2);
    expect(i.inference_speed.value).toBe(report.inference.median_ms);
    expect(report.inference.samples).toBeGreaterThanOrEqual(100);
    expect(i.inference_speed.pass).toBe(report.inference.median_ms < 10);
    expect(i.backtested.pass).toBe('pending');
    expect(checklist.pending).toEqual(['backtested']);
    expect(checklist.pass).toBe(
      i.model_validated.pass && i.no_overfitting.pass && i.inference_speed.pass && i.model_versioned.pass,
    );

    // The saved model, read back here from checkpoint/ and dataset.bin, gives the reported accuracy.
    const ck = readJson(path.join(out, 'checkpoint', 'config.json'));
    expect(ck.metrics.val_accuracy).toBe(report.best.val_accuracy);
    expect(ck.metrics.best_epoch).toBe(report.best_epoch);
    const { fromFiles } = await import('../../core/agents/checkpoint.ts');
    const { headRows, loadEnsemblePolicy } = await import('../../core/ensemble/policy/train.ts');
    const full = decodeDatasetBinary(new Uint8Array(readFileSync(path.join(data, 'dataset.bin'))), 'bin');
    const ds = headRows(full, report.dataset.train_rows + report.dataset.val_rows);
    const learner = await loadEnsemblePolicy(
      ck.config,
      ds,
      fromFiles(
        readFileSync(path.join(out, 'checkpoint', 'model.json'), 'utf8'),
        new Uint8Array(readFileSync(path.join(out, 'checkpoint', 'weights.bin'))),
      ),
    );
    try {
      // Validation = the last rows (the valid split), in time order.
      expect(learner.valRows[0]).toBe(report.dataset.train_rows);
      const ev = learner.evaluate(learner.valRows);
      expect(ev.accuracy).toBe(report.best.val_accuracy);
      expect(i.model_versioned.pass).toBe(true);
      // Greedy actions on the validation rows reproduce the confusion matrix's diagonal.
      const obs = ds.obs.subarray(report.dataset.train_rows * 34);
      const act = learner.act(obs);
      let right = 0;
      for (let k = 0; k < act.actions.length; k++)
        if (act.actions[k] === ds.actions[report.dataset.train_rows + k]) right++;
      expect(right).toBe(cm.reduce((a, r, c) => a + r[c], 0));
      expect(act.strength!.every((s) => s >= 0 && s <= 1)).toBe(true);
    } finally {
      learner.dispose();
    }
  }, 120_000);

  it('evaluate: the policy as the 4th analyst vs the 3-analyst ensemble per split; fills the checklist’s Sharpe item', async () => {
    // Runs after the training test above (same file, in order): sp500-bc holds its run.
    const run = path.join(dir, 'sp500-bc');
    expect(await main(['ensemble', 'evaluate', run, '--data', 'embedded:sp500', '--ppo-steps', '2048'])).toBe(
      0,
    );
    const ev = readJson(path.join(run, 'evaluate.json'));
    expect(ev.rl.status).toBe('used');
    expect(ev.rl.votes).toBe(5105);
    // PPO from BC starts where BC is: the same greedy log return on every split before any update.
    expect(ev.ppo.status).toBe('trained');
    for (const s of ['train', 'valid', 'test']) {
      const i = ev.ppo.initial[s];
      expect(i.ppo_bc_log_return).toBeCloseTo(i.bc_log_return, 4);
      for (const k of ['bc', 'ppo_bc', 'ppo_scratch'])
        expect(Number.isFinite(ev.splits[s][k].sharpe)).toBe(true);
    }
    expect(readCsv(path.join(run, 'ppo_bc_learning.csv'))[0]).toContain('losses/policy');
    const bt = path.join(dir, 'sp500-eval-bt');
    expect(await main(['ensemble', 'backtest', '--data', 'embedded:sp500', '--out', bt])).toBe(0);
    const m = readJson(path.join(bt, 'metrics.json'));
    for (const s of ['train', 'valid', 'test']) {
      const e = ev.splits[s];
      // Without the policy: exactly lab ensemble backtest's numbers.
      expect(e.without.sharpe).toBe(m.splits[s].ensemble.sharpe);
      expect(e.delta_sharpe).toBeCloseTo(e.with.sharpe - e.without.sharpe, 12);
      expect(Number.isFinite(e.with.sharpe)).toBe(true);
    }
    console.log(
      `[ensemble evaluate] sp500 Sharpe without → with rl: ` +
        ['train', 'valid', 'test']
          .map(
            (s) => `${s} ${ev.splits[s].without.sharpe.toFixed(2)} → ${ev.splits[s].with.sharpe.toFixed(2)}`,
          )
          .join(', ') +
        `; agreement ${ev.rl.agreement_with_ensemble.toFixed(3)}, ${ev.rl.decisions_changed} decisions changed; ` +
        `Sharpe bc / ppo_bc / ppo_scratch: ` +
        ['train', 'valid', 'test']
          .map(
            (s) =>
              `${s} ${['bc', 'ppo_bc', 'ppo_scratch'].map((k) => ev.splits[s][k].sharpe.toFixed(2)).join(' / ')}`,
          )
          .join(', ') +
        `; ppo inference ${ev.ppo.inference_ms.toFixed(3)} ms`,
    );
    const c = readJson(path.join(run, 'checklist.json'));
    expect(c.items.backtested.value).toBe(ev.splits.valid.delta_sharpe);
    expect(c.items.backtested.pass).toBe(ev.splits.valid.delta_sharpe > 0);
    expect(c.pending).toEqual([]);
    expect(c.items.ppo_inference_speed.value).toBe(ev.ppo.inference_ms);
    expect(c.items.ppo_inference_speed.pass).toBe(ev.ppo.inference_ms < 10);
    expect(c.pass).toBe(
      [
        'model_validated',
        'no_overfitting',
        'inference_speed',
        'model_versioned',
        'backtested',
        'ppo_inference_speed',
      ].every((k) => c.items[k].pass === true),
    );
  }, 120_000);

  it('evaluate falls back to the ensemble without the policy when the model is missing or broken', async () => {
    const run = path.join(dir, 'no-model');
    expect(await main(['ensemble', 'evaluate', run, '--data', yahoo])).toBe(0);
    expect(io.stderr).toMatch(
      /the policy is not used \(no policy in .*checkpoint \(ENOENT\)\); the ensemble runs without it/,
    );
    const ev = readJson(path.join(run, 'evaluate.json'));
    expect(ev.rl.status).toBe('fallback');
    expect(ev.splits.valid.with).toBeUndefined();
    expect(Number.isFinite(ev.splits.valid.without.sharpe)).toBe(true);
    // A corrupt weights file: the same fallback.
    const broken = path.join(dir, 'broken-model');
    const { cpSync } = await import('node:fs');
    cpSync(path.join(dir, 'sp500-bc', 'checkpoint'), path.join(broken, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(broken, 'checkpoint', 'weights.bin'), new Uint8Array(10));
    expect(await main(['ensemble', 'evaluate', broken, '--data', yahoo])).toBe(0);
    expect(readJson(path.join(broken, 'evaluate.json')).rl.status).toBe('fallback');
  });

  it('bad input: exit 2 naming the folder or the option', async () => {
    expect(await main(['ensemble', 'train', path.join(dir, 'nope'), '--out', path.join(dir, 'x')])).toBe(2);
    expect(io.stderr).toMatch(
      /nope: cannot read dataset\.bin and run\.json \(ENOENT\); write them with lab ensemble dataset/,
    );
    expect(
      await main([
        'ensemble',
        'train',
        path.join(dir, 'sp500-ds'),
        '--out',
        path.join(dir, 'x'),
        '--imbalance',
        'smote',
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/--imbalance/);
    expect(
      await main([
        'ensemble',
        'train',
        path.join(dir, 'sp500-ds'),
        '--out',
        path.join(dir, 'x'),
        '--dropout',
        '1',
      ]),
    ).toBe(2);
    expect(io.stderr).toMatch(/--dropout must be in \[0, 1\)/);
  });
});

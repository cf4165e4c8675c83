import type { FileOutcome, ImportProgressMessage, PanelResult } from '../../../workers/import.worker.ts';
import type { Panel } from '../../../workers/protocol.ts';
import { useLab } from '../../store/index.ts';
import type { DatasetMeta, LoadedFile } from '../../store/types.ts';
import type { LabRuntime } from '../runtime/runtime.ts';
import * as Comlink from 'comlink';
import type { EmbeddedName } from '../../core/data/embedded.ts';
import type { SyntheticConfig } from '../../core/data/synthetic.ts';
import { unflatten } from '../../core/experiment/vocabulary.ts';
import type { Experiment } from '../../store/experiment.ts';

/** The synthetic generator's config: the experiment's `data.config.*` values (core units). */
function syntheticConfig(e: Experiment): Partial<SyntheticConfig> {
  const knobs = Object.fromEntries(Object.entries(e.values).filter(([k]) => k.startsWith('data.config.')));
  return (unflatten(knobs).data as { config?: Partial<SyntheticConfig> } | undefined)?.config ?? {};
}

/** `embedded`, `synthetic` or `panel` (CSV files). */
function sourceOf(e: Experiment): string {
  return String(e.values['data.kind']);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Identity of the dataset the experiment asks for (a change means reload). */
export function datasetKey(): string {
  const e = useLab.getState().experiment;
  const src = sourceOf(e);
  if (src === 'synthetic') return `synthetic:${JSON.stringify(syntheticConfig(e))}`;
  if (src === 'embedded') return `embedded:${String(e.values['data.name'])}`;
  return src;
}

function metaOf(id: string, label: string, panel: Panel): DatasetMeta {
  return {
    id,
    label,
    assets: panel.assets,
    start: panel.dates[0] ?? '',
    end: panel.dates.at(-1) ?? '',
    rows: panel.dates.length,
  };
}

function publish(rt: LabRuntime, id: string, label: string, result: PanelResult): void {
  const s = useLab.getState();
  if (!result.panel) {
    rt.setPanel(id, null);
    s.setDataLoad({
      status: 'error',
      progress: 0,
      phase: '',
      error: result.problem ?? 'no data',
      meta: null,
    });
    return;
  }
  rt.setPanel(id, result.panel);
  // Keep only selected assets that still exist.
  const assets = s.experiment.assets.filter((a) => result.panel!.assets.includes(a));
  if (assets.length !== s.experiment.assets.length) s.setAssets(assets);
  s.setDatasetReady(metaOf(id, label, result.panel));
}

/** Loads the embedded or synthetic dataset the experiment names (no-op when already loaded). */
export async function loadSelectedDataset(rt: LabRuntime): Promise<void> {
  const key = datasetKey();
  const e = useLab.getState().experiment;
  const src = sourceOf(e);
  if (src === 'panel') {
    // Files come from the user; after switching back, show what the import worker still holds.
    if (rt.currentPanelId?.startsWith('csv:')) return;
    if (useLab.getState().files.length === 0) {
      rt.setPanel(null, null);
      useLab.getState().setDataLoad({ status: 'idle', progress: 0, phase: '', error: null, meta: null });
      return;
    }
    try {
      const r = await rt.importer().call((w) => w.current());
      publish(
        rt,
        `csv:${Date.now()}`,
        `${useLab.getState().files.filter((f) => f.status !== 'error').length} CSV file(s)`,
        r,
      );
    } catch (err) {
      useLab
        .getState()
        .setDataLoad({ status: 'error', progress: 0, phase: '', error: message(err), meta: null });
    }
    return;
  }
  if (rt.currentPanelId === key && useLab.getState().dataLoad.status === 'ready') return;
  const s = useLab.getState();
  s.setDataLoad({
    status: 'loading',
    progress: 0,
    phase: src === 'synthetic' ? 'Generating the synthetic market…' : 'Loading the embedded dataset…',
    error: null,
  });
  try {
    const importer = rt.importer();
    const r =
      src === 'synthetic'
        ? await importer.call((w) => w.synthetic(syntheticConfig(e)))
        : await importer.call((w) => w.loadEmbedded(String(e.values['data.name']) as EmbeddedName));
    if (datasetKey() !== key) return; // superseded by a newer choice
    publish(rt, key, r.label, r);
  } catch (err) {
    if (datasetKey() !== key) return;
    rt.setPanel(null, null);
    useLab
      .getState()
      .setDataLoad({ status: 'error', progress: 0, phase: '', error: message(err), meta: null });
  }
}

export function fileView(o: FileOutcome, size: number): LoadedFile {
  if (!o.ok) {
    const { file, line, column, message: text } = o.error;
    return {
      name: file,
      size,
      status: 'error',
      assets: [],
      rows: 0,
      messages: [{ level: 'error', text: `${file}, line ${line}, column ${column}: ${text}`, line, column }],
    };
  }
  const r = o.report;
  const messages: LoadedFile['messages'] = [];
  for (const i of r.issues) {
    const level = i.severity === 'dropped' || i.severity === 'suspicious' ? 'warning' : 'info';
    const lines =
      i.lines.length > 0
        ? `, line${i.lines.length > 1 ? 's' : ''} ${i.lines.slice(0, 8).join(', ')}${i.count > 8 ? ', …' : ''}`
        : '';
    const col = i.column ? `, column ${i.column}` : '';
    messages.push({
      level,
      text: `${r.file}${lines}${col}: ${i.count} row${i.count === 1 ? '' : 's'} ${i.message}${i.asset ? ` [${i.asset}]` : ''}`,
      line: i.lines[0],
      column: i.column,
    });
  }
  for (const n of r.notes) messages.push({ level: 'info', text: `${r.file}: ${n}` });
  return {
    name: r.file,
    size,
    status: messages.some((m) => m.level === 'warning') ? 'warning' : 'ok',
    assets: r.assets.map((a) => a.asset),
    rows: r.rowsKept,
    messages,
  };
}

/** Imports user files in the worker; good files are kept even when others in the batch are broken. */
export async function importFiles(rt: LabRuntime, files: File[]): Promise<void> {
  if (files.length === 0) return;
  const s = useLab.getState();
  s.setDataSource('panel');
  s.setDataLoad({
    status: 'loading',
    progress: 0,
    phase: `Importing ${files.length} file${files.length > 1 ? 's' : ''}…`,
    error: null,
  });
  const sizes = new Map(files.map((f) => [f.name, f.size]));
  const onProgress = (p: ImportProgressMessage) => {
    useLab.getState().setDataLoad({
      progress: (p.index + p.fraction) / p.count,
      phase: `Importing ${p.file} (${p.index + 1}/${p.count})…`,
    });
  };
  try {
    const r = await rt.importer().call((w) => w.addFiles(files, Comlink.proxy(onProgress)));
    useLab.getState().addFiles(r.outcomes.map((o) => fileView(o, sizes.get(o.file) ?? 0)));
    const label = `${useLab.getState().files.filter((f) => f.status !== 'error').length} CSV file(s)`;
    if (r.panel) publish(rt, `csv:${Date.now()}`, label, r);
    else if (rt.panel && rt.currentPanelId?.startsWith('csv:'))
      useLab.getState().setDataLoad({ status: 'ready', progress: 1, phase: '' });
    else
      useLab.getState().setDataLoad({
        status: 'error',
        progress: 0,
        phase: '',
        error: r.problem ?? 'no usable data in these files',
        meta: null,
      });
  } catch (err) {
    useLab.getState().setDataLoad({ status: 'error', progress: 0, phase: '', error: message(err) });
  }
}

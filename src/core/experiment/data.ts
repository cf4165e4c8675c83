/**
 * The panel of an experiment: embedded datasets are read through an injected reader (fs in Node,
 * fetch in a worker), the synthetic market is generated here, user data comes from the caller.
 * Then the selected assets are cut out. Pure: no fs, no DOM.
 */
import { loadEmbedded, type EmbeddedFileName } from '../data/embedded.ts';
import { generateSynthetic, type SyntheticConfig } from '../data/synthetic.ts';
import type { Panel } from '../data/types.ts';
import { ExperimentConfigError, type DataSourceConfig } from './config.ts';

export interface PanelSourceIO {
  /** Text of an embedded dataset file (Node: readEmbeddedText; worker: fetch of the bundled URL). */
  readEmbedded?: (fileName: EmbeddedFileName) => Promise<string>;
  /** The user's panel, for `{ kind: 'panel' }`. */
  userPanel?: Panel | null;
}

/** Loads (or generates) the full panel of a data source. */
export async function loadExperimentPanel(data: DataSourceConfig, io: PanelSourceIO = {}): Promise<Panel> {
  switch (data.kind) {
    case 'synthetic':
      return generateSynthetic(data.config as Partial<SyntheticConfig>).panel;
    case 'embedded': {
      if (!io.readEmbedded)
        throw new Error(`embedded dataset '${data.name}' needs a file reader (readEmbedded) in this runtime`);
      return (await loadEmbedded(data.name, io.readEmbedded)).panel;
    }
    case 'panel':
      if (!io.userPanel)
        throw new ExperimentConfigError(
          `data: this experiment uses the user's own data ('${data.label}'); load it first`,
        );
      return io.userPanel;
  }
}

/** A stable key of a data source (for caching one panel per source in a worker). */
export function dataSourceKey(data: DataSourceConfig): string {
  return stableStringify(data);
}

/** JSON with object keys sorted at every level, so equal configs give equal strings. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The panel restricted to `assets`, in that order (all assets when empty); a copy, safe to transfer.
 * An unknown ticker is an error naming it.
 */
export function selectAssets(panel: Panel, assets: readonly string[]): Panel {
  if (assets.length === 0) return panel;
  const keep = assets.map((a) => {
    const i = panel.assets.indexOf(a);
    if (i < 0)
      throw new ExperimentConfigError(
        `assets: '${a}' is not in the data (assets: ${panel.assets.join(', ')})`,
      );
    return i;
  });
  const N = panel.assets.length;
  const T = panel.dates.length;
  const M = keep.length;
  const pick = (src: Float64Array) => {
    const out = new Float64Array(T * M);
    for (let t = 0; t < T; t++) for (let j = 0; j < M; j++) out[t * M + j] = src[t * N + keep[j]];
    return out;
  };
  return {
    dates: panel.dates.slice(),
    assets: keep.map((i) => panel.assets[i]),
    open: pick(panel.open),
    high: pick(panel.high),
    low: pick(panel.low),
    close: pick(panel.close),
    volume: pick(panel.volume),
  };
}

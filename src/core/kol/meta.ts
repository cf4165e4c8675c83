/**
 * A prepared folder's meta.json, read back: what `lab kol train/evaluate/export` will check their
 * own settings against (checkKolSettings), so a buffer, a checkpoint and an evaluation built with
 * different max_weight / hold_decay / fee / residual_scale stop with both values named.
 */
import { z } from 'zod';
import type { KolSettings } from './settings.ts';

export const KOL_META_KIND = 'kol-prepared';
export const KOL_META_VERSION = 1;

const settingsSchema = z.object({
  max_weight: z.number().gt(0).lte(1),
  hold_decay: z.number().gte(0).lte(1),
  fee: z.number().gte(0).lt(1),
  residual_scale: z.number().gte(0).lt(1).optional(),
});

const metaSchema = z.object({
  kind: z.literal(KOL_META_KIND),
  version: z.literal(KOL_META_VERSION),
  settings: settingsSchema,
  splits: z
    .array(z.object({ name: z.enum(['train', 'valid', 'test']), start: z.string(), end: z.string() }))
    .length(3),
  tickers: z.array(z.string()).min(1),
});

export interface KolPreparedMeta {
  settings: KolSettings;
  splits: { name: 'train' | 'valid' | 'test'; start: string; end: string }[];
  tickers: string[];
}

/** Validates a parsed meta.json; throws an Error naming the source and the first bad field. */
export function parseKolMeta(json: unknown, source: string): KolPreparedMeta {
  const r = metaSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    throw new Error(`${source}: not a prepared kol folder's meta.json: ${where}: ${issue.message}`);
  }
  const { settings, splits, tickers } = r.data;
  return { settings, splits, tickers };
}

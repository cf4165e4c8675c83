/**
 * Text embedding for the residual policy's state, with nothing to download: a seeded hashed
 * n-gram embedding (the "hashing trick", as scikit-learn's HashingVectorizer and fastText's
 * bucketed n-grams).
 *
 * Features of a text: its lower-case word unigrams and bigrams (cashtags kept as `$aapl`, URLs
 * dropped) and the character trigrams of each word padded with '<' and '>'. Each feature is
 * hashed with the seed (FNV-1a, then a murmur3 finaliser) to a bucket in [0, dim) and a sign ±1
 * (from a second, independent bit), its count added there; the vector is L2-normalised (all zeros
 * for a text with no feature). Same text, dim and seed → the same vector everywhere; a different
 * seed → an unrelated one; texts sharing words share buckets (cosine similarity rises).
 */

export interface HashedEmbeddingConfig {
  /** Vector length. Default 64. */
  dim: number;
  /** Largest word n-gram (1 = unigrams only). Default 2. */
  wordNgrams: number;
  /** Character n-gram length inside words; 0 = none. Default 3. */
  charNgrams: number;
  /** Hash seed. Default 0. */
  seed: number;
}

export const DEFAULT_HASHED_EMBEDDING: Readonly<HashedEmbeddingConfig> = Object.freeze({
  dim: 64,
  wordNgrams: 2,
  charNgrams: 3,
  seed: 0,
});

/** 32-bit hash of a string under a seed: FNV-1a over UTF-16 code units, then murmur3's fmix32. */
export function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lower-case words of a text, cashtags kept (`$aapl`), URLs dropped. */
export function embeddingWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/[^a-z0-9$']+/)
    .map((w) => w.replace(/'/g, ''))
    .filter((w) => w !== '' && w !== '$');
}

/** The text's features (word n-grams, then character n-grams), in order. */
export function embeddingFeatures(
  text: string,
  cfg: Pick<HashedEmbeddingConfig, 'wordNgrams' | 'charNgrams'> = DEFAULT_HASHED_EMBEDDING,
): string[] {
  const words = embeddingWords(text);
  const out: string[] = [];
  for (let n = 1; n <= cfg.wordNgrams; n++)
    for (let i = 0; i + n <= words.length; i++) out.push(`w${n}:${words.slice(i, i + n).join(' ')}`);
  if (cfg.charNgrams > 0) {
    const n = cfg.charNgrams;
    for (const w of words) {
      const p = `<${w}>`;
      for (let i = 0; i + n <= p.length; i++) out.push(`c:${p.slice(i, i + n)}`);
    }
  }
  return out;
}

/** The embedding of a text (Float32Array of length dim, L2 norm 1 or all zeros). Writes into `out` when given. */
export function hashedEmbedding(
  text: string,
  partial: Partial<HashedEmbeddingConfig> = {},
  out?: Float32Array,
): Float32Array {
  const cfg = { ...DEFAULT_HASHED_EMBEDDING, ...partial };
  if (!(Number.isInteger(cfg.dim) && cfg.dim >= 1))
    throw new Error(`hashed embedding: dim must be a whole number ≥ 1, got ${cfg.dim}`);
  if (!(Number.isInteger(cfg.wordNgrams) && cfg.wordNgrams >= 1))
    throw new Error(`hashed embedding: wordNgrams must be ≥ 1, got ${cfg.wordNgrams}`);
  if (!(Number.isInteger(cfg.charNgrams) && cfg.charNgrams >= 0))
    throw new Error(`hashed embedding: charNgrams must be ≥ 0, got ${cfg.charNgrams}`);
  const v = out ?? new Float32Array(cfg.dim);
  if (v.length !== cfg.dim)
    throw new Error(`hashed embedding: output has ${v.length} values, dim is ${cfg.dim}`);
  const acc = new Float64Array(cfg.dim);
  for (const f of embeddingFeatures(text, cfg)) {
    const h = hash32(f, cfg.seed);
    const sign = hash32(f, cfg.seed ^ 0x5bd1e995) & 1 ? 1 : -1;
    acc[h % cfg.dim] += sign;
  }
  let norm = 0;
  for (let i = 0; i < cfg.dim; i++) norm += acc[i] * acc[i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < cfg.dim; i++) v[i] = norm > 0 ? acc[i] / norm : 0;
  return v;
}

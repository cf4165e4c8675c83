/**
 * The residual policy's state for one ticker-day decision (seed 000): the text embedding, then
 * sentiment, confidence and the last position, as one Float32Array; the ticker goes alongside as
 * an index into the agent's learned ticker embedding (the agent owns that table).
 *
 *   features = [ embedding(text) (dim) | sentiment | confidence | last_position ]
 *
 * last_position is the ticker's baseline weight on the previous decision day (0 before its first),
 * replayed with the same max_weight and hold_decay as training and evaluation (see settings.ts).
 */

export const KOL_STATE_EXTRAS = ['sentiment', 'confidence', 'last_position'] as const;

export interface KolStateLayout {
  textDim: number;
  /** textDim + 3. */
  size: number;
  /** Names of the features in order (text_0…, then the extras). */
  names: string[];
}

export function kolStateLayout(textDim: number): KolStateLayout {
  if (!(Number.isInteger(textDim) && textDim >= 1))
    throw new Error(`kol state: text dimension must be a whole number ≥ 1, got ${textDim}`);
  return {
    textDim,
    size: textDim + KOL_STATE_EXTRAS.length,
    names: [...Array.from({ length: textDim }, (_, i) => `text_${i}`), ...KOL_STATE_EXTRAS],
  };
}

export interface KolStateInput {
  embedding: ArrayLike<number>;
  sentiment: number;
  confidence: number;
  lastPosition: number;
  /** Row of the ticker in the agent's ticker vocabulary. */
  tickerIndex: number;
}

export interface KolState {
  features: Float32Array;
  tickerIndex: number;
}

/** Builds one state; checks ranges (a wrong-sized embedding or a NaN is an error, not a silent zero). */
export function buildKolState(input: KolStateInput, layout: KolStateLayout, out?: Float32Array): KolState {
  const { embedding, sentiment, confidence, lastPosition, tickerIndex } = input;
  if (embedding.length !== layout.textDim)
    throw new Error(
      `kol state: embedding has ${embedding.length} values, the layout expects ${layout.textDim}`,
    );
  if (!(sentiment >= -1 && sentiment <= 1))
    throw new Error(`kol state: sentiment must be in [−1, 1], got ${sentiment}`);
  if (!(confidence >= 0 && confidence <= 1))
    throw new Error(`kol state: confidence must be in [0, 1], got ${confidence}`);
  if (!Number.isFinite(lastPosition))
    throw new Error(`kol state: last position must be finite, got ${lastPosition}`);
  if (!(Number.isInteger(tickerIndex) && tickerIndex >= 0))
    throw new Error(`kol state: ticker index must be a whole number ≥ 0, got ${tickerIndex}`);
  const f = out ?? new Float32Array(layout.size);
  if (f.length !== layout.size)
    throw new Error(`kol state: output has ${f.length} values, the layout has ${layout.size}`);
  for (let i = 0; i < layout.textDim; i++) {
    const v = embedding[i];
    if (!Number.isFinite(v)) throw new Error(`kol state: embedding[${i}] is ${v}`);
    f[i] = v;
  }
  f[layout.textDim] = sentiment;
  f[layout.textDim + 1] = confidence;
  f[layout.textDim + 2] = lastPosition;
  return { features: f, tickerIndex };
}

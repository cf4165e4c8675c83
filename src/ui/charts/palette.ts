/** Colour-blind-safe palette (Okabe–Ito) in a fixed order so the same series keeps its colour. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
export const AGENT_COLOR = '#0072B2';
export const BASELINE_COLORS: Record<string, string> = {
  'buy-and-hold': '#E69F00',
  'equal-weight': '#009E73',
  'ma-10': '#CC79A7',
  'ma-20': '#56B4E9',
  'ma-30': '#D55E00',
  random: '#999999',
};
export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** Ink of the canvas charts' frame, grid, text and guides (the same in LiveChart and TimeSeriesChart). */
export const CHART_INK = {
  grid: '#e3e6ea',
  text: '#5b6574',
  frame: '#9aa3ad',
  reference: '#888888',
  marker: '#555555',
  crosshair: '#555555',
} as const;

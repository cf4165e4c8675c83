import { colorAt } from '../../charts/palette.ts';

/** Experts keep the lab's series colours (Okabe–Ito, in expert order) in every hierarchical view. */
export const expertColor = (e: number): string => colorAt(e);

// Regimes get muted tones of their own, so a regime strip never reads as an expert.
const REGIME = ['#6b7b8c', '#c4a484', '#9bb59b', '#a89cc8', '#c99a9a'];
export const regimeColor = (r: number): string => REGIME[r % REGIME.length];

/** `#rrggbb` → `rgba(r,g,b,alpha)` (bands drawn under the price). */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

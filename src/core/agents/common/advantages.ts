/** (A − mean) / (std + 1e-8) with the unbiased std (torch's .std(), as CleanRL normalises). */
export function normalizeAdvantages(
  adv: ArrayLike<number>,
  out = new Float32Array(adv.length),
): Float32Array {
  const n = adv.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += adv[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (adv[i] - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  for (let i = 0; i < n; i++) out[i] = (adv[i] - mean) / (std + 1e-8);
  return out;
}

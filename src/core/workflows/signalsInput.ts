/**
 * A posts file the user loaded (a signals CSV: date, ticker, sentiment + confidence or text), for
 * the workflows that read one: kol's posts, the ensemble's news analyst. The lab's trainer worker
 * hands it over with each Train (null when none, so a removed file is never read again); the
 * runners read it here. Pure: core has no files, the caller brings the text.
 */
let provided: { name: string; text: string } | null = null;

export function provideSignals(signals: { name: string; text: string } | null): void {
  provided = signals;
}

/** The loaded signals file, or null. */
export function providedSignals(): { name: string; text: string } | null {
  return provided;
}

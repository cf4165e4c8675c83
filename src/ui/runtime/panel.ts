import type { Panel } from '../../../workers/protocol.ts';

/** A copy of a panel whose buffers can be transferred without detaching the UI's own. */
export function copyPanel(p: Panel): Panel {
  return {
    dates: p.dates.slice(),
    assets: p.assets.slice(),
    open: p.open.slice(),
    high: p.high.slice(),
    low: p.low.slice(),
    close: p.close.slice(),
    volume: p.volume.slice(),
  };
}

/** Typed-array buffers of a panel, for comlink.transfer. */
export function panelTransferables(p: Panel): ArrayBuffer[] {
  return [p.open, p.high, p.low, p.close, p.volume].map((a) => a.buffer as ArrayBuffer);
}

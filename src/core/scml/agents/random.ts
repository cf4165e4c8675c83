/**
 * RandomStdAgent (scml): a uniformly random outcome as every offer; on the partner's offer it
 * ends with p = 0.005, accepts with p = 0.1 (scml-lite.md), else counters at random.
 */
import type { Rng } from '../../rng.ts';
import { ACCEPT, END, REJECT, type ScmlAgent, type World } from '../world.ts';

export const RANDOM_P_END = 0.005;
export const RANDOM_P_ACCEPT = 0.1;

export class RandomAgent implements ScmlAgent {
  readonly type = 'random';
  private rng!: Rng;

  init(_w: World, _id: number, rng: Rng): void {
    this.rng = rng;
  }

  act(w: World, _id: number, todo: Int32Array, n: number): void {
    const rng = this.rng;
    for (let i = 0; i < n; i++) {
      const th = todo[i];
      if (w.offerer[th] !== 0) {
        if (rng.float() < RANDOM_P_END) {
          w.respond(th, END);
          continue;
        }
        if (rng.float() < RANDOM_P_ACCEPT) {
          w.respond(th, ACCEPT);
          continue;
        }
      }
      const k = w.thProduct[th];
      const q = 1 + rng.int(w.qtyMax);
      const t = w.day + rng.int(w.deliveryMax - w.day + 1);
      const p = w.priceLo[k] + rng.int(w.priceHi[k] - w.priceLo[k] + 1);
      w.respond(th, REJECT, q, t, p);
    }
  }
}

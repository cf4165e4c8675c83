/**
 * Batched matMul for small matrices on the wasm backend: a WebAssembly SIMD (f32x4) kernel that works
 * in place on the tfjs-wasm heap.
 *
 * Why: tfjs-wasm sends every BatchMatMul with batch > 1 (or a transpose flag) to a scalar C++ loop
 * (`slow_batch_matmul`, ~0.4 GMAC/s here); only batch-1 products reach XNNPACK. The cross-asset
 * attention's [B, 16, 64]·[B, 64, 16] products are all batched, and a plain JS loop over the heap is
 * slower still (~0.2 GMAC/s, measured). This module assembles a ~1 KB wasm module from bytes
 * written here (no toolchain), imports tfjs's own WebAssembly.Memory, and runs the products on the
 * tensors where they lie. It is registered under its own kernel name ('LabBatchMatMul'); tfjs's
 * BatchMatMul is untouched, and other backends never see this kernel.
 *
 * Math: C[b] = op(A[b])·op(B[b]), op = transpose when the flag is set, the same as tf.matMul; sums
 * run in f32 and only their order differs (4 lanes for A·Bᵀ). Batch dims must be equal, or one side's
 * must all be 1 (broadcast); other broadcasts are refused with an error.
 */
import * as tf from '@tensorflow/tfjs';

export const LAB_BATCH_MATMUL = 'LabBatchMatMul';

// ---------------------------------------------------------------- a tiny wasm assembler

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Instructions used below (wasm core + SIMD opcodes, prefix 0xfd). */
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a];
const MUL = [0x6c];
const SHL = [0x74];
const GE_U = [0x4f];
const GT_U = [0x4b];
const EQZ = [0x45];
const F32_ADD = [0x92];
const F32_MUL = [0x94];
const f32load = (offset = 0) => [0x2a, 2, ...uleb(offset)];
const f32store = (offset = 0) => [0x38, 2, ...uleb(offset)];
const v128load = (offset = 0) => [0xfd, 0x00, 2, ...uleb(offset)];
const v128store = (offset = 0) => [0xfd, 0x0b, 2, ...uleb(offset)];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const F32X4_SPLAT = [0xfd, 0x13];
const f32x4lane = (lane: number) => [0xfd, 0x1f, lane];
const F32X4_ADD = [0xfd, 0xe4, 0x01];
const F32X4_MUL = [0xfd, 0xe6, 0x01];
const F32_ZERO = [0x43, 0, 0, 0, 0];

/** Concatenates instruction sequences. */
const c = (...parts: number[][]): number[] => parts.flat();
/** `while (!exitCond) { body }` — exitCond leaves an i32 on the stack. */
const whileNot = (exitCond: number[], ...body: number[][]) =>
  c([0x02, 0x40, 0x03, 0x40], exitCond, [0x0d, 1], ...body, [0x0c, 0, 0x0b, 0x0b]);
const inc = (l: number, by: number[]) => c(get(l), by, ADD, set(l));
const dec = (l: number) => c(get(l), i32c(-1), ADD, set(l));

// Parameters, shared by both functions (byte pointers and byte strides, all i32):
const P = { a: 0, b: 1, c: 2, batch: 3, m: 4, k: 5, n: 6, aBatch: 7, bBatch: 8, aRow: 9, aCol: 10 };
const N_PARAMS = 11;
// Locals after the parameters.
const L = { bi: 11, i: 12, j: 13, k: 14, pa: 15, pb: 16, aRowBase: 17, bBase: 18, rowBytes: 19, pc: 20 };
const N_I32_LOCALS = 10;
const V = { acc0: 21, acc1: 22, acc2: 23, acc3: 24, s: 25 };
const S = 26; // f32 scalar accumulator

/** base + j·4: column j of a row. */
const atJ = (base: number) => c(get(base), get(L.j), i32c(2), SHL, ADD);
/** k = K, then `body` while k ≠ 0, k counting down. */
const overK = (...body: number[][]) => c(get(P.k), set(L.k), whileNot(c(get(L.k), EQZ), ...body, dec(L.k)));

/**
 * For each batch b and row i: aRowBase = a + b·aBatch + i·aRow, bBase = b + b·bBatch, j = 0, then
 * `columns` (which write row i of C at pc); pc advances one C row (N·4 bytes) per row.
 */
function rowLoops(columns: number[]): number[] {
  const rows = whileNot(
    c(get(L.i), get(P.m), GE_U),
    c(get(P.a), get(L.bi), get(P.aBatch), MUL, ADD, get(L.i), get(P.aRow), MUL, ADD, set(L.aRowBase)),
    c(i32c(0), set(L.j)),
    columns,
    inc(L.pc, get(L.rowBytes)),
    inc(L.i, i32c(1)),
  );
  return c(
    c(get(P.n), i32c(2), SHL, set(L.rowBytes), get(P.c), set(L.pc)),
    whileNot(
      c(get(L.bi), get(P.batch), GE_U),
      c(get(P.b), get(L.bi), get(P.bBatch), MUL, ADD, set(L.bBase), i32c(0), set(L.i)),
      rows,
      inc(L.bi, i32c(1)),
    ),
  );
}

/**
 * nn: C[i, j] = Σ_k A[i·aRow + k·aCol] · B[k, j], B and C row-major [K, N], [M, N] per batch.
 * Loop order i, column block, k, with the block's 16 (then 4, then 1) outputs held in registers, so A
 * may be read transposed (aCol = M·4) for free.
 */
function nnBody(): number[] {
  const accs = [V.acc0, V.acc1, V.acc2, V.acc3];
  // Column blocks of `width` floats (16 or 4) from column j on, while they fit.
  const blocks = (width: 16 | 4) => {
    const used = accs.slice(0, width / 4);
    return whileNot(
      c(get(L.j), i32c(width), ADD, get(P.n), GT_U),
      ...used.map((acc) => c(V128_ZERO, set(acc))),
      c(get(L.aRowBase), set(L.pa), atJ(L.bBase), set(L.pb)),
      overK(
        c(get(L.pa), f32load(), F32X4_SPLAT, set(V.s)),
        // acc += s · B[k, j + 4q … j + 4q + 3]
        ...used.map((acc, q) =>
          c(get(acc), get(V.s), get(L.pb), v128load(q * 16), F32X4_MUL, F32X4_ADD, set(acc)),
        ),
        inc(L.pa, get(P.aCol)),
        inc(L.pb, get(L.rowBytes)),
      ),
      ...used.map((acc, q) => c(atJ(L.pc), get(acc), v128store(q * 16))),
      inc(L.j, i32c(width)),
    );
  };
  const scalarTail = whileNot(
    c(get(L.j), get(P.n), GE_U),
    c(F32_ZERO, set(S), get(L.aRowBase), set(L.pa), atJ(L.bBase), set(L.pb)),
    overK(
      c(get(S), get(L.pa), f32load(), get(L.pb), f32load(), F32_MUL, F32_ADD, set(S)),
      inc(L.pa, get(P.aCol)),
      inc(L.pb, get(L.rowBytes)),
    ),
    c(atJ(L.pc), get(S), f32store()),
    inc(L.j, i32c(1)),
  );
  return rowLoops(c(blocks(16), blocks(4), scalarTail));
}

/**
 * nt: C[i, j] = Σ_k A[i, k] · B[j, k], A [M, K], B [N, K] row-major per batch (aRow = K·4): dot
 * products of two contiguous rows, 4 lanes at a time, then the lanes and a scalar tail.
 */
function ntBody(): number[] {
  const acc = V.acc0;
  const dot = c(
    c(get(P.k), set(L.k)),
    // 4 lanes while k ≥ 4 (k counts down)
    whileNot(
      c(i32c(4), get(L.k), GT_U),
      c(get(acc), get(L.pa), v128load(), get(L.pb), v128load(), F32X4_MUL, F32X4_ADD, set(acc)),
      c(inc(L.pa, i32c(16)), inc(L.pb, i32c(16)), get(L.k), i32c(-4), ADD, set(L.k)),
    ),
    whileNot(
      c(get(L.k), EQZ),
      c(get(S), get(L.pa), f32load(), get(L.pb), f32load(), F32_MUL, F32_ADD, set(S)),
      c(inc(L.pa, i32c(4)), inc(L.pb, i32c(4)), dec(L.k)),
    ),
  );
  const lanes = c(
    c(get(acc), f32x4lane(0), get(acc), f32x4lane(1), F32_ADD),
    c(get(acc), f32x4lane(2), get(acc), f32x4lane(3), F32_ADD, F32_ADD, get(S), F32_ADD),
  );
  const columns = whileNot(
    c(get(L.j), get(P.n), GE_U),
    c(V128_ZERO, set(acc), F32_ZERO, set(S), get(L.aRowBase), set(L.pa)),
    c(get(L.bBase), get(L.j), get(P.aRow), MUL, ADD, set(L.pb)),
    dot,
    c(atJ(L.pc), lanes, f32store()),
    inc(L.j, i32c(1)),
  );
  return rowLoops(columns);
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

function funcBody(code: number[]): number[] {
  const locals = vec([
    [...uleb(N_I32_LOCALS), I32],
    [...uleb(5), V128],
    [...uleb(1), F32],
  ]);
  const body = [...locals, ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

/** The module's bytes; `shared` must match the imported memory (threaded tfjs-wasm shares it). */
export function batchMatMulModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec(new Array<number[]>(N_PARAMS).fill([I32])), 0];
  // Limits: min 0 pages; a shared memory must declare a maximum (4 GiB, tfjs's own).
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([type])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec([[0], [0]])),
    ...section(
      7,
      vec([
        [...name('nn'), 0x00, 0],
        [...name('nt'), 0x00, 1],
      ]),
    ),
    ...section(10, vec([funcBody(nnBody()), funcBody(ntBody())])),
  ];
  return new Uint8Array(bytes);
}

// ---------------------------------------------------------------- the kernel on tfjs's wasm backend

/** What this file uses of tfjs-backend-wasm's BackendWasm (not exported as a type by tfjs). */
interface WasmBackendLike {
  wasm?: { wasmMemory?: unknown; asm?: { memory?: unknown } };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId): boolean;
}

type KernelExport = (...args: number[]) => void;
interface Kernels {
  nn: KernelExport;
  nt: KernelExport;
}

/** Per tfjs heap (a new backend instance has a new one); null: the module did not load there. */
const instances = new WeakMap<WebAssembly.Memory, Kernels | null>();
let unavailableReason = '';

function memoryOf(backend: WasmBackendLike): WebAssembly.Memory | null {
  // Threaded builds keep the (shared) memory on Module.wasmMemory; the others export it as asm.memory.
  const m = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : null;
}

function kernelsFor(backend: WasmBackendLike): Kernels | null {
  const memory = memoryOf(backend);
  if (!memory) {
    unavailableReason = 'tfjs-wasm exposes no WebAssembly.Memory';
    return null;
  }
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      // Synchronous compile: the module is ~1 KB, under the 4 KB Chromium allows on a main thread.
      const module = new WebAssembly.Module(batchMatMulModuleBytes(shared));
      kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
    } catch (e) {
      // An engine without wasm SIMD: callers fall back to tf.matMul.
      unavailableReason = e instanceof Error ? e.message : String(e);
      kernels = null;
    }
    instances.set(memory, kernels);
  }
  return kernels;
}

function product(dims: number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

function batchMatMulKernel(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  const backend = args.backend as WasmBackendLike;
  const kernels = kernelsFor(backend);
  const what = `${LAB_BATCH_MATMUL} of [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`;
  if (!kernels) throw new Error(`${what}: the wasm SIMD kernel did not load (${unavailableReason})`);
  if (a.dtype !== 'float32' || b.dtype !== 'float32')
    throw new Error(`${what}: float32 only, got ${a.dtype} and ${b.dtype}`);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) throw new Error(`${what}: both operands need rank ≥ 2`);
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb)
    throw new Error(
      `${what}: inner sizes ${k} and ${kb} differ (transposeA ${transposeA}, transposeB ${transposeB})`,
    );
  const aDims = a.shape.slice(0, -2);
  const bDims = b.shape.slice(0, -2);
  const outDims = tf.backend_util.assertAndGetBroadcastShape(aDims, bDims);
  const batch = product(outDims);
  const batchA = product(aDims);
  const batchB = product(bDims);
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1))
    throw new Error(
      `${what}: batch dims broadcast here only when equal or when one side's are all 1; use tf.matMul`,
    );
  const out = backend.makeOutput([...outDims, m, n], 'float32');
  // Aᵀ·Bᵀ (unused by the nets) takes a transposed copy of B. Heap views only after every makeOutput:
  // an allocation can grow the memory, which detaches earlier views.
  let bT: tf.TensorInfo | null = null;
  if (transposeA && transposeB) {
    bT = backend.makeOutput([batchB, k, n], 'float32');
    const src = backend.typedArrayFromHeap(b);
    const dst = backend.typedArrayFromHeap(bT);
    for (let q = 0; q < batchB; q++)
      for (let j = 0; j < n; j++)
        for (let p = 0; p < k; p++) dst[(q * k + p) * n + j] = src[(q * n + j) * k + p];
  }
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const aBatch = batchA === 1 ? 0 : m * k * 4;
  const bBatch = batchB === 1 ? 0 : k * n * 4;
  if (transposeB && !transposeA) {
    kernels.nt(at(a), at(b), at(out), batch, m, k, n, aBatch, bBatch, k * 4, 4);
  } else {
    const rhs = bT ?? b;
    kernels.nn(
      at(a),
      at(rhs),
      at(out),
      batch,
      m,
      k,
      n,
      aBatch,
      bBatch,
      transposeA ? 4 : k * 4,
      transposeA ? m * 4 : 4,
    );
  }
  if (bT) backend.disposeData(bT.dataId);
  return out;
}

if (!tf.getKernel(LAB_BATCH_MATMUL, 'wasm')) {
  tf.registerKernel({
    kernelName: LAB_BATCH_MATMUL,
    backendName: 'wasm',
    kernelFunc: batchMatMulKernel as unknown as tf.KernelFunc,
  });
}

let enabled = true;

/** Switches the kernel off (tfjs's BatchMatMul, as before it) or back on: for side-by-side benchmarks. */
export function enableWasmBatchMatMul(on: boolean): void {
  enabled = on;
}

/** Whether the current backend is wasm and the SIMD kernel runs on it. Read per call. */
export function wasmBatchMatMulReady(): boolean {
  return (
    enabled && tf.getBackend() === 'wasm' && kernelsFor(tf.backend() as unknown as WasmBackendLike) !== null
  );
}

/**
 * op(a)·op(b) for rank-3 operands, no gradient of its own (batchMatMul in attention.ts adds one): the
 * SIMD kernel on wasm; elsewhere tf.matMul with transpose flags, which the cpu backend reads through
 * strides and GPU shaders handle; on wasm without SIMD, explicit transposes (its flagged path is
 * slower still).
 */
export function matMul3d(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  transposeA = false,
  transposeB = false,
): tf.Tensor3D {
  if (wasmBatchMatMulReady()) {
    return tf
      .engine()
      .runKernel(
        LAB_BATCH_MATMUL,
        { a, b } as unknown as tf.NamedTensorMap,
        { transposeA, transposeB } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor3D;
  }
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() =>
    tf.matMul(transposeA ? tf.transpose(a, [0, 2, 1]) : a, transposeB ? tf.transpose(b, [0, 2, 1]) : b),
  );
}

/**
 * Largest |difference| between matMul3d and tfjs's own BatchMatMul over the three transpose modes the
 * nets use, on fixed random operands sized like the attention's ([12, 16, 64] and [12, 16, 16]); NaN
 * when the kernel is not in use. The bench page reports it, so that Chromium (one thread, and the
 * threaded build's shared memory) checks the kernel where the unit tests cannot.
 */
export function checkWasmBatchMatMul(): number {
  if (!wasmBatchMatMulReady()) return NaN;
  return tf.tidy(() => {
    const q = tf.randomNormal([12, 16, 64], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([12, 16, 64], 0, 1, 'float32', 2) as tf.Tensor3D;
    const p = tf.randomNormal([12, 16, 16], 0, 1, 'float32', 3) as tf.Tensor3D;
    const pairs: [tf.Tensor, tf.Tensor][] = [
      [matMul3d(q, k, false, true), tf.matMul(q, k, false, true)],
      [matMul3d(p, k), tf.matMul(p, k)],
      [matMul3d(p, k, true, false), tf.matMul(p, k, true, false)],
    ];
    return Math.max(...pairs.map(([a, b]) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]));
  });
}

// The trainable state of each training method, declared in one place: which tensors train, how they
// start, how they become adapters for the forward pass, and how they are saved and restored.
//   xpeft     — mask scores sA, sB [sites, N] (+ a per-profile head if asked); the bank stays frozen
//   adapter   — one ordinary adapter per site (down, downBias, up, upBias), + head: conventional tuning
//   head-only — the head alone, on the untouched model's pooled vectors
//   frozen    — nothing: the untouched model with the shared head

import * as tf from '@tensorflow/tfjs';
import { type AdapterBank, ARRAY_NAMES, type BankShape } from '../bank/bank';
import { type AdapterSet, adapterLayout, type ForwardAdapterSet, type SiteAdapter } from '../encoder/adapter';
import { XpeftError } from '../errors';
import { concatArrays } from '../util/concat';
import { seededRandom } from '../util/random';
import { composeAdapters, composeMask } from '../xpeft/compose';
import { type HeadTensors, type HeadTraining, type HeadWeights, headTensors, readHead } from '../xpeft/head';
import { type MaskSpec, maskWeights, topkIndicator } from '../xpeft/mask';
import { mixOutputs, type OutputMixBank, prepareOutputMix } from '../xpeft/output-mix';

export type Method = 'xpeft' | 'adapter' | 'head-only' | 'frozen';
export const METHODS: readonly Method[] = ['xpeft', 'adapter', 'head-only', 'frozen'];

/** Learning-rate group of a trainable tensor. */
export type ParamGroup = 'mask' | 'adapter' | 'head';

/** Plain (CPU) values of everything a method trained: what a profile or baseline is made of. */
export interface TrainedValues {
  scoresA?: Float32Array; // [sites·N]
  scoresB?: Float32Array; // [sites·N]
  adapter?: Float32Array[]; // per site, flattened down, downBias, up, upBias
  head?: HeadWeights;
}

export interface TrainableState {
  variables: { variable: tf.Variable; group: ParamGroup }[];
  /** Adapters for the forward pass; call inside tf.tidy (they may be composed on the fly). */
  adapters(): ForwardAdapterSet | undefined;
  /**
   * A hard mask's current selection as plain adapters, for forward passes without gradients: the k
   * selected adapters per row gathered, not the whole bank mixed. Undefined for other states; dispose
   * with disposeAdapterSet.
   */
  selection(): Promise<AdapterSet | undefined>;
  head: HeadTensors;
  snapshot(): Promise<TrainedValues>;
  restore(v: TrainedValues): void;
  dispose(): void;
}

export interface StateContext {
  /** Adapter placement, activation and sizes; the bank itself is needed only for X-PEFT. */
  shape: BankShape;
  bank?: AdapterBank;
  mask: MaskSpec;
  /** The head to start from: shared weights, or a fresh initialisation. */
  head: HeadWeights;
  trainHead: HeadTraining;
  seed: number;
  /** X-PEFT: mask scores to start from (TrainOptions.startScores, already scaled), A rows then B rows. */
  startScores?: Float32Array;
}

/** A variable whose initial tensor is freed (tf.variable keeps its own reference to the data). */
function variable(init: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(init()));
}

function assign(v: tf.Variable, values: Float32Array): void {
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

export function createState(method: Method, ctx: StateContext): TrainableState {
  const head = headTensors(ctx.head, ctx.trainHead);
  const variables: TrainableState['variables'] = [];
  if (ctx.trainHead === true) variables.push({ variable: head.weight as tf.Variable, group: 'head' });
  if (ctx.trainHead) variables.push({ variable: head.bias as tf.Variable, group: 'head' });
  const { sites, n, d, r } = ctx.shape;
  const rng = seededRandom(ctx.seed + 1);
  let adapters: () => ForwardAdapterSet | undefined = () => undefined;
  let scores: [tf.Variable, tf.Variable] | undefined;
  let adapterVars: tf.Variable[][] | undefined;
  let mixBank: OutputMixBank | undefined;

  if (method === 'xpeft') {
    const bank = ctx.bank;
    if (!bank) throw new XpeftError('X-PEFT training needs an adapter bank.');
    // Small random scores: a hard mask starts from a random top-k selection, a soft one near uniform;
    // given start scores are added to them.
    const start = (half: number) => {
      const values = Float32Array.from(rng.normals(sites * n, 0.01));
      const given = ctx.startScores?.subarray(half * sites * n, (half + 1) * sites * n);
      given?.forEach((v, i) => {
        values[i]! += v;
      });
      return variable(() => tf.tensor2d(values, [sites, n]));
    };
    scores = [start(0), start(1)];
    for (const v of scores) variables.push({ variable: v, group: 'mask' });
    const [sA, sB] = scores;
    const weights = () =>
      [maskWeights(sA as tf.Tensor2D, ctx.mask), maskWeights(sB as tf.Tensor2D, ctx.mask)] as const;
    if (ctx.mask.mix === 'outputs') {
      // A hard mask weights at most 2k adapters per site (k by each row); a soft one, all N.
      const active = ctx.mask.mode === 'hard' ? 2 * ctx.mask.k : n;
      mixBank = prepareOutputMix(bank);
      const laid = mixBank;
      adapters = () => mixOutputs(laid, ...weights(), active);
    } else adapters = () => composeAdapters(bank, ...weights());
  } else if (method === 'adapter') {
    // Conventional initialisation: random down projection, zero up projection, so training starts
    // from the untouched model.
    adapterVars = Array.from({ length: sites }, () => [
      variable(() => tf.tensor2d(rng.normals(d * r, 1 / Math.sqrt(d)), [d, r])),
      variable(() => tf.zeros([r])),
      variable(() => tf.zeros([r, d])),
      variable(() => tf.zeros([d])),
    ]);
    for (const site of adapterVars) for (const v of site) variables.push({ variable: v, group: 'adapter' });
    const siteAdapters: SiteAdapter[] = adapterVars.map(([down, downBias, up, upBias]) => ({
      down: down as tf.Tensor2D,
      downBias: downBias as tf.Tensor1D,
      up: up as tf.Tensor2D,
      upBias: upBias as tf.Tensor1D,
      activation: ctx.shape.activation,
    }));
    adapters = () => ({ ...adapterLayout(ctx.shape), sites: siteAdapters });
  }

  const selection = async () => {
    if (!scores || !ctx.bank || ctx.mask.mode !== 'hard') return undefined;
    const { k } = ctx.mask;
    // The selection as 0/1 bits, A rows then B rows, as training's forward pass takes it.
    const picked = tf.tidy(() =>
      tf.mul(tf.concat(scores!.map((v) => topkIndicator(v as tf.Tensor2D, k))), k),
    );
    const bits = (await picked.data()) as Float32Array;
    picked.dispose();
    return composeMask({ ...ctx.mask, sites, n, scores: bits }, ctx.bank);
  };

  return {
    variables,
    adapters,
    selection,
    head,
    async snapshot() {
      const out: TrainedValues = {};
      if (scores) {
        out.scoresA = (await scores[0].data()) as Float32Array;
        out.scoresB = (await scores[1].data()) as Float32Array;
      }
      if (adapterVars) {
        out.adapter = await Promise.all(
          adapterVars.map(async (site) =>
            joinAdapter((await Promise.all(site.map((v) => v.data()))) as Float32Array[]),
          ),
        );
      }
      if (ctx.trainHead) out.head = await readHead(head);
      return out;
    },
    restore(v) {
      if (scores && v.scoresA && v.scoresB) {
        assign(scores[0], v.scoresA);
        assign(scores[1], v.scoresB);
      }
      if (adapterVars && v.adapter) {
        adapterVars.forEach((site, s) => {
          const parts = splitAdapter(v.adapter![s]!, ctx.shape);
          site.forEach((variable, i) => {
            assign(variable, parts[ARRAY_NAMES[i]!]);
          });
        });
      }
      if (ctx.trainHead === true && v.head) assign(head.weight as tf.Variable, v.head.weight);
      if (ctx.trainHead && v.head) assign(head.bias as tf.Variable, v.head.bias);
    },
    dispose() {
      tf.dispose([head.weight, head.bias, ...variables.map((v) => v.variable)]);
      mixBank?.dispose();
    },
  };
}

/** A trained adapter is stored flat per site: down [d·r], downBias [r], up [r·d], upBias [d], in that order. */
export function joinAdapter(parts: readonly Float32Array[]): Float32Array {
  return concatArrays(parts, (n) => new Float32Array(n));
}

/** The four parts of a flat adapter (views, not copies). */
export function splitAdapter(
  flat: Float32Array,
  shape: Pick<BankShape, 'd' | 'r'>,
): Record<(typeof ARRAY_NAMES)[number], Float32Array> {
  const { d, r } = shape;
  return {
    down: flat.subarray(0, d * r),
    downBias: flat.subarray(d * r, d * r + r),
    up: flat.subarray(d * r + r, 2 * d * r + r),
    upBias: flat.subarray(2 * d * r + r, 2 * d * r + r + d),
  };
}

/** Unflattens a trained conventional adapter (see TrainedValues.adapter) into tensors. */
export function adapterSetFromValues(bank: BankShape, values: Float32Array[]): AdapterSet {
  const { d, r } = bank;
  return {
    ...adapterLayout(bank),
    sites: values.map((flat) => {
      const p = splitAdapter(flat, bank);
      return {
        down: tf.tensor2d(p.down, [d, r]),
        downBias: tf.tensor1d(p.downBias),
        up: tf.tensor2d(p.up, [r, d]),
        upBias: tf.tensor1d(p.upBias),
        activation: bank.activation,
      };
    }),
  };
}

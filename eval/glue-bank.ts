// The paper's other setting on GLUE: a bank of given trained adapters. For each GLUE task and seed the
// bank holds the adapters that adapter tuning trained on the other four tasks with that seed (leave one
// task out), so no adapter has seen the task it is used for. Each adapter is kept on disk when its
// adapter cell runs, and trained here (and kept) when it is missing.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterBank, LanguageModel } from '../src/advanced';
import { createBank } from '../src/bank/bank';
import { randomBankShape } from '../src/bank/random';
import { stackAdapters } from '../src/training/bank-builder';
import { concatArrays } from '../src/util/concat';
import type { Budget, GlueName } from './cell';

/** N of a task's leave-one-task-out bank: one adapter per other task. */
export const gluePeerBankSize = (tasks: readonly GlueName[]) => tasks.length - 1;

/** Where adapter tuning on a GLUE task keeps its adapter (per-site flat weights, fp32, concatenated). */
export const glueAdapterPath = (
  cacheDir: string,
  task: GlueName,
  seed: number,
  budget: Budget,
  model: LanguageModel,
) =>
  join(
    cacheDir,
    `glue-adapter-${task}-seed${seed}-train${budget.trainSize}-ep${budget.epochs}-bs${budget.batchSize}-len${budget.maxLength}-${model.fingerprint.slice(0, 8)}.f32`,
  );

export function saveGlueAdapter(path: string, sites: readonly Float32Array[]): void {
  const all = concatArrays(sites, (n) => new Float32Array(n));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(`${path}.part`, new Uint8Array(all.buffer)); // a stopped run leaves no half file behind
  renameSync(`${path}.part`, path);
}

function loadGlueAdapter(path: string, sites: number): Float32Array[] {
  const bytes = readFileSync(path);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (all.length % sites !== 0) throw new Error(`${path} does not hold ${sites} adapter sites.`);
  const per = all.length / sites;
  return Array.from({ length: sites }, (_, s) => all.subarray(s * per, (s + 1) * per));
}

/** The bank for `task` and `seed`: the adapter of every other task in `tasks` for that seed, in order. */
export async function leaveOneTaskOutBank(
  model: LanguageModel,
  task: GlueName,
  seed: number,
  tasks: readonly GlueName[],
  budget: Budget,
  cacheDir: string,
  /** Trains the adapter of a task for this seed (adapter tuning under this budget) when none is on disk. */
  trainAdapter: (peer: GlueName) => Promise<Float32Array[]>,
): Promise<AdapterBank> {
  const peers = tasks.filter((t) => t !== task);
  const { hiddenSize, numLayers } = model.config;
  const shape = randomBankShape({ seed: 0, n: gluePeerBankSize(tasks) }, hiddenSize, numLayers);
  const adapters: Float32Array[][] = [];
  for (const peer of peers) {
    const path = glueAdapterPath(cacheDir, peer, seed, budget, model);
    if (existsSync(path)) {
      adapters.push(loadGlueAdapter(path, shape.sites));
      continue;
    }
    const trained = await trainAdapter(peer);
    saveGlueAdapter(path, trained);
    adapters.push(trained);
  }
  const trainedOn = JSON.stringify({ tasks: peers, seed, budget });
  return createBank('trained', shape, stackAdapters(shape, adapters), { kind: 'trained', trainedOn });
}

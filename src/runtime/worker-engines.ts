// What the engine's worker holds: the loaded engine, the variants that share its model (another task,
// another random bank or bank file), the file cache they read through, and the profiles lately used.

import { bankFingerprint, readBankArrays } from '../bank/bank';
import { Engine } from '../engine/engine';
import type { BaselineProfile } from '../engine/types';
import { EngineError } from '../errors';
import type { FileCache } from '../model/cache';
import { profileToString } from '../profile/format';
import type { Profile } from '../profile/profile';
import type { EngineVariant, WorkerEngineInfo } from './worker-types';

const PROFILES_KEPT = 16;

export class WorkerEngines {
  /** The loaded engine; undefined before load() and after dispose(). */
  engine: Engine | undefined;
  /** The loaded engine's file cache, also used for variants' bank files. */
  cache: FileCache | undefined;
  // Variant engines by their JSON key (promises, so concurrent first uses build one engine); each shares
  // the loaded engine's model and owns only its bank.
  private readonly variants = new Map<string, Promise<Engine>>();
  // Profiles arrive as bytes; keeping one Profile per byte string lets the engine's adapter cache work.
  private readonly profiles = new Map<string, Profile>();

  loaded(): Engine {
    if (!this.engine) throw new EngineError('The worker engine is not loaded; call load() first.');
    return this.engine;
  }

  profileOf(on: Engine, bytes: Uint8Array): Profile {
    const key = profileToString(bytes); // the bytes' text form: no decoding just to look up the cache
    let p = this.profiles.get(key);
    if (!p) {
      p = on.importProfile(bytes);
      this.profiles.set(key, p);
      if (this.profiles.size > PROFILES_KEPT)
        this.profiles.delete(this.profiles.keys().next().value as string);
    }
    return p;
  }

  /** The loaded engine, or the variant's engine over its model (made on first use). */
  async engineFor(variant: EngineVariant | undefined): Promise<Engine> {
    const base = this.loaded();
    if (!variant || !(variant.task || variant.bank || variant.keepSiteStates)) return base;
    const key = JSON.stringify(variant);
    let e = this.variants.get(key);
    if (!e) {
      e = Engine.load({
        model: base.model,
        bank: variant.bank ?? { kind: 'bank', bank: base.bank },
        task: variant.task ?? base.task,
        ...(this.cache ? { cache: this.cache } : {}),
        ...(variant.keepSiteStates ? { keepSiteStates: true } : {}),
      });
      e.catch(() => this.variants.delete(key));
      this.variants.set(key, e);
    }
    return e;
  }

  /** Frees the variants, then the loaded engine, and forgets the profiles. */
  async dispose(): Promise<void> {
    const built = await Promise.allSettled(this.variants.values());
    this.variants.clear();
    for (const v of built) if (v.status === 'fulfilled') v.value.dispose(); // before the base: they use its model
    this.engine?.dispose();
    this.engine = undefined;
    this.profiles.clear();
  }
}

/** The untouched model with the engine's shared head: the population's answer, no profile involved. */
export function population(on: Engine): BaselineProfile {
  if (!on.sharedHead)
    throw new EngineError('This engine has no shared head: load a trained bank file with one.');
  return { method: 'frozen', head: on.sharedHead, bytes: { adapter: 0, head: 0, total: 0 } };
}

export async function describeEngine(e: Engine): Promise<Omit<WorkerEngineInfo, 'backend'>> {
  const { placement, activation, sites, n, d, r } = e.bank;
  return {
    modelFingerprint: e.model.fingerprint,
    bankFingerprint: e.bank.fingerprint,
    bankDigest: await bankFingerprint(e.bank, await readBankArrays(e.bank)),
    shape: { placement, activation, sites, n, d, r },
    sharedHead: e.sharedHead !== undefined,
  };
}

// A load's progress as a page shows it: which part is loading (the model, then the bank) and how much
// of the whole is done, from 0 to 1. The model's files count by their usual share of its bytes (the
// weights are nearly all of it), so the figure only ever rises as the files arrive one by one.

import type { CheckpointProgress } from '../model/checkpoint';
import { CHECKPOINT_FILES } from '../model/known';

/**
 * The part of a load under way: the model's files, the adapter bank, then ready.
 *
 * @group Entry points
 */
export type LoadPhase = 'model' | 'bank' | 'ready';

/**
 * A load's progress, for `onProgress` of createPersonalizer.
 *
 * @group Entry points
 */
export interface LoadProgress {
  /** 'model' while its files arrive, 'bank' while the adapter bank is read or made, then 'ready'. */
  phase: LoadPhase;
  /** How much of the whole load is done, from 0 to 1 (1 only with 'ready'). */
  progress: number;
  /** The file being read, and its bytes so far and in all (when the server says). */
  file?: string;
  loaded?: number;
  total?: number | undefined;
}

const SHARE_OF_MODEL: Record<(typeof CHECKPOINT_FILES)[number], number> = {
  'config.json': 0.001,
  'tokenizer_config.json': 0.001,
  'tokenizer.json': 0.008,
  'model.safetensors': 0.99,
};

/**
 * Turns per-file reads into LoadProgress: the model takes 0 to 0.95 of the figure when the bank is
 * made from a recipe, 0 to 0.85 when a bank file follows it. Returns the reader's callback and `ready`.
 */
export function trackLoad(
  bankFile: string | undefined,
  report: (p: LoadProgress) => void,
): { onFile: (p: CheckpointProgress) => void; ready: () => void } {
  const modelPart = bankFile ? 0.85 : 0.95;
  const done = new Map<string, number>();
  let shown = 0;
  let bankStarted = false;
  const emit = (p: LoadProgress) => {
    shown = Math.max(shown, p.progress);
    report({ ...p, progress: shown });
  };
  const modelDone = () =>
    CHECKPOINT_FILES.reduce((sum, f) => sum + SHARE_OF_MODEL[f] * (done.get(f) ?? 0), 0) * modelPart;
  return {
    onFile({ file, loaded, total }) {
      const fraction = total ? Math.min(1, loaded / total) : 0;
      const fileInfo = { file, loaded, total };
      if (file === bankFile) {
        bankStarted = true;
        emit({ phase: 'bank', progress: modelPart + (0.99 - modelPart) * fraction, ...fileInfo });
        return;
      }
      if (!(file in SHARE_OF_MODEL)) return;
      done.set(file, fraction);
      emit({ phase: 'model', progress: modelDone(), ...fileInfo });
      if (!bankFile && !bankStarted && CHECKPOINT_FILES.every((f) => done.get(f) === 1)) {
        bankStarted = true;
        emit({ phase: 'bank', progress: modelPart });
      }
    },
    ready: () => emit({ phase: 'ready', progress: 1 }),
  };
}

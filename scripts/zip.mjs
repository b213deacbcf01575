#!/usr/bin/env node
// Zips a folder reproducibly: `node scripts/zip.mjs DIR OUT.zip [PREFIX/]` (called by scripts/build.sh).
//
// The same files give the same zip bytes on any machine: entries sorted by path, every time set to
// SOURCE_DATE_EPOCH (the commit time; UTC), fixed permissions (0644), no extra fields, and stored
// (not deflated) so the bytes do not depend on the zlib version of the machine that packs them.
// Hand-written (about 60 lines) because Node has no zip writer and a dependency would have to be
// installed before every build; the format is PKWARE APPNOTE 6.3, local headers + central directory.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, out, prefix = ''] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node scripts/zip.mjs DIR OUT.zip [PREFIX/]');
  process.exit(2);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function files(root, rel = '') {
  return readdirSync(join(root, rel))
    .sort()
    .flatMap((name) => {
      const path = rel ? `${rel}/${name}` : name;
      return statSync(join(root, path)).isDirectory() ? files(root, path) : [path];
    })
    .sort();
}

// MS-DOS date and time of SOURCE_DATE_EPOCH, in UTC (zip has no time zone); 1980 at the earliest.
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? 315532800);
const d = new Date(Math.max(epoch, 315532800) * 1000);
const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
const dosDate = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();

const locals = [];
const centrals = [];
let offset = 0;
for (const path of files(dir)) {
  const data = readFileSync(join(dir, path));
  const name = Buffer.from(prefix + path, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); // local file header signature
  local.writeUInt16LE(10, 4); // version needed: 1.0 (stored)
  local.writeUInt16LE(0x0800, 6); // flags: names are UTF-8
  local.writeUInt16LE(0, 8); // method: stored
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28); // no extra field
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); // central directory header signature
  central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, spec 2.0 (so the mode below is read)
  central.writeUInt16LE(10, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  // extra, comment, disk number, internal attributes: 0 (bytes 30..37 stay zero)
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
  central.writeUInt32LE(offset, 42);
  locals.push(local, name, data);
  centrals.push(central, name);
  offset += local.length + name.length + data.length;
}
const directory = Buffer.concat(centrals);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
end.writeUInt16LE(centrals.length / 2, 8);
end.writeUInt16LE(centrals.length / 2, 10);
end.writeUInt32LE(directory.length, 12);
end.writeUInt32LE(offset, 16);
writeFileSync(out, Buffer.concat([...locals, directory, end]));

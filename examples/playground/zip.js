// A minimal zip writer (files stored uncompressed), so that a whole run directory downloads as
// one file. The library bundles fflate for .npz but does not export it; storing without
// compression needs only the CRC-32 and the three record layouts of the zip format
// (PKWARE APPNOTE 4.3.7 local header, 4.3.12 central directory, 4.3.16 end record).

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Little-endian fields: [value, bytes] pairs. */
function record(fields) {
  const size = fields.reduce((sum, [, n]) => sum + n, 0);
  const view = new DataView(new ArrayBuffer(size));
  let at = 0;
  for (const [value, n] of fields) {
    if (n === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value, true);
    at += n;
  }
  return new Uint8Array(view.buffer);
}

/** A zip of `files` ({ "dir/name": Uint8Array }), uncompressed. */
export function zip(files) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const path = new TextEncoder().encode(name);
    const crc = crc32(data);
    const utf8 = 0x0800; // general purpose flag 11: the name is UTF-8
    const local = record([
      [0x04034b50, 4],
      [20, 2],
      [utf8, 2],
      [0, 2],
      [0, 2],
      [0x21, 2],
      [crc, 4],
      [data.length, 4],
      [data.length, 4],
      [path.length, 2],
      [0, 2],
    ]);
    central.push(
      record([
        [0x02014b50, 4],
        [20, 2],
        [20, 2],
        [utf8, 2],
        [0, 2],
        [0, 2],
        [0x21, 2],
        [crc, 4],
        [data.length, 4],
        [data.length, 4],
        [path.length, 2],
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 4],
        [offset, 4],
      ]),
      path,
    );
    parts.push(local, path, data);
    offset += local.length + path.length + data.length;
  }
  const directorySize = central.reduce((sum, p) => sum + p.length, 0);
  const count = Object.keys(files).length;
  const end = record([
    [0x06054b50, 4],
    [0, 2],
    [0, 2],
    [count, 2],
    [count, 2],
    [directorySize, 4],
    [offset, 4],
    [0, 2],
  ]);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}
